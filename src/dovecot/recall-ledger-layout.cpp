#include "recall-ledger-layout.h"

#include "../core/recall-settings.hpp"

extern "C" {
#include "guid.h"
#include "hex-binary.h"
#include "sha2.h"
}

namespace recall_ledger_layout {

const std::string kDeliveries = "shared/recall/d/";
const std::string kExpiring = "shared/recall/e/";
const std::string kExpiryGroups = "shared/recall/g/";
const std::string kBuckets = "shared/recall/b/";
const std::string kFetched = "shared/recall/f/";
const std::string kShared = "shared/recall/s/";
const std::string kRecalled = "shared/recall/r/";
const std::string kMarksExpiring = "shared/recall/x/";
const std::string kHeld = "shared/recall/k/";
const std::string kHistory = "shared/recall/h/";
const std::string kRecallEpoch = kRecalled + "epoch";

/* A value no earlier epoch had: a listing is never taken for current
   because an old value came back. */
void new_recall_epoch(struct dict_transaction_context *trans)
{
    guid_128_t epoch;
    guid_128_generate(epoch);
    dict_set(trans, kRecallEpoch.c_str(), guid_128_to_string(epoch));
}

/* 128 bits of SHA-256 keep keys short; a collision would only merge two
   lookups, and the engine re-checks sender and Message-ID of each record. */
std::string hash_key(const std::string &a, const std::string &b)
{
    std::string input = a + '\n' + b;
    unsigned char digest[SHA256_RESULTLEN];
    sha256_get_digest(input.data(), input.size(), digest);
    return binary_to_hex(digest, 16);
}

std::string delivery_key(const recall::Delivery &delivery)
{
    return kDeliveries + recall_message_key(delivery.sender, delivery.message_id) + "/" +
           recall_copy_key(delivery);
}

std::string bucket_of(int64_t expires_at)
{
    return std::to_string(expires_at / kBucketSecs);
}

std::string leaf(const std::string &key)
{
    return key.substr(key.rfind('/') + 1);
}

/* One (e/<bucket>/<message key> = "1", as dovecot-lda and earlier
   versions write) or a group. */
std::vector<std::string> indexed_messages(const std::string &key, const std::string &value)
{
    if (key.compare(0, kExpiryGroups.size(), kExpiryGroups) != 0)
        return {leaf(key)};
    std::vector<std::string> messages;
    T_BEGIN {
        for (const char *const *word = t_strsplit_spaces(value.c_str(), " "); *word != NULL;
             word++)
            messages.emplace_back(*word);
    } T_END;
    return messages;
}

struct dict_op_settings no_user_settings()
{
    struct dict_op_settings set;
    i_zero(&set);
    return set;
}

} // namespace recall_ledger_layout

using namespace recall_ledger_layout;

std::string recall_message_key(const std::string &sender, const std::string &message_id)
{
    return hash_key(recall::lower_ascii(sender), message_id);
}

std::string recall_copy_key(const std::string &user, const std::string &guid)
{
    return hash_key(user, guid);
}

std::string recall_copy_key(const recall::Delivery &delivery)
{
    return recall_copy_key(delivery.recipient_user, delivery.guid);
}
