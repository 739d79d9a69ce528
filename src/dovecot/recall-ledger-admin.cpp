/* doveadm's half of the ledger adapter, for its commands that run for no
   user: prune deletes what has expired (records, their index entries and
   markers, marks, history) and purges holds past their end; history reads
   the trail. Only lib10 links it. */
#include "recall-ledger-dict.h"
#include "recall-ledger-layout.h"

#include <map>

#include "../core/recall-fields.hpp"

extern "C" {
#include "strnum.h"
}

using namespace recall_ledger_layout;

bool DictLedger::held_copies(std::vector<HeldCopy> &out, std::string &error)
{
    std::vector<std::pair<std::string, std::string>> entries;
    if (!list(kHeld, entries, error))
        return false;
    for (const auto &[key, value] : entries) {
        std::optional<recall::Fields> fields = recall::decode_fields(value);
        HeldCopy held{key, "", 0};
        if (fields && recall::parse_int((*fields)["until"], held.until) &&
            !(held.user = (*fields)["user"]).empty())
            out.push_back(held);
        else
            e_warning(event_, "ignoring unreadable hold entry %s", key.c_str());
    }
    return true;
}

bool DictLedger::forget_held(const std::vector<HeldCopy> &purged, std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    for (const HeldCopy &held : purged)
        dict_unset(trans, held.key.c_str());
    return commit(trans, error);
}

bool DictLedger::history(std::vector<recall::HistoryEntry> &out, std::string &error)
{
    std::vector<std::pair<std::string, std::string>> entries;
    if (!list(kHistory, entries, error))
        return false;
    for (const auto &[key, value] : entries) {
        std::optional<recall::HistoryEntry> entry = recall::decode_history(value);
        if (entry)
            out.push_back(*entry);
        else
            e_warning(event_, "ignoring unreadable history entry %s", key.c_str());
    }
    return true;
}

/* The expired records of one message; keep when some of its records
   still expire in bucket (and are not expired yet). */
bool DictLedger::prune_message(const std::string &message, const std::string &bucket,
                               int64_t now, std::vector<std::string> &stale, bool &keep,
                               std::string &error)
{
    std::vector<std::pair<std::string, std::string>> copies;
    if (!list(kDeliveries + message + "/", copies, error))
        return false;
    keep = false;
    size_t remaining = copies.size();
    for (const auto &[key, value] : copies) {
        std::optional<recall::Delivery> d = recall::decode_delivery(value);
        if (recall::record_prunable(d, now)) {
            stale.push_back(key);
            remaining--;
        } else {
            keep = keep || bucket_of(d->expires_at) == bucket;
        }
    }
    /* The recall marker lives as long as the message's records. */
    if (remaining == 0)
        stale.push_back(kRecalled + message);
    return true;
}

/* Deletes the expired records of each message listed in the bucket, and
   the bucket's index entries once nothing in it is left to expire. */
bool DictLedger::prune_bucket(const std::string &bucket, int64_t now, unsigned int &pruned,
                              std::string &error)
{
    std::vector<std::pair<std::string, std::string>> entries;
    if (!list(kExpiring + bucket + "/", entries, error) ||
        !list(kExpiryGroups + bucket + "/", entries, error))
        return false;
    /* Keys collected before the transaction: a proxy dict runs iterations
       and transactions over one connection. */
    std::vector<std::string> stale;
    std::map<std::string, bool> kept; /* each message once, in however many entries */
    unsigned int kept_entries = 0;
    for (const auto &[key, value] : entries) {
        bool keep_entry = false;
        for (const std::string &message : indexed_messages(key, value)) {
            auto done = kept.find(message);
            if (done == kept.end()) {
                bool keep;
                if (!prune_message(message, bucket, now, stale, keep, error))
                    return false;
                done = kept.emplace(message, keep).first;
            }
            keep_entry = keep_entry || done->second;
        }
        if (keep_entry)
            kept_entries++;
        else
            stale.push_back(key);
    }
    if (!stale_marks(bucket, stale, error))
        return false;
    if (kept_entries == 0)
        stale.push_back(kBuckets + bucket);
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    bool markers_removed = false;
    for (const std::string &key : stale) {
        dict_unset(trans, key.c_str());
        pruned += key.compare(0, kDeliveries.size(), kDeliveries) == 0;
        markers_removed = markers_removed || key.compare(0, kRecalled.size(), kRecalled) == 0;
    }
    if (markers_removed)
        new_recall_epoch(trans);
    return commit(trans, error);
}

/* Marks expire with their bucket, whatever became of their copy. */
bool DictLedger::stale_marks(const std::string &bucket, std::vector<std::string> &stale,
                             std::string &error)
{
    std::vector<std::pair<std::string, std::string>> marks;
    if (!list(kMarksExpiring + bucket + "/", marks, error))
        return false;
    for (const auto &entry : marks) {
        stale.push_back(kFetched + leaf(entry.first));
        stale.push_back(kShared + leaf(entry.first));
        stale.push_back(entry.first);
    }
    return true;
}

/* History entries expire with the records of their time. */
bool DictLedger::prune_history(int64_t now, std::string &error)
{
    std::vector<std::pair<std::string, std::string>> entries;
    if (!list(kHistory, entries, error))
        return false;
    std::vector<std::string> stale;
    for (const auto &[key, value] : entries) {
        std::optional<recall::HistoryEntry> entry = recall::decode_history(value);
        if (recall::history_prunable(entry, now))
            stale.push_back(key);
    }
    if (stale.empty())
        return true;
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    for (const std::string &key : stale)
        dict_unset(trans, key.c_str());
    return commit(trans, error);
}

int DictLedger::prune(int64_t now, unsigned int &pruned, std::string &error)
{
    std::vector<std::pair<std::string, std::string>> buckets;
    pruned = 0;
    if (!list(kBuckets, buckets, error) || !prune_history(now, error))
        return -1;
    for (const auto &entry : buckets) {
        std::string bucket = leaf(entry.first);
        int64_t start;
        if (str_to_int64(bucket.c_str(), &start) == 0 && start * kBucketSecs <= now &&
            !prune_bucket(bucket, now, pruned, error))
            return -1;
    }
    return 0;
}
