/* lib91_recall_deliver_plugin ("recall_deliver", lmtp and lda only): hands
   the SMTP envelope and the message's Message-ID and Subject to the recall
   plugin before the copy is saved. The envelope is the only trustworthy
   sender: a Return-Path header in the message could be forged. */
#include "recall-content-digest.h"
#include "recall-ledger-schema.h"
#include "recall-plugin.h"

extern "C" {
#include "lib.h"
#include "module-dir.h"
#include "mail-deliver.h"
#include "mail-storage.h"
#include "mail-user.h"
#include "smtp-address.h"

const char *recall_deliver_plugin_version = DOVECOT_ABI_VERSION;
const char *recall_deliver_plugin_dependencies[] = {"recall", NULL};
void recall_deliver_plugin_init(struct module *module);
void recall_deliver_plugin_deinit(void);
}

extern "C" const char recall_deliver_plugin_binary_dependency[] = "lda lmtp";

#include "../core/recall-text.hpp"

static deliver_mail_func_t *next_deliver_mail;

static std::string address_text(const struct smtp_address *address)
{
    const char *text = address == NULL ? NULL : smtp_address_encode(address);
    return text == NULL ? "" : text;
}

static recall_envelope envelope_of(struct mail_deliver_context *ctx)
{
    recall_envelope envelope;
    envelope.sender = address_text(ctx->mail_from);
    envelope.recipient = address_text(
        ctx->rcpt_params.orcpt.addr != NULL ? ctx->rcpt_params.orcpt.addr : ctx->rcpt_to);
    const char *message_id, *subject;
    /* The incoming mail: its headers are parsed once for all recipients. */
    if (mail_get_first_header(ctx->src_mail, "Message-ID", &message_id) >= 0)
        envelope.message_id = recall_normalize_message_id(message_id);
    if (mail_get_first_header_utf8(ctx->src_mail, "Subject", &subject) > 0)
        envelope.subject = recall::sanitize_line(subject);
    if (!envelope.message_id.empty())
        envelope.digest = recall_content_digest(ctx->src_mail);
    return envelope;
}

static int recall_deliver_mail(struct mail_deliver_context *ctx, struct mail_storage **storage_r)
{
    /* Deliveries are the ledger's first users after a restart. */
    recall_ledger_schema_ensure(mail_user_plugin_getenv(ctx->rcpt_user, "recall_sqlite_ledger"),
                                ctx->rcpt_user->event);
    recall_user_set_envelope(ctx->rcpt_user, envelope_of(ctx));
    /* 0 = not handled: mail_deliver() then saves to the default mailbox. */
    return next_deliver_mail != NULL ? next_deliver_mail(ctx, storage_r) : 0;
}

void recall_deliver_plugin_init(struct module *)
{
    next_deliver_mail = mail_deliver_hook_set(recall_deliver_mail);
}

void recall_deliver_plugin_deinit(void)
{
    mail_deliver_hook_set(next_deliver_mail);
}
