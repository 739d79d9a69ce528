/* One check or recall for a user: the engine wired to the dict ledger and
   to the recipients' storage, then the sender's side of a recall. */
#include "recall-execute.h"
#include "recall-clock.h"
#include "recall-dovecot-compat.h"
#include "recall-ledger-dict.h"
#include "recall-mail-transaction.h"
#include "recall-messages.h"
#include "recall-remote-mailbox.h"
#include "recall-user.h"

#include <algorithm>
#include <functional>

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "file-lock.h"
#include "time-util.h"
#include "mail-storage.h"
#include "net.h"
#include "str.h"
}

namespace {

/* How long a recall waits for another recall of the same user. */
constexpr unsigned int kLockSecs = 60;

/* Where the request came from, "" for none (doveadm's CLI). */
const char *client_address(struct mail_user *user)
{
    const struct ip_addr *ip = recall_user_remote_ip(user);
    return ip != NULL ? net_ip2addr(ip) : "";
}

/* $Recalled on the sender's copy after a recall, off again after a restore. */
void tag_sender_copy(struct mail *mail, enum modify_type how)
{
    static const char *const keywords[] = {"$Recalled", NULL};
    MailTransaction t(mail->box, (enum mailbox_transaction_flags)0);
    struct mail_keywords *kw = mailbox_keywords_create_valid(mail->box, keywords);
    if (mail_set_uid(t.mail(), mail->uid))
        mail_update_keywords(t.mail(), how, kw);
    mailbox_keywords_unref(&kw);
    if (t.commit() < 0)
        e_error(recall_user_event(mailbox_get_namespace(mail->box)->user),
                "cannot tag the sender's copy: %s",
                mailbox_get_last_internal_error(mail->box, NULL));
}

/* The audit trail: one named event per request, with what an admin needs
   to answer "who recalled what, from where, with what result", also as
   Dovecot metrics (metric { filter = event=recall_finished }). */
void emit_audit_event(struct mail_user *user, const char *name, const char *what,
                      const recall::Request &request, const recall::Outcome &outcome)
{
    struct event *event = event_create(recall_user_event(user));
    event_set_name(event, name);
    event_add_str(event, "sender", request.sender.c_str());
    event_add_str(event, "message_id", request.message_id.c_str());
    event_add_str(event, "interface", user->service);
    event_add_str(event, "client_ip", client_address(user));
    const char *result = outcome.refusal != recall::Refusal::None
                             ? recall::refusal_code(outcome.refusal)
                             : recall::result_name(outcome.result);
    event_add_str(event, "result", result);
    event_add_int(event, "internal", outcome.internal);
    event_add_int(event, "recalled", outcome.recalled);
    event_add_int(event, "restored", outcome.restored);
    static const recall::State counted[] = {
        recall::State::Recallable, recall::State::Fetched, recall::State::Shared,
        recall::State::Read,       recall::State::Deleted, recall::State::External,
        recall::State::NotDelivered, recall::State::Protected, recall::State::Restored,
        recall::State::Failed};
    for (recall::State state : counted) {
        unsigned int n = 0;
        for (const recall::Row &row : outcome.rows)
            n += row.state == state;
        /* NOT-DELIVERED becomes the field not_delivered. */
        std::string field = t_str_lcase(recall::state_name(state));
        std::replace(field.begin(), field.end(), '-', '_');
        event_add_int(event, field.c_str(), n);
    }
    const bool restore = strcmp(what, "restore") == 0;
    e_info(event, "%s of %s by %s: %s (%u internal, %u %s)", what,
           request.message_id.c_str(), request.sender.c_str(), result, outcome.internal,
           restore ? outcome.restored : outcome.recalled, restore ? "restored" : "recalled");
    event_unref(&event);
}

void log_failures(struct mail_user *user, const recall::Request &request,
                  const recall::Outcome &outcome)
{
    for (const recall::Row &row : outcome.rows) {
        if (!row.reason.empty())
            e_error(recall_user_event(user), "%s %s: %s", request.message_id.c_str(),
                    row.address.c_str(), row.reason.c_str());
    }
}

/* The history entry of a recall or restore (a check leaves none): kept as
   long as the records it is about. */
void add_history(struct mail_user *user, DictLedger &ledger, const char *action,
                 const recall::Request &request, const recall::Outcome &outcome,
                 const recall::Settings &settings)
{
    const char *client = client_address(user);
    std::string error;
    int64_t lifetime = std::max(recall::record_lifetime(settings), settings.hold_secs);
    /* The clock now, not the ioloop's: two requests of one second keep
       their order. */
    struct timeval now;
    i_gettimeofday(&now);
    int64_t now_usecs = (int64_t)now.tv_sec * 1000000 + now.tv_usec;
    if (!ledger.add_history(
            recall::history_entry(action, request, outcome, client, now_usecs, lifetime), error))
        e_error(recall_user_event(user), "history entry not written: %s", error.c_str());
}

/* The kinds of request, by what they need around the engine. */
enum class Work {
    Check,   /* the ledger */
    Recall,  /* and the user's recall lock, and the templates (it writes messages) */
    Restore, /* and the lock, but no templates: it writes no message */
};

recall::Outcome
with_engine(struct mail_user *user, struct recall_user *ruser, Work work,
            const std::function<recall::Outcome(recall::Engine &, DictLedger &)> &fn)
{
    const bool writes = work != Work::Check, messages = work == Work::Recall;
    static const recall_templates no_messages;
    recall::Outcome outcome;
    const recall::Settings &settings = ruser->state->settings;
    const char *dict_error;
    struct dict *dict = recall_user_dict(user, ruser, &dict_error);
    const recall_templates *templates =
        !messages || dict == NULL ? &no_messages : recall_user_templates(ruser, outcome.error);
    if (dict == NULL || templates == NULL) {
        if (dict == NULL)
            outcome.error = dict_error;
        outcome.refusal = recall::Refusal::ServerUnavailable;
        return outcome;
    }
    /* One recall or restore of a user's at a time (webmail and doveadm
       alike): a second one of the same message then finds every copy done. */
    struct file_lock *lock = NULL;
    const char *lock_error = "timed out";
    if (writes && mail_user_lock_file_create(user, "dovecot-recall.lock", kLockSecs, &lock,
                                             &lock_error) <= 0) {
        outcome.refusal = recall::Refusal::ServerUnavailable;
        outcome.error = std::string("cannot lock: ") + lock_error;
        return outcome;
    }
    DictLedger ledger(dict, ruser->state->event, ruser->state->listing_fs);
    BackendMailboxAccess mailboxes(user, *templates, settings.host,
                                ruser->state->host_password);
    IoloopClock clock;
    recall::Engine engine(ledger, mailboxes, clock, settings);
    outcome = fn(engine, ledger);
    if (lock != NULL)
        file_lock_free(&lock);
    return outcome;
}

void log_outcome(struct mail_user *user, const char *event_name, const char *what,
                 const recall::Request &request, const recall::Outcome &outcome)
{
    emit_audit_event(user, event_name, what, request, outcome);
    /* The one line for every ServerUnavailable: the ledger, the lock or a
       template, as outcome.error names it. */
    if (outcome.refusal == recall::Refusal::ServerUnavailable)
        e_error(recall_user_event(user), "%s not run: %s", what, outcome.error.c_str());
    log_failures(user, request, outcome);
    for (const std::string &why : outcome.ignored)
        e_warning(recall_user_event(user), "%s: ledger record ignored: %s",
                  request.message_id.c_str(), why.c_str());
}

} // namespace

