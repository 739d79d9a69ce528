#include "recall-delivery-guid.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "guid.h"
#include "mail-storage-private.h"
}

namespace {

struct recall_mailbox {
    union mailbox_module_context module_ctx;
};

MODULE_CONTEXT_DEFINE_INIT(recall_mailbox_module, &mail_storage_module_register);
#define RECALL_MAILBOX_CONTEXT(obj) \
    ((struct recall_mailbox *)MODULE_CONTEXT(obj, recall_mailbox_module))

/* The GUIDs of a transaction that records its copies
   (recall_delivery_guids_expect()), or NULL. */
std::vector<std::string> *expected_guids(struct mail_save_context *ctx)
{
    struct mailbox_transaction_context *t = ctx->transaction;
    struct recall_user *ruser = recall_user_get(t->box->storage->user);
    if (ruser == NULL || ctx->data.guid != NULL)
        return NULL; /* the saver chose the GUID: read it back later */
    auto it = ruser->state->save_guids.find(t);
    return it == ruser->state->save_guids.end() ? NULL : &it->second;
}

int save_begin(struct mail_save_context *ctx, struct istream *input) noexcept
{
    struct recall_mailbox *rbox = RECALL_MAILBOX_CONTEXT(ctx->transaction->box);
    std::vector<std::string> *guids = expected_guids(ctx);
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
    std::vector<std::string> *guids = expected_guids(ctx);
    const char *guid;
    if (guids != NULL && mail_get_special(mail, MAIL_FETCH_GUID, &guid) == 0 && *guid != '\0')
        guids->push_back(guid);
    return rbox->module_ctx.super.copy(ctx, mail);
}

} // namespace

void recall_delivery_guid_mailbox_allocated(struct mailbox *box) noexcept
{
    if ((box->flags & MAILBOX_FLAG_POST_SESSION) == 0 ||
        recall_user_get(box->storage->user) == NULL)
        return;
    struct mailbox_vfuncs *v = box->vlast;
    struct recall_mailbox *rbox = p_new(box->pool, struct recall_mailbox, 1);
    rbox->module_ctx.super = *v;
    box->vlast = &rbox->module_ctx.super;
    v->save_begin = save_begin;
    v->copy = copy;
    MODULE_CONTEXT_SET_SELF(box, recall_mailbox_module, rbox);
}

void recall_delivery_guids_expect(recall_user_state &state,
                                  const struct mailbox_transaction_context *t)
{
    state.save_guids[t].clear();
}

std::vector<std::string> recall_delivery_guids_take(recall_user_state &state,
                                                    const struct mailbox_transaction_context *t)
{
    std::vector<std::string> guids;
    auto it = state.save_guids.find(t);
    if (it != state.save_guids.end()) {
        guids = std::move(it->second);
        state.save_guids.erase(it);
    }
    return guids;
}
