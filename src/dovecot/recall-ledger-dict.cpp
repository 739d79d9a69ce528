#include "recall-ledger-dict.h"
#include "recall-ledger-layout.h"

#include <set>
#include <unistd.h>

#include "../core/recall-fields.hpp"
#include "../core/recall-settings.hpp"

extern "C" {
#include "lib.h"
#include "dict.h"
#include "fs-api.h"
#include "guid.h"
#include "hex-binary.h"
#include "ioloop.h"
#include "sha2.h"
#include "strnum.h"
}


using namespace recall_ledger_layout;

namespace {

/* Messages of one batch in the index of their expiry bucket, in groups
   of up to kGroupMessages: one row instead of one per message.
   g/<bucket>/<group id> = "<message key> <message key> ..." */
constexpr size_t kGroupMessages = 500;

void index_expiry_group(struct dict_transaction_context *trans, const std::string &bucket,
                        const std::set<std::string> &messages)
{
    auto write_group = [&](const std::string &value) {
        guid_128_t id;
        guid_128_generate(id);
        dict_set(trans, (kExpiryGroups + bucket + "/" + guid_128_to_string(id)).c_str(),
                 value.c_str());
    };
    std::string value;
    size_t count = 0;
    for (const std::string &message : messages) {
        value += (count == 0 ? "" : " ") + message;
        if (++count == kGroupMessages) {
            write_group(value);
            value.clear();
            count = 0;
        }
    }
    if (count > 0)
        write_group(value);
}

/* The record's message in the index of its expiry bucket, for prune. */
void index_expiry(struct dict_transaction_context *trans, const recall::Delivery &delivery)
{
    std::string bucket = bucket_of(delivery.expires_at);
    dict_set(trans,
             (kExpiring + bucket + "/" + recall_message_key(delivery.sender, delivery.message_id))
                 .c_str(),
             "1");
    dict_set(trans, (kBuckets + bucket).c_str(), "1");
}

void recalled_callback(const struct dict_lookup_result *result,
                       DictLedger::RecalledAnswer *answer) noexcept
{
    if (result->ret < 0)
        e_error(answer->log.event(), "cannot tell whether a delivered message was recalled: %s",
                result->error);
    answer->answered = true;
    answer->recalled = result->ret > 0;
    if (answer->recalled)
        answer->marker = recall::decode_marker(result->value);
    if (answer->orphaned)
        delete answer;
    else if (answer->on_answer) {
        /* A copy: the call may free the answer, and the function with it. */
        std::function<void()> on_answer = answer->on_answer;
        on_answer();
    }
}

void epoch_callback(const struct dict_lookup_result *result,
                    DictLedger::EpochAnswer *answer) noexcept
{
    if (result->ret < 0)
        e_error(answer->log.event(), "cannot read the recall epoch: %s", result->error);
    answer->ret = result->ret;
    if (result->ret > 0)
        answer->value = result->value;
    /* A copy: the call may free the answer, and the function with it. */
    std::function<void()> on_answer = answer->on_answer;
    on_answer();
}

void store_async_callback(const struct dict_commit_result *result, struct event *event) noexcept
{
    if (result->ret < 0)
        e_error(event, "ledger write failed, this copy cannot be recalled: %s", result->error);
    event_unref(&event);
}

/* The bucket rows this process wrote (committed or on their way): a
   session that marks one download per ioloop pass writes its bucket's row
   once, not per pass. A failed commit takes its rows out again, so the
   next mark of the bucket writes it: one row covers all the bucket's
   entries, whichever transaction wrote them. */
std::set<std::string> &written_bucket_rows()
{
    static std::set<std::string> buckets;
    return buckets;
}

/* A bucket is pruned, its row with it, once its minute has begun on the
   pruning host's clock: a row is taken as there only while its bucket is
   well ahead of that (records and marks of a normal lifetime always are). */
constexpr int64_t kBucketRowMarginSecs = 600;
bool bucket_row_written(int64_t expires_at)
{
    int64_t start = expires_at / kBucketSecs * kBucketSecs;
    return start > (int64_t)ioloop_time + kBucketRowMarginSecs &&
           written_bucket_rows().count(bucket_of(expires_at)) > 0;
}

/* A mark transaction on its way: the bucket rows it writes. */
struct MarkCommit {
    std::set<std::string> written;
    struct event *event;
};

void mark_async_callback(const struct dict_commit_result *result, MarkCommit *commit) noexcept
{
    if (result->ret < 0) {
        e_error(commit->event, "ledger write failed, downloads or shares not recorded: %s",
                result->error);
        for (const std::string &bucket : commit->written)
            written_bucket_rows().erase(bucket);
    }
    event_unref(&commit->event);
    delete commit;
}

} // namespace

DictLedger::AnswerLog::~AnswerLog()
{
    if (event_ != nullptr)
        event_unref(&event_);
}

