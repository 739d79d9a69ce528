#include "recall-delivery-batch.h"
#include "recall-delivery-spool.h"
#include "recall-dict-wait.h"
#include "recall-dovecot-compat.h"
#include "recall-late-copies.h"
#include "recall-ledger-dict.h"
#include "recall-ledger-open.h"
#include "recall-log.h"
#include "recall-opened-user.h"
#include "recall-privileges.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "dict.h"
#include "fs-api.h"
#include "mail-storage-service.h"
#include "mail-user.h"
}

#include <map>
#include <memory>

namespace {

constexpr size_t kFlushRecords = 1000;
/* How long a delivery waits for the ledger where the process ends after
   its client (the epoch asked before its reply, a commit that must come
   first): a healthy ledger answers in milliseconds, a hung one costs one
   delivery this much, and no other afterwards. */
constexpr unsigned int kSingleClientWaitMsecs = 200;
constexpr unsigned int kSingleClientRounds = 4; /* epoch, markers, commit, recall */
constexpr unsigned int kRetrySecs = 5;
constexpr size_t kMaxListedMarkers = 10000;
constexpr time_t kTooManyMarkersSecs = 600;

struct Flush;

/* The recall markers as this process last listed them, and the recall
   epoch read just before: while the epoch stays, no marker was written or
   removed since, and a flush needs one lookup instead of one per message. */
struct MarkerListing {
    bool listed = false;
    std::string epoch;
    std::map<std::string, std::string> markers; /* by message key */
    /* More markers than kMaxListedMarkers: one lookup per message until
       then, rather than reading them all after each recall. */
    time_t too_many_until = 0;
};

/* The group commit of one ledger in this process. */
struct Batch {
    std::string uri;
    struct dict *dict = nullptr;
    struct fs *listing_fs = nullptr;
    std::unique_ptr<DeliverySpool> spool;
    std::vector<recall::Delivery> queued;
    std::vector<std::string> queued_files; /* spool files whose records are all queued */
    /* Where late copies' recipients are opened (the delivering process's
       storage service); NULL at process end. */
    struct mail_storage_service_ctx *storage = nullptr;
    std::string service;
    /* The ids of the last delivery: a ledger written in this process
       (fs, file) gets its files as the recipients' processes would. */
    recall_saved_ids writer_ids = recall_save_ids();
    struct timeout *to_flush = nullptr;
    unsigned int in_flight = 0;
    bool retrying = false; /* the ledger refused the last commit */
    /* A flush of the queue's first kFlushRecords records is on its way:
       the next one waits for its answer, as spool files go only with the
       flush that commits the last of their records. */
    bool chunk_in_flight = false;
    /* Flushes whose next step waits for the ioloop's turn: the dict
       client must not be given a command from inside its own callback. */
    std::vector<Flush *> ready;
    struct timeout *to_ready = nullptr;
    bool spool_warned = false;
    /* In a process that ends after its client: the ledger once did not
       answer within kSingleClientWaitMsecs, so no delivery waits again. */
    bool ledger_slow = false;
    /* There too: the spool files of ended processes were looked for (at
       its first delivery), and the epoch asked before the last reply. It
       stays here: an answer that came too late still has somewhere to go. */
    bool orphans_looked_for = false;
    std::unique_ptr<DictLedger::EpochAnswer> reply_epoch;
    bool reply_epoch_answered = false;
    /* The message that the last lookup before a reply found not recalled:
       an LMTP transaction's later recipients need not ask again. */
    std::string reply_checked;
    MarkerListing listing;
};

/* One message of a flush: its records and whether it was recalled. */
struct FlushedMessage {
    std::vector<recall::Delivery> copies;
    DictLedger::RecalledAnswer answer;
};

/* One group commit on its way: written, then the recall epoch read and
   each message looked up in the markers, then the late copies recalled. */
struct Flush {
    enum class Next { AskEpoch, CheckMarkers, RecallLate };
    Batch *batch;
    std::vector<recall::Delivery> records;
    std::vector<std::string> files;
    bool chunk = false; /* the queue's first records only: more follow */
    std::map<std::pair<std::string, std::string>, FlushedMessage> messages;
    DictLedger::EpochAnswer epoch;
    size_t unanswered = 0;
    bool asking = false;
    Next next = Next::AskEpoch;
};

std::vector<std::unique_ptr<Batch>> batches;
struct event *batch_event = nullptr;

struct event *log_event()
{
    if (batch_event == nullptr) {
        batch_event = recall_event_create(NULL);
    }
    return batch_event;
}

void flush(Batch *batch) noexcept;

void finish(Flush *f, bool keep_files)
{
    if (!keep_files) {
        for (const std::string &path : f->files)
            recall_spool_remove(path);
    }
    f->batch->in_flight--;
    delete f;
}

/* Rule 11 for the late copies of one flush: each recipient opened again. */
void recall_late_copies(Flush *f)
{
    Batch *batch = f->batch;
    bool kept = false;
    for (auto &[message, flushed] : f->messages) {
        if (!flushed.answer.recalled || !flushed.answer.marker)
            continue;
        if (batch->storage == nullptr) {
            e_warning(log_event(), "%s was recalled: its late copies are recalled when the "
                      "spool is replayed (next lmtp process or doveadm recall prune)",
                      message.second.c_str());
            kept = true;
            continue;
        }
        std::map<std::string, std::vector<recall::Delivery>> by_user;
        for (const recall::Delivery &copy : flushed.copies)
            by_user[copy.recipient_user].push_back(copy);
        for (auto &[username, copies] : by_user) {
            std::string error;
            std::unique_ptr<RecallOpenedUser> opened = RecallOpenedUser::open(
                batch->storage, batch->service.c_str(), NULL, username, error);
            if (!opened) {
                e_error(log_event(), "%s arrived after its recall, not recalled: %s",
                        message.second.c_str(), error.c_str());
                continue;
            }
            recall_delivery_recall_arrived(opened->user(), batch->dict, batch->listing_fs,
                                           copies, *flushed.answer.marker);
        }
    }
    finish(f, kept);
}

void ask_epoch(Flush *f);
void check_markers(Flush *f);

void run_ready(Batch *batch) noexcept
{
    timeout_remove(&batch->to_ready);
    std::vector<Flush *> ready;
    ready.swap(batch->ready);
    for (Flush *f : ready) {
        switch (f->next) {
        case Flush::Next::AskEpoch:
            ask_epoch(f);
            break;
        case Flush::Next::CheckMarkers:
            check_markers(f);
            break;
        case Flush::Next::RecallLate:
            recall_late_copies(f);
            break;
        }
    }
}

void make_ready(Flush *f, Flush::Next next)
{
    Batch *batch = f->batch;
    f->next = next;
    batch->ready.push_back(f);
    if (batch->to_ready == nullptr)
        batch->to_ready = timeout_add_short_to(io_loop_get_root(), 0, run_ready, batch);
}

/* Every message answered: late copies are recalled on the ioloop's turn
   (the engine uses the same dict). */
void answered(Flush *f)
{
    if (f->unanswered > 0 || f->asking)
        return;
    bool late = false;
    for (auto &[message, flushed] : f->messages) {
        if (flushed.answer.recalled && !flushed.answer.marker)
            e_warning(log_event(), "%s was recalled, but its marker is unreadable: "
                      "delivered normally", message.second.c_str());
        late = late || (flushed.answer.recalled && flushed.answer.marker);
    }
    if (late)
        make_ready(f, Flush::Next::RecallLate);
    else
        finish(f, false);
}

/* A ledger that is down gets the records again later, with what has come
   since; the spool keeps them meanwhile. */
void retry_later(Flush *f)
{
    Batch *batch = f->batch;
    batch->queued.insert(batch->queued.begin(), f->records.begin(), f->records.end());
    batch->queued_files.insert(batch->queued_files.end(), f->files.begin(), f->files.end());
    f->files.clear();
    timeout_remove(&batch->to_flush);
    batch->to_flush = timeout_add_to(io_loop_get_root(), kRetrySecs * 1000, flush, batch);
    batch->retrying = true;
    finish(f, true);
}

void committed(const struct dict_commit_result *result, void *context) noexcept
{
    Flush *f = static_cast<Flush *>(context);
    Batch *batch = f->batch;
    /* A whole-queue flush started before the chunk may answer first: only
       the chunk's own answer lets the next flush go. */
    if (f->chunk)
        batch->chunk_in_flight = false;
    if (result->ret < 0) {
        e_error(log_event(), "ledger write failed, retrying in %u s (delivery records kept: "
                "%zu, %zu in this commit): %s", kRetrySecs,
                batch->queued.size() + f->records.size(), f->records.size(), result->error);
        retry_later(f);
        return;
    }
    batch->retrying = false;
    /* The rest of a backlog follows at once, a chunk at a time. */
    if (f->chunk) {
        timeout_remove(&batch->to_flush);
        batch->to_flush = timeout_add_short_to(io_loop_get_root(), 0, flush, batch);
    }
    make_ready(f, Flush::Next::AskEpoch);
}

/* Ordered after the commit: a recall that committed its marker (and a
   new epoch) later lists these records; one that committed before has
   its marker in a listing made after this epoch was read. */
void ask_epoch(Flush *f)
{
    for (const recall::Delivery &copy : f->records)
        f->messages[{copy.sender, copy.message_id}].copies.push_back(copy);
    f->epoch.on_answer = [f] { make_ready(f, Flush::Next::CheckMarkers); };
    DictLedger(f->batch->dict, log_event(), f->batch->listing_fs).recall_epoch_async(&f->epoch);
}

/* One lookup per message: when the epoch or the markers cannot be read. */
void ask_each_marker(Flush *f)
{
    DictLedger ledger(f->batch->dict, log_event(), f->batch->listing_fs);
    f->unanswered = f->messages.size();
    f->asking = true;
    for (auto &[message, flushed] : f->messages) {
        flushed.answer.on_answer = [f] {
            f->unanswered--;
            answered(f);
        };
        ledger.recalled_async(message.first, message.second, &flushed.answer);
    }
    f->asking = false;
    answered(f);
}

bool markers_current(Batch *batch, const std::string &epoch)
{
    MarkerListing &listing = batch->listing;
    if (listing.listed && listing.epoch == epoch)
        return true;
    listing.listed = false;
    if (ioloop_time < listing.too_many_until)
        return false;
    std::map<std::string, std::string> markers;
    std::string error;
    if (!DictLedger(batch->dict, log_event(), batch->listing_fs).recall_markers(markers, error)) {
        e_error(log_event(), "cannot list the recall markers: %s", error.c_str());
        return false;
    }
    if (markers.size() > kMaxListedMarkers) {
        listing.too_many_until = ioloop_time + kTooManyMarkersSecs;
        return false;
    }
    listing = MarkerListing{true, epoch, std::move(markers)};
    return true;
}

void check_markers(Flush *f)
{
    if (f->epoch.ret < 0 || !markers_current(f->batch, f->epoch.value)) {
        ask_each_marker(f);
        return;
    }
    const std::map<std::string, std::string> &markers = f->batch->listing.markers;
    for (auto &[message, flushed] : f->messages) {
        auto found = markers.find(recall_message_key(message.first, message.second));
        flushed.answer.answered = true;
        flushed.answer.recalled = found != markers.end();
        if (flushed.answer.recalled)
            flushed.answer.marker = recall::decode_marker(found->second);
    }
    answered(f);
}

void adopt_orphans(Batch *batch)
{
    if (!batch->spool)
        return;
    for (const std::string &path : batch->spool->claim_orphans()) {
        std::vector<recall::Delivery> records = recall_spool_read(path, log_event());
        e_info(log_event(), "%s: %zu delivery records of an ended lmtp process taken over",
               path.c_str(), records.size());
        batch->queued.insert(batch->queued.end(), records.begin(), records.end());
        batch->queued_files.push_back(path);
    }
}

/* The next flush: the whole queue, or its first kFlushRecords records
   (after an outage, or spool files taken over), so that no commit, and no
   retry while the ledger is away, grows with the backlog. The spool files
   go with the flush that takes the queue's last records. */
Flush *next_flush(Batch *batch)
{
    Flush *f = new Flush{batch, {}, {}};
    if (batch->queued.size() > kFlushRecords) {
        auto end = batch->queued.begin() + kFlushRecords;
        f->records.assign(batch->queued.begin(), end);
        batch->queued.erase(batch->queued.begin(), end);
        batch->chunk_in_flight = f->chunk = true;
        return f;
    }
    f->records = std::move(batch->queued);
    f->files = std::move(batch->queued_files);
    batch->queued.clear();
    batch->queued_files.clear();
    if (batch->spool) {
        std::string current = batch->spool->close_current();
        if (!current.empty())
            f->files.push_back(current);
    }
    return f;
}

void flush(Batch *batch) noexcept
{
    timeout_remove(&batch->to_flush);
    if (batch->chunk_in_flight)
        return; /* its answer flushes again */
    adopt_orphans(batch);
    if (batch->queued.empty()) {
        for (const std::string &path : batch->queued_files)
            recall_spool_remove(path); /* an empty orphan */
        batch->queued_files.clear();
        return;
    }
    Flush *f = next_flush(batch);
    batch->in_flight++;
    recall_with_ids(batch->writer_ids, [&] {
        DictLedger(batch->dict, log_event(), batch->listing_fs)
            .store_all_async(f->records, committed, f);
    });
}

Batch *open_batch(const std::string &uri, const char *base_dir, std::string &error)
{
    for (const std::unique_ptr<Batch> &batch : batches) {
        if (batch->uri == uri)
            return batch.get();
    }
    auto batch = std::make_unique<Batch>();
    const char *dict_error;
    if (recall_ledger_open(uri.c_str(), log_event(), base_dir, &batch->dict,
                           &batch->listing_fs, &dict_error) < 0) {
        error = dict_error;
        return nullptr;
    }
    batch->uri = uri;
    batch->spool = std::make_unique<DeliverySpool>(base_dir, uri);
    batches.push_back(std::move(batch));
    return batches.back().get();
}

void close_batch(std::unique_ptr<Batch> &batch)
{
    timeout_remove(&batch->to_flush);
    timeout_remove(&batch->to_ready);
    dict_deinit(&batch->dict);
    if (batch->listing_fs != NULL)
        fs_deinit(&batch->listing_fs);
}

/* Commits what is queued, a chunk after another while the ledger takes
   them, and runs the dict (and the late copies' recall, when it can) until
   every flush of the batch is done. */
void flush_and_wait(Batch *batch)
{
    do {
        flush(batch);
        for (unsigned int round = 0; batch->in_flight > 0 && round < 100; round++) {
            dict_wait(batch->dict);
            run_ready(batch); /* not waiting for the ioloop's turn */
        }
    } while (!batch->queued.empty() && !batch->retrying && batch->in_flight == 0);
}

/* Runs the dict for at most kSingleClientWaitMsecs: false (and no more
   waiting in this process) when the ledger did not answer by then. */
bool wait_bounded(Batch *batch)
{
    if (batch->ledger_slow)
        return false;
    if (recall_dict_wait_bounded(batch->dict, kSingleClientWaitMsecs))
        return true;
    batch->ledger_slow = true;
    e_warning(log_event(), "ledger did not answer within %u ms: delivery records "
              "stay in the spool until it does", kSingleClientWaitMsecs);
    return false;
}

/* Commits now and runs what follows (the late copies' recall) while the
   process can still open users, waiting a bounded time: records not
   committed by then stay in the spool, for the next lmtp process or
   doveadm recall prune. */
void flush_now_bounded(Batch *batch)
{
    flush(batch);
    for (unsigned int round = 0; batch->in_flight > 0 && round < kSingleClientRounds; round++) {
        if (!wait_bounded(batch))
            break;
        run_ready(batch);
    }
}

/* The message of records (a recipient's deliveries), or "" when they are
   of several. */
std::string message_of(const std::vector<recall::Delivery> &records)
{
    std::string key;
    for (const recall::Delivery &copy : records) {
        std::string own = recall_message_key(copy.sender, copy.message_id);
        if (!key.empty() && own != key)
            return "";
        key = own;
    }
    return key;
}

/* Whether the ledger says, before the reply, that one of these records'
   messages is recalled: yes too when it cannot say in time to decide
   otherwise (the commit's own lookups decide then). One epoch lookup per
   LMTP transaction; the markers are listed again only when it changed. */
bool recalled_already(Batch *batch, const std::vector<recall::Delivery> &records)
{
    /* A slow ledger costs a delivery nothing (rule 13); its last answer
       may still come, into the reply_epoch kept for it. */
    if (batch->ledger_slow)
        return false;
    std::string message = message_of(records);
    if (!message.empty() && message == batch->reply_checked)
        return false;
    batch->reply_checked.clear();
    batch->reply_epoch = std::make_unique<DictLedger::EpochAnswer>();
    batch->reply_epoch_answered = false;
    bool *answered = &batch->reply_epoch_answered;
    batch->reply_epoch->on_answer = [answered] { *answered = true; };
    DictLedger(batch->dict, log_event(), batch->listing_fs)
        .recall_epoch_async(batch->reply_epoch.get());
    if (!wait_bounded(batch) || !batch->reply_epoch_answered)
        return false;
    if (batch->reply_epoch->ret < 0 || !markers_current(batch, batch->reply_epoch->value))
        return true;
    for (const recall::Delivery &copy : records) {
        if (batch->listing.markers.count(recall_message_key(copy.sender, copy.message_id)) > 0)
            return true;
    }
    batch->reply_checked = message;
    return false;
}

/* A process that ends after its client (Dovecot 2.4's lmtp) commits last
   at its end, where it can no longer open users to recall a late copy. So
   a delivery's records are committed before its reply when a late copy
   may be among them: the message is recalled already, or this is the
   process's first delivery and ended processes left spool files (records
   of a crash, or of a recall that raced their commit). Every other
   delivery waits for the group commit, as in any lmtp process. */
bool must_commit_before_reply(Batch *batch, const std::vector<recall::Delivery> &records)
{
    if (!batch->orphans_looked_for) {
        batch->orphans_looked_for = true;
        size_t files = batch->queued_files.size();
        adopt_orphans(batch);
        if (batch->queued_files.size() > files)
            return true;
    }
    return recalled_already(batch, records);
}

} // namespace

