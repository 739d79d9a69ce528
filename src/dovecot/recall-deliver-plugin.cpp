/* lib91_recall_deliver_plugin ("recall_deliver", lmtp and lda only): hands
   the SMTP envelope to the recall plugin before the copy is saved. The
   envelope is the only trustworthy sender: a Return-Path header in the
   message could be forged. */
#include "recall-plugin.h"

extern "C" {
#include "lib.h"
#include "module-dir.h"
#include "mail-deliver.h"
#include "mail-user.h"
#include "smtp-address.h"

const char *recall_deliver_plugin_version = DOVECOT_ABI_VERSION;
const char *recall_deliver_plugin_dependencies[] = {"recall", NULL};
void recall_deliver_plugin_init(struct module *module);
void recall_deliver_plugin_deinit(void);
}

extern "C" const char recall_deliver_plugin_binary_dependency[] = "lda lmtp";

static deliver_mail_func_t *next_deliver_mail;

static int recall_deliver_mail(struct mail_deliver_context *ctx, struct mail_storage **storage_r)
{
    const char *sender = smtp_address_encode(ctx->mail_from);
    const char *rcpt = smtp_address_encode(
        ctx->rcpt_params.orcpt.addr != NULL ? ctx->rcpt_params.orcpt.addr : ctx->rcpt_to);
    recall_user_set_envelope(ctx->rcpt_user, sender != NULL ? sender : "",
                             rcpt != NULL ? rcpt : ctx->rcpt_user->username);
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
