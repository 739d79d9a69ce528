/* The ledger of deliveries (SPEC section 7) in a Dovecot dict: the
   engine's Ledger port, and what lmtp, the access marks, the hold and
   doveadm keep in it; its keys: recall-ledger-layout.h. Every read lists
   one level only: Dovecot's fs dict cannot recurse. An fs ledger
   (fs:DRIVER:ARGS) is listed through lib-fs itself: the fs dict of
   Dovecot 2.3 restarts a listing at its end instead of ending it, and
   recurses without end on a missing or empty directory. */
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "../core/recall-history.hpp"
#include "../core/recall-ports.hpp"
#include "recall-ledger-layout.h"

struct dict;
struct dict_commit_result;
struct event;
struct fs;

class DictLedger : public recall::Ledger {
public:
    /* event: where the ledger logs (recall-log.h); listing_fs: from
       recall_ledger_open(), or NULL. */
    DictLedger(struct dict *dict, struct event *event, struct fs *listing_fs = NULL)
        : dict_(dict), event_(event), listing_fs_(listing_fs) {}

    recall::LookupStatus deliveries(const std::string &sender, const std::string &message_id,
                                    std::vector<recall::Delivery> &out,
                                    std::string &error) override;
    bool store(const std::vector<recall::Delivery> &deliveries, std::string &error) override;
    /* All lookups are sent at once, then answered together. */
    bool marks(const std::vector<recall::Delivery> &copies, std::vector<recall::CopyMarks> &out,
               std::string &error) override;
    bool mark_recalled(const std::string &sender, const std::string &message_id,
                       const recall::RecallMarker &marker, std::string &error) override;
    bool unmark_recalled(const std::string &sender, const std::string &message_id,
                         std::string &error) override;
    /* Sleeps for the time of one group commit of the lmtp processes. */
    void await_recent_deliveries() override;
    /* Where an asynchronous answer logs a failed lookup: the asker's
       event, referenced for as long as the answer lives (it may outlive
       its asker). */
    class AnswerLog {
    public:
        AnswerLog() = default;
        AnswerLog(const AnswerLog &) = delete;
        AnswerLog &operator=(const AnswerLog &) = delete;
        ~AnswerLog();
        void set(struct event *event);
        struct event *event() const { return event_; }

    private:
        struct event *event_ = nullptr;
    };
    /* The answer to recalled_async(). It may come after its asker is gone:
       then the asker sets orphaned and the callback frees it. */
    struct RecalledAnswer {
        AnswerLog log;
        bool answered = false;
        bool recalled = false;
        /* The marker's rules; empty when it could not be read. */
        std::optional<recall::RecallMarker> marker;
        bool orphaned = false;
        /* Called when the answer came (not when orphaned). */
        std::function<void()> on_answer;
    };
    /* Asks whether the message was recalled, without waiting. */
    void recalled_async(const std::string &sender, const std::string &message_id,
                        RecalledAnswer *answer);

    /* The recall epoch: a new value in every transaction that writes or
       removes a recall marker, so that a process that listed the markers
       knows, by one lookup, when to list them again. */
    struct EpochAnswer {
        AnswerLog log;
        int ret = 0; /* 1 found, 0 none yet, -1 error */
        std::string value;
        std::function<void()> on_answer;
    };
    void recall_epoch_async(EpochAnswer *answer);
    /* Every recall marker's value by message key (recall_message_key()). */
    bool recall_markers(std::map<std::string, std::string> &out, std::string &error);

    /* Writes new deliveries and their expiry index in one transaction,
       without waiting: the delivery path never blocks on the ledger.
       callback(result, context) when it is committed; without one,
       failures are logged. */
    void store_all_async(const std::vector<recall::Delivery> &records,
                         void (*callback)(const struct dict_commit_result *, void *) = nullptr,
                         void *context = nullptr);
    enum class Mark { Fetched, Shared };
    struct CopyMark {
        Mark mark;
        std::string user; /* the copy's owner */
        std::string guid;
        int64_t expires_at;
    };
    /* Writes marks in one transaction, without waiting (fetch, copy paths). */
    void mark_async(const std::vector<CopyMark> &marks);
    /* Deletes records and history past their expiry (and unreadable
       ones); -1 on error. */
    int prune(int64_t now, unsigned int &pruned, std::string &error);

    /* A recipient with a copy in the hold, as the recall left it: the
       hold's end, and the entry's key to remove once it is purged. */
    struct HeldCopy {
        std::string key;
        std::string user;
        int64_t until;
    };
    bool held_copies(std::vector<HeldCopy> &out, std::string &error);
    bool forget_held(const std::vector<HeldCopy> &purged, std::string &error);

    bool add_history(const recall::HistoryEntry &entry, std::string &error);
    bool history(std::vector<recall::HistoryEntry> &out, std::string &error);

private:
    bool list(const std::string &path, std::vector<std::pair<std::string, std::string>> &out,
              std::string &error);
    bool list_fs(const std::string &path,
                 std::vector<std::pair<std::string, std::string>> &out, std::string &error);
    bool prune_message(const std::string &message, const std::string &bucket, int64_t now,
                       std::vector<std::string> &stale, bool &keep, std::string &error);
    bool prune_bucket(const std::string &bucket, int64_t now, unsigned int &pruned,
                      std::string &error);
    bool prune_history(int64_t now, std::string &error);
    bool stale_marks(const std::string &bucket, std::vector<std::string> &stale,
                     std::string &error);
    bool commit(struct dict_transaction_context *trans, std::string &error);

    struct dict *dict_;
    struct event *event_;
    struct fs *listing_fs_;
};
