#include "recall-delivery-transaction.h"
#include "recall-user.h"
#include "recall-vfuncs.h"

#include <memory>

extern "C" {
#include "lib.h"
#include "guid.h"
#include "seq-range-array.h"
#include "mail-storage-private.h"
}

namespace {

struct recall_mailbox {
    union mailbox_module_context module_ctx;
};

/* A delivery transaction whose copies are recorded: new'd at its begin,
   deleted at its commit or rollback. */
struct recall_transaction {
    union mailbox_transaction_module_context module_ctx;
    struct recall_user *ruser;
    /* The GUIDs chosen or kept for its copies, in save order; fewer than
       the copies when a saver chose one itself (then read back later). */
    std::vector<std::string> guids;
};

MODULE_CONTEXT_DEFINE_INIT(recall_storage_module, &mail_storage_module_register);
#define RECALL_MAILBOX_CONTEXT(obj) \
    ((struct recall_mailbox *)MODULE_CONTEXT(obj, recall_storage_module))
#define RECALL_TRANSACTION_CONTEXT(obj) \
    ((struct recall_transaction *)MODULE_CONTEXT(obj, recall_storage_module))

/* Bounces (null sender) and messages without a Message-ID cannot be named
   by a recall. */
bool trackable(struct mail_user *user, const recall_envelope &envelope)
{
    if (!envelope.sender.empty() && !envelope.message_id.empty())
        return true;
    e_debug(recall_user_event(user), "delivery not tracked (no %s)",
            envelope.sender.empty() ? "envelope sender" : "Message-ID");
    return false;
}

struct mailbox_transaction_context *transaction_begin(struct mailbox *box,
                                                      enum mailbox_transaction_flags flags,
                                                      const char *reason) noexcept
{
    struct recall_mailbox *rbox = RECALL_MAILBOX_CONTEXT(box);
    struct recall_user *ruser = recall_user_get(box->storage->user);
    bool tracked = trackable(box->storage->user, ruser->state->delivery.envelope);
    /* The ledger names each copy by UID and GUID: UIDs assigned at
       commit, as LMTP does anyway when it delivers to several users. */
    if (tracked)
        flags = (enum mailbox_transaction_flags)(flags | MAILBOX_TRANSACTION_FLAG_ASSIGN_UIDS);
    struct mailbox_transaction_context *t =
        rbox->module_ctx.super.transaction_begin(box, flags, reason);
    if (tracked) {
        auto *rt = new recall_transaction{{}, ruser, {}};
        MODULE_CONTEXT_SET(t, recall_storage_module, rt);
    }
    return t;
}

int transaction_commit(struct mailbox_transaction_context *t,
                       struct mail_transaction_commit_changes *changes_r) noexcept
{
    struct mailbox *box = t->box;
    struct recall_mailbox *rbox = RECALL_MAILBOX_CONTEXT(box);
    std::unique_ptr<recall_transaction> rt(RECALL_TRANSACTION_CONTEXT(t));
    if (rt == nullptr)
        return rbox->module_ctx.super.transaction_commit(t, changes_r);
    /* The commit frees the transaction: rt is ours to delete. */
    if (rbox->module_ctx.super.transaction_commit(t, changes_r) < 0)
        return -1;
    recall_saved_copies saved{mailbox_get_vname(box), {}, std::move(rt->guids)};
    struct seq_range_iter iter;
    seq_range_array_iter_init(&iter, &changes_r->saved_uids);
    uint32_t uid;
    for (unsigned int i = 0; seq_range_array_iter_nth(&iter, i, &uid); i++)
        saved.uids.push_back(uid);
    if (!saved.uids.empty())
        rt->ruser->state->delivery.delivered.push_back(std::move(saved));
    return 0;
}

void transaction_rollback(struct mailbox_transaction_context *t) noexcept
{
    struct recall_mailbox *rbox = RECALL_MAILBOX_CONTEXT(t->box);
    std::unique_ptr<recall_transaction> rt(RECALL_TRANSACTION_CONTEXT(t));
    rbox->module_ctx.super.transaction_rollback(t);
}

/* The GUIDs of the save's transaction if it is recorded and the saver
   left the GUID to us; else NULL (a GUID chosen by the saver is read back
   later). */
std::vector<std::string> *recorded_guids(struct mail_save_context *ctx)
{
    struct recall_transaction *rt = RECALL_TRANSACTION_CONTEXT(ctx->transaction);
    return rt == NULL || ctx->data.guid != NULL ? NULL : &rt->guids;
}

int save_begin(struct mail_save_context *ctx, struct istream *input) noexcept
{
    struct recall_mailbox *rbox = RECALL_MAILBOX_CONTEXT(ctx->transaction->box);
    std::vector<std::string> *guids = recorded_guids(ctx);
    if (guids != NULL) {
        guid_128_t guid;
        guid_128_generate(guid);
        const char *text = guid_128_to_string(guid);
        mailbox_save_set_guid(ctx, text);
        guids->push_back(text);
    }
    return rbox->module_ctx.super.save_begin(ctx, input);
}

/* LMTP saves the second and later recipients' copies as copies of the
   first one's; a copy keeps its source's GUID (maildir: a hard link). */
int copy(struct mail_save_context *ctx, struct mail *mail) noexcept
{
    struct recall_mailbox *rbox = RECALL_MAILBOX_CONTEXT(ctx->transaction->box);
    std::vector<std::string> *guids = recorded_guids(ctx);
    const char *guid;
    if (guids != NULL && mail_get_special(mail, MAIL_FETCH_GUID, &guid) == 0 && *guid != '\0')
        guids->push_back(guid);
    return rbox->module_ctx.super.copy(ctx, mail);
}

} // namespace

void recall_delivery_mailbox_allocated(struct mailbox *box) noexcept
{
    if ((box->flags & MAILBOX_FLAG_POST_SESSION) == 0 ||
        recall_user_get(box->storage->user) == NULL)
        return;
    struct recall_mailbox *rbox;
    struct mailbox_vfuncs *v = recall_override_vfuncs(box, rbox);
    v->transaction_begin = transaction_begin;
    v->transaction_commit = transaction_commit;
    v->transaction_rollback = transaction_rollback;
    v->save_begin = save_begin;
    v->copy = copy;
    MODULE_CONTEXT_SET_SELF(box, recall_storage_module, rbox);
}
