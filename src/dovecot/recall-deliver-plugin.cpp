/* lib91_recall_deliver_plugin ("recall_deliver", lmtp and lda only): hands
   the SMTP envelope and the message's Message-ID and Subject to the recall
   plugin before the copy is saved. The envelope is the only trustworthy
   sender: a Return-Path header in the message could be forged. */
#include "recall-boundary.h"
#include "recall-ledger-schema.h"
#include "recall-plugin-api.h"

extern "C" {
#include "lib.h"
#include "module-dir.h"
#include "mail-deliver.h"
#include "mail-storage-private.h"
#include "mail-user.h"
#include "smtp-address.h"

RECALL_EXPORT const char *recall_deliver_plugin_version = DOVECOT_ABI_VERSION;
RECALL_EXPORT const char *recall_deliver_plugin_dependencies[] = {"recall", NULL};
RECALL_EXPORT void recall_deliver_plugin_init(struct module *module) noexcept;
RECALL_EXPORT void recall_deliver_plugin_deinit(void) noexcept;
}

extern "C" RECALL_EXPORT const char recall_deliver_plugin_binary_dependency[] = "lda lmtp";

#include "../core/recall-text.hpp"

static deliver_mail_func_t *next_deliver_mail;

static std::string address_text(const struct smtp_address *address)
{
    const char *text = address == NULL ? NULL : smtp_address_encode(address);
    return text == NULL ? "" : text;
}

/* What the message says: the same for every recipient of a transaction. */
struct message_fields {
    const struct mail_deliver_session *session = NULL;
    std::string message_id, subject, digest;
};

/* The last transaction's, taken from its incoming mail. LMTP hands the
   later recipients of a transaction the first one's saved copy instead,
   whose digest would be read again from its file. Every delivery of the
   process passes this hook, and a transaction's first delivery reads the
   incoming mail, so a saved copy under the session recorded here is one
   of that same transaction. */
static message_fields last_message;

static bool is_incoming_mail(struct mail *mail)
{
    return strcmp(mailbox_get_storage(mail->box)->name, "raw") == 0;
}

static message_fields message_fields_of(struct mail *mail)
{
    message_fields fields;
    const char *message_id, *subject;
    if (mail_get_first_header(mail, "Message-ID", &message_id) >= 0)
        fields.message_id = recall_plugin_api.normalize_message_id(message_id);
    if (mail_get_first_header_utf8(mail, "Subject", &subject) > 0)
        fields.subject = recall::sanitize_line(subject);
    if (!fields.message_id.empty())
        fields.digest = recall_plugin_api.content_digest(mail);
    return fields;
}

static const message_fields &transaction_message(struct mail_deliver_context *ctx,
                                                 message_fields &own)
{
    if (is_incoming_mail(ctx->src_mail)) {
        last_message = message_fields_of(ctx->src_mail);
        last_message.session = ctx->session;
        return last_message;
    }
    if (ctx->session != NULL && ctx->session == last_message.session)
        return last_message;
    own = message_fields_of(ctx->src_mail);
    return own;
}

static recall_envelope envelope_of(struct mail_deliver_context *ctx)
{
    recall_envelope envelope;
    envelope.sender = address_text(ctx->mail_from);
    envelope.recipient = address_text(
        ctx->rcpt_params.orcpt.addr != NULL ? ctx->rcpt_params.orcpt.addr : ctx->rcpt_to);
    message_fields own;
    const message_fields &message = transaction_message(ctx, own);
    envelope.message_id = message.message_id;
    envelope.subject = message.subject;
    envelope.digest = message.digest;
    return envelope;
}

static int recall_deliver_mail(struct mail_deliver_context *ctx,
                               struct mail_storage **storage_r) noexcept
{
    /* Deliveries are the ledger's first users after a restart. */
    recall_ledger_schema_ensure(recall_plugin_api.user_sqlite_ledger(ctx->rcpt_user),
                                recall_plugin_api.user_event(ctx->rcpt_user));
    recall_plugin_api.user_set_envelope(ctx->rcpt_user, envelope_of(ctx));
    /* 0 = not handled: mail_deliver() then saves to the default mailbox. */
    return next_deliver_mail != NULL ? next_deliver_mail(ctx, storage_r) : 0;
}

void recall_deliver_plugin_init(struct module *) noexcept
{
    recall_boundary_init();
    next_deliver_mail = mail_deliver_hook_set(recall_deliver_mail);
}

void recall_deliver_plugin_deinit(void) noexcept
{
    mail_deliver_hook_set(next_deliver_mail);
    recall_boundary_deinit();
}