recall::Outcome recall_execute(struct mail_user *user, struct recall_user *ruser,
                               const recall::Request &request, struct mail *sent_mail) noexcept
{
    const recall::Settings &settings = ruser->state->settings;
    recall::Outcome outcome = with_engine(
        user, ruser, request.check_only ? Work::Check : Work::Recall,
        [&](recall::Engine &engine, DictLedger &ledger) {
            recall::Outcome done = engine.run(request);
            if (!request.check_only && done.refusal != recall::Refusal::ServerUnavailable)
                add_history(user, ledger, "recall", request, done, settings);
            return done;
        });
    if (request.check_only)
        log_outcome(user, "recall_checked", "check", request, outcome);
    else
        log_outcome(user, "recall_finished", "recall", request, outcome);
    if (request.check_only || !outcome.recalled_now)
        return outcome;

    if (sent_mail != NULL)
        tag_sender_copy(sent_mail, MODIFY_ADD);
    std::string error;
    const recall_templates *templates = recall_user_templates(ruser, error);
    if (settings.report &&
        (templates == NULL ||
         !recall_save_message(user, "INBOX",
                              recall_build_report(settings, request, outcome, *templates), error)))
        e_error(recall_user_event(user), "report not saved: %s", error.c_str());
    return outcome;
}

recall::Outcome recall_restore_execute(struct mail_user *user, struct recall_user *ruser,
                                       const recall::Request &request,
                                       struct mail *sent_mail) noexcept
{
    const recall::Settings &settings = ruser->state->settings;
    /* A restore writes no message: a bad notice template is no reason to
       keep held copies from their recipients. */
    recall::Outcome outcome =
        with_engine(user, ruser, Work::Restore, [&](recall::Engine &engine, DictLedger &ledger) {
            recall::Outcome done = engine.restore(request);
            if (done.refusal != recall::Refusal::ServerUnavailable)
                add_history(user, ledger, "restore", request, done, settings);
            return done;
        });
    log_outcome(user, "recall_restored", "restore", request, outcome);
    if (outcome.restored > 0 && sent_mail != NULL)
        tag_sender_copy(sent_mail, MODIFY_REMOVE);
    return outcome;
}
