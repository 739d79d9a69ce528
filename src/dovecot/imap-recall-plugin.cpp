/* lib95_imap_recall_plugin ("imap_recall"): the XRECALL command and its
   capability (SPEC section 3). */
#include "imap-recall-args.h"
#include "recall-boundary.h"
#include "recall-mail-transaction.h"
#include "recall-plugin-api.h"

extern "C" {
#include "imap-common.h"
#include "imap-commands.h"
#include "imap-quote.h"
#include "mail-storage.h"
#include "str.h"

RECALL_EXPORT const char *imap_recall_plugin_version = DOVECOT_ABI_VERSION;
RECALL_EXPORT const char *imap_recall_plugin_dependencies[] = {"recall", NULL};
RECALL_EXPORT void imap_recall_plugin_init(struct module *module) noexcept;
RECALL_EXPORT void imap_recall_plugin_deinit(void) noexcept;
}

extern "C" RECALL_EXPORT const char imap_recall_plugin_binary_dependency[] = "imap";

#include "../core/recall-text.hpp"

#include <pwd.h>
#include <unistd.h>

namespace {

imap_client_created_func_t *next_client_created;

bool is_webmail_session(struct client *client, struct recall_user **ruser_r)
{
    *ruser_r = recall_plugin_api.user_get(client->user);
    return *ruser_r != NULL &&
           recall_plugin_api.user_is_webmail(*ruser_r, client->user->conn.remote_ip);
}

/* An IMAP process runs as its user's uid for good, so it reaches other
   users' mail only when they share that uid (virtual users). A system
   user (the username is a system account that owns the uid) has its own,
   and so does everyone else: recall is then doveadm's (root). */
bool reaches_other_users(struct mail_user *user)
{
    if (getuid() == 0)
        return true;
    struct passwd *pw = getpwnam(user->username);
    if (pw == NULL || pw->pw_uid != user->uid)
        return true;
    e_info(recall_plugin_api.user_event(user),
           "XRECALL not offered: %s is a system user with a uid of its "
           "own, and an IMAP process cannot open other users' mail; recall as root with "
           "'doveadm recall run -u %s <message-id>' or doveadm's HTTP API (recallRun)",
           user->username, user->username);
    return false;
}

void client_created(struct client **clientp) noexcept
{
    struct recall_user *ruser;
    if (is_webmail_session(*clientp, &ruser) && reaches_other_users((*clientp)->user))
        client_add_capability(*clientp, "XRECALL");
    if (next_client_created != NULL)
        next_client_created(clientp);
}

const char *refusal_text(recall::Refusal refusal, const recall::Settings &settings)
{
    switch (refusal) {
    case recall::Refusal::Expired: return "The time to recall this message has passed.";
    case recall::Refusal::Upgrade:
        return settings.upgrade_url.empty()
                   ? "Recall needs a paid plan."
                   : t_strconcat("Recall needs a paid plan: ", settings.upgrade_url.c_str(), NULL);
    case recall::Refusal::PersonalAccount: return "Recall is not available for personal accounts.";
    case recall::Refusal::WebmailOnly: return "Recall is available from webmail only.";
    case recall::Refusal::NotSent: return "No tracked delivery of this message from you.";
    default: return "Recall is unavailable now, try again later.";
    }
}

void send_refusal(struct client_command_context *cmd, recall::Refusal refusal,
                  const recall::Settings *settings)
{
    static const recall::Settings defaults;
    client_send_tagline(cmd,
                        t_strdup_printf("NO [%s] %s", recall::refusal_code(refusal),
                                        refusal_text(refusal, settings ? *settings : defaults)));
}

void send_outcome(struct client_command_context *cmd, uint32_t uid, bool check_only,
                  const recall::Outcome &outcome)
{
    for (const recall::Row &row : outcome.rows) {
        string_t *line = t_str_new(128);
        str_printfa(line, "* XRECALL %u RECIPIENT ", uid);
        imap_append_string(line, recall::sanitize_line(row.address).c_str());
        str_printfa(line, " %s", recall::state_name(row.state));
        client_send_line(cmd->client, str_c(line));
    }
    client_send_line(cmd->client,
                     t_strdup_printf("* XRECALL %u RESULT %s INTERNAL %u RECALLED %u EXPIRES %lld",
                                     uid, recall::result_name(outcome.result), outcome.internal,
                                     outcome.recalled, (long long)outcome.expires_in));
    if (check_only)
        client_send_tagline(cmd, "OK XRECALL CHECK completed");
    else if (outcome.result == recall::Result::Complete)
        client_send_tagline(cmd, "OK [RECALL-COMPLETE] Recall completed.");
    else if (outcome.result == recall::Result::Partial)
        client_send_tagline(cmd, "OK [RECALL-PARTIAL] Recall partially completed.");
    else
        client_send_tagline(cmd, "NO [RECALL-FAILURE] No copy could be recalled.");
}

/* The named message of the selected mailbox, or a reply sent and false. */
bool select_message(struct client_command_context *cmd, uint32_t number, struct mail *mail)
{
    if (cmd->uid ? mail_set_uid(mail, number)
                 : (number <= cmd->client->messages_count && (mail_set_seq(mail, number), true)))
        return true;
    if (cmd->uid)
        client_send_tagline(cmd, "NO [NONEXISTENT] No such message.");
    else
        client_send_command_error(cmd, "Invalid message sequence number.");
    return false;
}

void run_request(struct client_command_context *cmd, struct recall_user *ruser, bool check_only,
                 struct mail *mail)
{
    struct recall_sender_copy copy;
    if (recall_plugin_api.sender_copy_read(mail, copy) < 0) {
        client_send_tagline(cmd, mail->expunged ? "NO [NONEXISTENT] No such message."
                                                : "NO [UNAVAILABLE] Cannot read the message.");
        return;
    }
    const recall::Settings &settings = recall_plugin_api.user_settings(ruser);
    if (copy.message_id.empty()) {
        send_refusal(cmd, recall::Refusal::NotSent, &settings);
        return;
    }
    recall::Request request{settings.address, settings.org, copy.message_id, copy.recipients,
                            check_only};
    recall::Outcome outcome = recall_plugin_api.execute(cmd->client->user, ruser, request, mail);
    if (outcome.refusal != recall::Refusal::None)
        send_refusal(cmd, outcome.refusal, &settings);
    else
        send_outcome(cmd, mail->uid, check_only, outcome);
}

bool cmd_xrecall(struct client_command_context *cmd) noexcept
{
    const struct imap_arg *args;
    struct imap_recall_args request;
    if (!client_read_args(cmd, 0, 0, &args))
        return false;
    if (!imap_recall_args_parse(args, &request)) {
        client_send_command_error(cmd, "Usage: [UID] XRECALL [CHECK] <one message number>");
        return true;
    }
    if (!client_verify_open_mailbox(cmd))
        return true;

    struct recall_user *ruser;
    if (!is_webmail_session(cmd->client, &ruser)) {
        send_refusal(
            cmd, ruser == NULL ? recall::Refusal::ServerUnavailable : recall::Refusal::WebmailOnly,
            NULL);
        return true;
    }
    if (!reaches_other_users(cmd->client->user)) {
        send_refusal(cmd, recall::Refusal::ServerUnavailable, NULL);
        return true;
    }
    recall::Refusal refusal = recall::admission(recall_plugin_api.user_settings(ruser),
                                                  recall::Client::Webmail);
    if (refusal != recall::Refusal::None) {
        send_refusal(cmd, refusal, &recall_plugin_api.user_settings(ruser));
        return true;
    }
    MailTransaction t(cmd->client->mailbox, (enum mailbox_transaction_flags)0,
                      (enum mail_fetch_field)0, "XRECALL");
    if (select_message(cmd, request.number, t.mail()))
        run_request(cmd, ruser, request.check_only, t.mail());
    (void)t.commit();
    return true;
}

} // namespace

void imap_recall_plugin_init(struct module *) noexcept
{
    recall_boundary_init();
    command_register("XRECALL", cmd_xrecall, COMMAND_FLAG_USES_SEQS);
    command_register("UID XRECALL", cmd_xrecall, COMMAND_FLAG_BREAKS_SEQS);
    next_client_created = imap_client_created_hook_set(client_created);
}

void imap_recall_plugin_deinit(void) noexcept
{
    command_unregister("XRECALL");
    command_unregister("UID XRECALL");
    imap_client_created_hook_set(next_client_created);
    recall_boundary_deinit();
}