void DictLedger::AnswerLog::set(struct event *event)
{
    if (event_ != nullptr)
        event_unref(&event_);
    event_ = event;
    event_ref(event_);
}

bool DictLedger::list(const std::string &path,
                      std::vector<std::pair<std::string, std::string>> &out, std::string &error)
{
    if (listing_fs_ != NULL)
        return list_fs(path, out, error);
    struct dict_op_settings set = no_user_settings();
    struct dict_iterate_context *iter =
        dict_iterate_init(dict_, &set, path.c_str(), (enum dict_iterate_flags)0);
    const char *key, *value, *iter_error;
    while (dict_iterate(iter, &key, &value))
        out.emplace_back(key, value);
    if (dict_iterate_deinit(&iter, &iter_error) < 0) {
        error = iter_error;
        return false;
    }
    return true;
}

/* The fs dict keeps shared/ keys as files under its root without that
   prefix; the values are read through the dict as usual. */
bool DictLedger::list_fs(const std::string &path,
                         std::vector<std::pair<std::string, std::string>> &out,
                         std::string &error)
{
    static const std::string shared = "shared/";
    struct fs_iter *iter =
        fs_iter_init(listing_fs_, path.c_str() + shared.size(), (enum fs_iter_flags)0);
    std::vector<std::string> names;
    const char *name, *iter_error;
    while ((name = fs_iter_next(iter)) != NULL)
        names.emplace_back(name);
    if (fs_iter_deinit(&iter, &iter_error) < 0) {
        error = iter_error;
        return false;
    }
    struct dict_op_settings set = no_user_settings();
    for (const std::string &leaf_name : names) {
        std::string key = path + leaf_name;
        const char *value, *lookup_error;
        int ret = dict_lookup(dict_, &set, pool_datastack_create(), key.c_str(), &value,
                              &lookup_error);
        if (ret < 0) {
            error = lookup_error;
            return false;
        }
        if (ret > 0) /* else removed since it was listed */
            out.emplace_back(key, value);
    }
    return true;
}

bool DictLedger::commit(struct dict_transaction_context *trans, std::string &error)
{
    const char *commit_error;
    if (dict_transaction_commit(&trans, &commit_error) < 0) {
        error = commit_error;
        return false;
    }
    return true;
}

recall::LookupStatus DictLedger::deliveries(const std::string &sender,
                                            const std::string &message_id,
                                            std::vector<recall::Delivery> &out,
                                            std::string &error)
{
    std::vector<std::pair<std::string, std::string>> entries;
    if (!list(kDeliveries + recall_message_key(sender, message_id) + "/", entries, error))
        return recall::LookupStatus::Error;
    for (const auto &[key, value] : entries) {
        std::optional<recall::Delivery> delivery = recall::decode_delivery(value);
        if (delivery)
            out.push_back(*delivery);
        else
            e_warning(event_, "ignoring unreadable ledger record %s", key.c_str());
    }
    return out.empty() ? recall::LookupStatus::None : recall::LookupStatus::Found;
}

/* Only a hold gives a record a later expiry: the expiry index follows
   it, and the held copy is listed for prune to purge its hold. */
bool DictLedger::store(const std::vector<recall::Delivery> &deliveries, std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    for (const recall::Delivery &delivery : deliveries) {
        dict_set(trans, delivery_key(delivery).c_str(), recall::encode_delivery(delivery).c_str());
        if (delivery.held_until == 0)
            continue;
        index_expiry(trans, delivery);
        std::string held = "v=";
        held += recall::kFieldsVersion;
        recall::add_field(held, "user", delivery.recipient_user);
        recall::add_field(held, "until", std::to_string(delivery.held_until));
        dict_set(trans, (kHeld + recall_copy_key(delivery)).c_str(), held.c_str());
    }
    return commit(trans, error);
}

bool DictLedger::add_history(const recall::HistoryEntry &entry, std::string &error)
{
    char at[32];
    i_snprintf(at, sizeof(at), "%012lld%06lld", (long long)entry.at, (long long)entry.usec);
    std::string key = kHistory + at + "-" +
                      hash_key(entry.sender + '\n' + entry.action, entry.message_id);
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    dict_set(trans, key.c_str(), recall::encode_history(entry).c_str());
    return commit(trans, error);
}

namespace {

/* One pending mark lookup: where its answer goes. */
struct MarkLookup {
    bool *found;
    std::string *error;
};

void mark_lookup_callback(const struct dict_lookup_result *result, MarkLookup *lookup) noexcept
{
    if (result->ret < 0 && lookup->error->empty())
        *lookup->error = result->error;
    *lookup->found = result->ret > 0;
}

} // namespace

