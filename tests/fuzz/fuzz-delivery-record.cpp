// libFuzzer target: the ledger record decoder (records come from a shared
// dict that other hosts and admins can write). Whatever decodes must encode
// back to a record that decodes to the same fields.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "../../src/core/recall-delivery.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view text(reinterpret_cast<const char *>(data), size);
    std::optional<recall::Delivery> d = recall::decode_delivery(text);
    if (!d)
        return 0;
    std::optional<recall::Delivery> again = recall::decode_delivery(recall::encode_delivery(*d));
    if (!again || again->message_id != d->message_id || again->subject != d->subject ||
        again->uid != d->uid || again->progress != d->progress ||
        again->expires_at != d->expires_at)
        abort();
    return 0;
}
