#include "recall-access-hook.h"
#include "recall-acl.h"
#include "recall-fetched-mark.h"
#include "recall-ledger-dict.h"
#include "recall-user.h"
#include "recall-vfuncs.h"

#include <algorithm>

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

struct recall_copies_box {
    union mailbox_module_context module_ctx;
};

MODULE_CONTEXT_DEFINE_INIT(recall_mail_module, &mail_module_register);
MODULE_CONTEXT_DEFINE_INIT(recall_copies_module, &mail_storage_module_register);

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

/* Marks the owner's copy of mail, written by the acting user's process.
   Cheap checks first: only copies still inside the longest window any
   sender has can matter (the sender's window decides, and it is unknown
   here), each once per session. A download by the owner is marked in the
   copy's own index record (recall-fetched-mark.h) before the content goes
   out; the ledger gets the other marks, and a download whose mailbox
   cannot keep its mark: those of one ioloop pass (a FETCH of many
   messages) in one transaction, and nothing waits for the ledger. */
void mark_copy(struct mail *mail, struct mail_user *actor, DictLedger::Mark mark,
               const char *owner)
{
    recall_user_state &state = *recall_user_get(actor)->state;
    time_t received;
    const char *guid;
    if (mail_get_received_date(mail, &received) < 0 ||
        ioloop_time - received >
            std::max(state.settings.window_secs, state.settings.longest_window_secs) ||
        mail_get_special(mail, MAIL_FETCH_GUID, &guid) < 0 || *guid == '\0' ||
        !state.access.marked.insert(std::to_string((int)mark) + owner + "/" + guid).second)
        return;
    if (mark == DictLedger::Mark::Fetched && recall_fetched_mark_set(mail))
        return;
    state.access.pending_marks.push_back(
        {mark, owner, guid,
         ioloop_time + recall::record_lifetime(state.settings)});
    if (state.access.marks_flush == nullptr)
        state.access.marks_flush = timeout_add_short(0, recall_access_flush, actor);
}

bool opened_by_another_user(struct mail_namespace *ns)
{
    return ns->type == MAIL_NAMESPACE_TYPE_SHARED && ns->owner != NULL && ns->owner != ns->user;
}

/* The copy's owner and whether the acting user is someone else. */
void mark_download(struct mail *mail)
{
    struct mail_namespace *ns = mailbox_get_namespace(mail->box);
    if (opened_by_another_user(ns))
        mark_copy(mail, ns->user, DictLedger::Mark::Shared, ns->owner->username);
    else
        mark_copy(mail, ns->user, DictLedger::Mark::Fetched, ns->user->username);
}

int recall_get_stream(struct mail *_mail, bool get_body, struct message_size *hdr_size,
                      struct message_size *body_size, struct istream **stream_r) noexcept
{
    struct mail_private *mail = (struct mail_private *)_mail;
    auto *rmail = (struct recall_mail *)MODULE_CONTEXT(mail, recall_mail_module);
    if (rmail->module_ctx.super.get_stream(_mail, get_body, hdr_size, body_size, stream_r) < 0)
        return -1;
    if (is_download(mail->get_stream_reason))
        mark_download(_mail);
    return 0;
}

/* FETCH PREVIEW (RFC 8970) and SNIPPET hand out body text, often from the
   cache without opening the stream: a download too (rule 5). */
int recall_get_special(struct mail *_mail, enum mail_fetch_field field,
                       const char **value_r) noexcept
{
    struct mail_private *mail = (struct mail_private *)_mail;
    auto *rmail = (struct recall_mail *)MODULE_CONTEXT(mail, recall_mail_module);
    if (rmail->module_ctx.super.get_special(_mail, field, value_r) < 0)
        return -1;
    if (field == MAIL_FETCH_BODY_SNIPPET)
        mark_download(_mail);
    return 0;
}

/* A copy (COPY, MOVE) of a downloaded instance is downloaded too; a copy
   of a recent message into a shared mailbox shares the original. */
void copy_noted(struct mail *src, struct mail *dst)
{
    struct mail_namespace *src_ns = mailbox_get_namespace(src->box);
    if (src_ns->type != MAIL_NAMESPACE_TYPE_PRIVATE || recall_user_get(src_ns->user) == NULL)
        return;
    recall_fetched_mark_copy(src, dst);
    if (mailbox_get_namespace(dst->box)->type != MAIL_NAMESPACE_TYPE_PRIVATE ||
        recall_mailbox_shared_by_acl(dst->box) == 1)
        mark_copy(src, src_ns->user, DictLedger::Mark::Shared, src_ns->user->username);
}

/* Every copy into this mailbox: COPY and MOVE, and a save that copies an
   existing mail (dsync, doveadm import), whose new instance is the same
   message too. Dovecot always gives the save a dest_mail. */
int watched_copy(struct mail_save_context *ctx, struct mail *mail) noexcept
{
    auto *rbox = (struct recall_copies_box *)MODULE_CONTEXT(ctx->transaction->box,
                                                             recall_copies_module);
    int ret = rbox->module_ctx.super.copy(ctx, mail);
    if (ret == 0)
        copy_noted(mail, ctx->dest_mail);
    return ret;
}

} // namespace

void recall_access_flush(struct mail_user *user) noexcept
{
    struct recall_user *ruser = recall_user_get(user);
    recall_user_state &state = *ruser->state;
    if (state.access.marks_flush != nullptr)
        timeout_remove(&state.access.marks_flush);
    if (state.access.pending_marks.empty())
        return;
    const char *error;
    struct dict *dict = recall_user_dict(user, ruser, &error);
    if (dict == NULL)
        e_error(recall_user_event(user), "%zu downloads or shares not recorded: %s",
                state.access.pending_marks.size(), error);
    else
        DictLedger(dict, state.event, state.listing_fs).mark_async(state.access.pending_marks);
    state.access.pending_marks.clear();
}

void recall_access_mail_allocated(struct mail *_mail) noexcept
{
    struct mail_namespace *ns = mailbox_get_namespace(_mail->box);
    struct recall_user *ruser = recall_user_get(ns->user);
    if (ruser == NULL ||
        !(opened_by_another_user(ns) ||
          (ns->type == MAIL_NAMESPACE_TYPE_PRIVATE && ruser->state->access.tracks_downloads)))
        return;
    struct mail_private *mail = (struct mail_private *)_mail;
    struct recall_mail *rmail;
    struct mail_vfuncs *v = recall_override_vfuncs(mail, rmail);
    v->get_stream = recall_get_stream;
    v->get_special = recall_get_special;
    MODULE_CONTEXT_SET_SELF(mail, recall_mail_module, rmail);
}

void recall_access_mailbox_allocated(struct mailbox *box) noexcept
{
    if ((box->flags & MAILBOX_FLAG_POST_SESSION) != 0 ||
        recall_user_get(box->storage->user) == NULL)
        return;
    struct recall_copies_box *rbox;
    struct mailbox_vfuncs *v = recall_override_vfuncs(box, rbox);
    v->copy = watched_copy;
    MODULE_CONTEXT_SET_SELF(box, recall_copies_module, rbox);
}