void recall_delivery_batch_add(struct mail_user *user, struct event *event,
                               const std::string &dict_uri,
                               const std::vector<recall::Delivery> &records)
{
    std::string error;
    Batch *batch = open_batch(dict_uri, user->set->base_dir, error);
    if (batch == nullptr) {
        e_error(event, "ledger unavailable, delivery not tracked: %s",
                error.c_str());
        return;
    }
    batch->storage = mail_storage_service_user_get_service_ctx(recall_service_user(user));
    batch->service = user->service;
    batch->writer_ids = recall_save_ids();
    if (!batch->spool->append(records, error) && !batch->spool_warned) {
        batch->spool_warned = true;
        e_warning(event, "delivery records kept in memory only until their "
                  "commit (a killed process loses them): %s", error.c_str());
    }
    batch->queued.insert(batch->queued.end(), records.begin(), records.end());
    if (recall_process_ends_after_client() && must_commit_before_reply(batch, records))
        flush_now_bounded(batch);
    else if (batch->queued.size() >= kFlushRecords && !batch->retrying)
        flush(batch);
    else if (batch->to_flush == nullptr)
        batch->to_flush =
            timeout_add_to(io_loop_get_root(), recall::kGroupCommitMsecs, flush, batch);
}

void recall_delivery_batch_deinit(void)
{
    for (std::unique_ptr<Batch> &batch : batches) {
        batch->storage = nullptr;
        flush_and_wait(batch.get());
        close_batch(batch);
    }
    batches.clear();
    if (batch_event != nullptr)
        event_unref(&batch_event);
}

unsigned int recall_delivery_batch_replay(struct mail_storage_service_ctx *storage,
                                          const char *service, const char *base_dir,
                                          const std::string &dict_uri) noexcept
{
    std::string error;
    Batch *batch = open_batch(dict_uri, base_dir, error);
    if (batch == nullptr) {
        e_error(log_event(), "spool not replayed: %s", error.c_str());
        return 0;
    }
    batch->storage = storage;
    batch->service = service;
    adopt_orphans(batch);
    unsigned int replayed = batch->queued.size();
    flush_and_wait(batch);
    return replayed;
}