bool DictLedger::marks(const std::vector<recall::Delivery> &copies,
                       std::vector<recall::CopyMarks> &out, std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    out.assign(copies.size(), recall::CopyMarks());
    std::vector<MarkLookup> lookups;
    lookups.reserve(copies.size() * 2);
    std::string lookup_error;
    for (size_t i = 0; i < copies.size(); i++) {
        std::string copykey = recall_copy_key(copies[i]);
        lookups.push_back(MarkLookup{&out[i].fetched, &lookup_error});
        dict_lookup_async(dict_, &set, (kFetched + copykey).c_str(), mark_lookup_callback,
                          &lookups.back());
        lookups.push_back(MarkLookup{&out[i].shared, &lookup_error});
        dict_lookup_async(dict_, &set, (kShared + copykey).c_str(), mark_lookup_callback,
                          &lookups.back());
    }
    dict_wait(dict_);
    error = lookup_error;
    return lookup_error.empty();
}

bool DictLedger::mark_recalled(const std::string &sender, const std::string &message_id,
                               const recall::RecallMarker &marker, std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    dict_set(trans, (kRecalled + recall_message_key(sender, message_id)).c_str(),
             recall::encode_marker(marker).c_str());
    new_recall_epoch(trans);
    return commit(trans, error);
}

bool DictLedger::unmark_recalled(const std::string &sender, const std::string &message_id,
                                 std::string &error)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    dict_unset(trans, (kRecalled + recall_message_key(sender, message_id)).c_str());
    new_recall_epoch(trans);
    return commit(trans, error);
}

void DictLedger::recalled_async(const std::string &sender, const std::string &message_id,
                                RecalledAnswer *answer)
{
    struct dict_op_settings set = no_user_settings();
    answer->log.set(event_);
    dict_lookup_async(dict_, &set, (kRecalled + recall_message_key(sender, message_id)).c_str(),
                      recalled_callback, answer);
}

void DictLedger::recall_epoch_async(EpochAnswer *answer)
{
    struct dict_op_settings set = no_user_settings();
    answer->log.set(event_);
    dict_lookup_async(dict_, &set, kRecallEpoch.c_str(), epoch_callback, answer);
}

bool DictLedger::recall_markers(std::map<std::string, std::string> &out, std::string &error)
{
    std::vector<std::pair<std::string, std::string>> entries;
    if (!list(kRecalled, entries, error))
        return false;
    for (auto &[key, value] : entries) {
        if (key != kRecallEpoch)
            out[leaf(key)] = std::move(value);
    }
    return true;
}

void DictLedger::mark_async(const std::vector<CopyMark> &marks)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    auto *commit = new MarkCommit{{}, event_};
    event_ref(event_);
    for (const CopyMark &m : marks) {
        std::string bucket = bucket_of(m.expires_at), copykey = recall_copy_key(m.user, m.guid);
        dict_set(trans, ((m.mark == Mark::Fetched ? kFetched : kShared) + copykey).c_str(), "1");
        dict_set(trans, (kMarksExpiring + bucket + "/" + copykey).c_str(), "1");
        if (!bucket_row_written(m.expires_at) && commit->written.insert(bucket).second) {
            dict_set(trans, (kBuckets + bucket).c_str(), "1");
            written_bucket_rows().insert(bucket);
        }
    }
    dict_transaction_commit_async(&trans, mark_async_callback, commit);
}

void DictLedger::await_recent_deliveries()
{
    usleep(recall::kGroupCommitMsecs * 1000);
}

void DictLedger::store_all_async(const std::vector<recall::Delivery> &records,
                                 void (*callback)(const struct dict_commit_result *, void *),
                                 void *context)
{
    struct dict_op_settings set = no_user_settings();
    struct dict_transaction_context *trans = dict_transaction_begin(dict_, &set);
    /* Deliveries of one batch share expiry buckets and messages: each
       bucket's messages go into its group rows, its own row once. */
    std::map<std::string, std::set<std::string>> by_bucket; /* the messages of each */
    /* A transaction's records follow each other: one hash per message. */
    const recall::Delivery *keyed = nullptr;
    std::string message;
    for (const recall::Delivery &delivery : records) {
        if (keyed == nullptr || keyed->sender != delivery.sender ||
            keyed->message_id != delivery.message_id)
            message = recall_message_key(delivery.sender, delivery.message_id);
        keyed = &delivery;
        dict_set(trans, (kDeliveries + message + "/" + recall_copy_key(delivery)).c_str(),
                 recall::encode_delivery(delivery).c_str());
        by_bucket[bucket_of(delivery.expires_at)].insert(message);
    }
    for (const auto &[bucket, messages] : by_bucket) {
        index_expiry_group(trans, bucket, messages);
        dict_set(trans, (kBuckets + bucket).c_str(), "1");
    }
    if (callback != nullptr) {
        dict_transaction_commit_async(&trans, callback, context);
        return;
    }
    event_ref(event_);
    dict_transaction_commit_async(&trans, store_async_callback, event_);
}
