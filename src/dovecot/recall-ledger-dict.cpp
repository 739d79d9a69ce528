#include "recall-ledger-dict.h"

#include "../core/recall-settings.hpp"

extern "C" {
#include "lib.h"
#include "dict.h"
#include "hex-binary.h"
#include "sha2.h"
}

#include <cstring>

namespace {

const char *const kDeliveries = "shared/recall/d/";

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

struct dict_op_settings no_user_settings()
{
    struct dict_op_settings set;
    i_zero(&set);
    return set;
}

void store_async_callback(const struct dict_commit_result *result, void *)
{
    if (result->ret < 0)
        i_error("recall: ledger write failed, this copy cannot be recalled: %s", result->error);
}

} // namespace

std::string recall_message_key(const std::string &sender, const std::string &message_id)
{
    return hash_key(recall::lower_ascii(sender), message_id);
}

std::string recall_copy_key(const recall::Delivery &delivery)
{
    return hash_key(delivery.recipient_user, delivery.guid);
}

recall::LookupStatus DictLedger::deliveries(const std::string &sender,
                                            const std::string &message_id,
                                            std::vector<recall::Delivery> &out,
                                            std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    std::string path = kDeliveries + recall_message_key(sender, message_id) + "/";
    struct dict_iterate_context *iter =
        dict_iterate_init(dict_, &set, path.c_str(), DICT_ITERATE_FLAG_RECURSE);
    const char *key, *value, *iter_error;
    while (dict_iterate(iter, &key, &value)) {
        std::optional<recall::Delivery> delivery = recall::decode_delivery(value);
        if (delivery)
            out.push_back(*delivery);
        else
            i_warning("recall: ignoring unreadable ledger record %s", key);
    }
    if (dict_iterate_deinit(&iter, &iter_error) < 0) {
        error = iter_error;
        return recall::LookupStatus::Error;
    }
    return out.empty() ? recall::LookupStatus::None : recall::LookupStatus::Found;
}

bool DictLedger::store(const recall::Delivery &delivery, std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    dict_set(trans, delivery_key(delivery).c_str(), recall::encode_delivery(delivery).c_str());
    const char *commit_error;
    if (dict_transaction_commit(&trans, &commit_error) < 0) {
        error = commit_error;
        return false;
    }
    return true;
}

void DictLedger::store_async(const recall::Delivery &delivery)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    dict_set(trans, delivery_key(delivery).c_str(), recall::encode_delivery(delivery).c_str());
    dict_transaction_commit_async(&trans, store_async_callback, (void *)NULL);
}

int DictLedger::prune(int64_t now, unsigned int &pruned, std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_iterate_context *iter =
        dict_iterate_init(dict_, &set, kDeliveries, DICT_ITERATE_FLAG_RECURSE);
    const char *key, *value, *dict_error;
    /* Collected first: a proxy dict runs the iteration and the transaction
       over one connection. */
    std::vector<std::string> stale;
    while (dict_iterate(iter, &key, &value)) {
        std::optional<recall::Delivery> delivery = recall::decode_delivery(value);
        if (!delivery || delivery->expires_at <= now)
            stale.push_back(key);
    }
    if (dict_iterate_deinit(&iter, &dict_error) < 0) {
        error = dict_error;
        return -1;
    }
    pruned = stale.size();
    if (stale.empty())
        return 0;
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    for (const std::string &stale_key : stale)
        dict_unset(trans, stale_key.c_str());
    if (dict_transaction_commit(&trans, &dict_error) < 0) {
        error = dict_error;
        return -1;
    }
    return 0;
}
