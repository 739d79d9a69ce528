#include "recall-access-hook.h"
#include "recall-ledger-dict.h"
#include "recall-plugin.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
}

namespace {

struct recall_mail {
    union mail_module_context module_ctx;
};

MODULE_CONTEXT_DEFINE_INIT(recall_mail_module, &mail_module_register);

/* Why Dovecot opened the message's stream. Header-only fetches, SEARCH,
   indexing, Sieve and delivery open it with other reasons, and "prefetch"
   or "access" come before the real reason of a body fetch. */
bool is_download(const char *reason)
{
    static const char *const downloads[] = {"full mail", "mail body",     "MIME part",
                                            "binary stream", "RETR",      "TOP"};
    if (reason == NULL)
        return false;
    for (const char *download : downloads) {
        if (strcmp(reason, download) == 0)
            return true;
    }
    return false;
}

/* Cheap checks first: the fetch path gets no synchronous ledger access. */
void note_download(struct mail *mail)
{
    struct mail_user *user = mail->box->storage->user;
    recall_user_state &state = *recall_user_get(user)->state;
    time_t received;
    const char *guid, *error;
    if (mail_get_received_date(mail, &received) < 0 ||
        ioloop_time - received > state.settings.window_secs ||
        mail_get_special(mail, MAIL_FETCH_GUID, &guid) < 0 || *guid == '\0' ||
        !state.downloaded.insert(guid).second)
        return;
    struct dict *dict = recall_user_dict(user, recall_user_get(user), &error);
    if (dict == NULL) {
        e_error(user->event, "recall: download of %s not recorded: %s", guid, error);
        return;
    }
    DictLedger(dict).mark_fetched_async(
        user->username, guid,
        ioloop_time + state.settings.window_secs + state.settings.retention_secs);
}

int recall_get_stream(struct mail *_mail, bool get_body, struct message_size *hdr_size,
                      struct message_size *body_size, struct istream **stream_r)
{
    struct mail_private *mail = (struct mail_private *)_mail;
    auto *rmail = (struct recall_mail *)MODULE_CONTEXT(mail, recall_mail_module);
    if (rmail->module_ctx.super.get_stream(_mail, get_body, hdr_size, body_size, stream_r) < 0)
        return -1;
    if (is_download(mail->get_stream_reason))
        note_download(_mail);
    return 0;
}

} // namespace

void recall_access_mail_allocated(struct mail *_mail)
{
    struct recall_user *ruser = recall_user_get(_mail->box->storage->user);
    if (ruser == NULL || !ruser->state->tracks_downloads ||
        mailbox_get_namespace(_mail->box)->type != MAIL_NAMESPACE_TYPE_PRIVATE)
        return;
    struct mail_private *mail = (struct mail_private *)_mail;
    struct mail_vfuncs *v = mail->vlast;
    struct recall_mail *rmail = p_new(mail->pool, struct recall_mail, 1);
    rmail->module_ctx.super = *v;
    mail->vlast = &rmail->module_ctx.super;
    v->get_stream = recall_get_stream;
    MODULE_CONTEXT_SET_SELF(mail, recall_mail_module, rmail);
}
