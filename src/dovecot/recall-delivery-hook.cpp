#include "recall-delivery-hook.h"
#include "recall-delivery-batch.h"
#include "recall-delivery-guid.h"
#include "recall-late-copies.h"
#include "recall-ledger-dict.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "seq-range-array.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
#include "notify-plugin.h"
}

namespace {

/* A delivery transaction of a user whose delivery can be tracked. */
struct delivery_txn {
    struct recall_user *ruser;
    struct mailbox *box;
    const struct mailbox_transaction_context *t;
};

void *txn_begin(struct mailbox_transaction_context *t) noexcept
{
    struct mailbox *box = mailbox_transaction_get_mailbox(t);
    if ((box->flags & MAILBOX_FLAG_POST_SESSION) == 0)
        return NULL;
    struct mail_user *user = box->storage->user;
    struct recall_user *ruser = recall_user_get(user);
    if (ruser == NULL)
        return NULL;
    const recall_envelope &envelope = ruser->state->envelope;
    if (envelope.sender.empty() || envelope.message_id.empty()) {
        /* Bounces (null sender) and messages without Message-ID cannot
           be named by a recall. */
        e_debug(recall_user_event(user), "delivery not tracked (no %s)",
                envelope.sender.empty() ? "envelope sender" : "Message-ID");
        return NULL;
    }
    /* The ledger names each copy by UID and GUID: have UIDs assigned at
       commit, as LMTP does anyway when it delivers to several users. */
    t->flags = (enum mailbox_transaction_flags)(t->flags | MAILBOX_TRANSACTION_FLAG_ASSIGN_UIDS);
    recall_delivery_guids_expect(*ruser->state, t);
    return new delivery_txn{ruser, box, t};
}

void txn_commit(void *txn, struct mail_transaction_commit_changes *changes) noexcept
{
    if (txn == NULL)
        return;
    std::unique_ptr<delivery_txn> dtxn(static_cast<delivery_txn *>(txn));
    recall_saved_copies saved{mailbox_get_vname(dtxn->box), {},
                              recall_delivery_guids_take(*dtxn->ruser->state, dtxn->t)};
    struct seq_range_iter iter;
    seq_range_array_iter_init(&iter, &changes->saved_uids);
    uint32_t uid;
    for (unsigned int i = 0; seq_range_array_iter_nth(&iter, i, &uid); i++)
        saved.uids.push_back(uid);
    if (!saved.uids.empty())
        dtxn->ruser->state->delivered.push_back(saved);
}

void txn_rollback(void *txn) noexcept
{
    if (txn == NULL)
        return;
    std::unique_ptr<delivery_txn> dtxn(static_cast<delivery_txn *>(txn));
    (void)recall_delivery_guids_take(*dtxn->ruser->state, dtxn->t);
}

recall::Delivery delivery_of(struct mail_user *user, const recall_user_state &state,
                             const char *mailbox, uint32_t uid, const char *guid)
{
    recall::Delivery d;
    d.sender = recall::lower_ascii(state.envelope.sender);
    d.message_id = state.envelope.message_id;
    d.recipient_user = user->username;
    d.recipient_address = state.envelope.recipient;
    d.recipient_org = state.settings.org;
    d.mailbox = mailbox;
    d.host = state.settings.host;
    d.uid = uid;
    d.guid = guid;
    d.subject = state.envelope.subject;
    d.digest = state.envelope.digest;
    d.delivered_at = ioloop_time;
    d.expires_at = ioloop_time + recall::record_lifetime(state.settings);
    return d;
}

/* The copies' GUIDs were chosen at save: nothing to read back. */
void record_chosen(struct mail_user *user, recall_user_state &state,
                   const recall_saved_copies &saved)
{
    for (size_t i = 0; i < saved.uids.size(); i++)
        state.recorded.push_back(
            delivery_of(user, state, saved.mailbox.c_str(), saved.uids[i], saved.guids[i].c_str()));
}

/* Otherwise a sync makes the new UIDs visible and their GUIDs are read. */
void record_mailbox(struct mail_user *user, recall_user_state &state,
                    const recall_saved_copies &saved)
{
    const char *vname = saved.mailbox.c_str(), *guid;
    struct mail_namespace *ns = mail_namespace_find(user->namespaces, vname);
    struct mailbox *box = mailbox_alloc(ns->list, vname, (enum mailbox_flags)0);
    if (mailbox_sync(box, MAILBOX_SYNC_FLAG_FAST) < 0) {
        e_warning(recall_user_event(user), "delivery to %s not tracked: %s", vname,
                  mailbox_get_last_internal_error(box, NULL));
        mailbox_free(&box);
        return;
    }
    struct mailbox_transaction_context *t =
        mailbox_transaction_begin(box, (enum mailbox_transaction_flags)0, "recall");
    struct mail *mail = mail_alloc(t, (enum mail_fetch_field)0, NULL);
    for (uint32_t uid : saved.uids) {
        if (mail_set_uid(mail, uid) && mail_get_special(mail, MAIL_FETCH_GUID, &guid) == 0 &&
            *guid != '\0')
            state.recorded.push_back(delivery_of(user, state, vname, uid, guid));
        else
            e_warning(recall_user_event(user), "no GUID for %s UID %u, copy not tracked", vname, uid);
    }
    mail_free(&mail);
    (void)mailbox_transaction_commit(&t);
    mailbox_free(&box);
}

} // namespace

struct notify_context *recall_delivery_hook_register(void)
{
    static struct notify_vfuncs vfuncs;
    vfuncs.mail_transaction_begin = txn_begin;
    vfuncs.mail_transaction_commit = txn_commit;
    vfuncs.mail_transaction_rollback = txn_rollback;
    return notify_register(&vfuncs);
}

/* An lmtp process delivers many messages: their records go in its group
   commit. dovecot-lda delivers one and ends: it writes its own. */
void recall_delivery_record(struct mail_user *user, struct recall_user *ruser)
{
    recall_user_state &state = *ruser->state;
    for (const recall_saved_copies &saved : state.delivered) {
        if (saved.guids.size() == saved.uids.size())
            record_chosen(user, state, saved);
        else
            record_mailbox(user, state, saved);
    }
    state.delivered.clear();
    if (state.recorded.empty())
        return;
    if (strcmp(user->service, "lmtp") == 0) {
        recall_delivery_batch_add(user, state.event, state.dict_uri, state.recorded);
        state.recorded.clear();
        return;
    }
    const char *error;
    struct dict *dict = recall_user_dict(user, ruser, &error);
    if (dict == NULL) {
        e_error(recall_user_event(user), "ledger unavailable, delivery not tracked: %s", error);
        state.recorded.clear();
        return;
    }
    DictLedger ledger(dict, state.event, state.listing_fs);
    ledger.store_all_async(state.recorded);
    state.recalled_answer = new DictLedger::RecalledAnswer();
    ledger.recalled_async(state.envelope.sender, state.envelope.message_id,
                          state.recalled_answer);
}

void recall_delivery_recall_late(struct mail_user *user, struct recall_user *ruser)
{
    recall_user_state &state = *ruser->state;
    DictLedger::RecalledAnswer *answer = state.recalled_answer;
    if (answer == nullptr)
        return;
    state.recalled_answer = nullptr;
    if (!answer->answered) {
        /* A slow ledger does not hold up delivery: the answer is dropped. */
        e_warning(recall_user_event(user), "ledger too slow to tell whether %s was recalled: "
                  "not recalled on arrival", state.envelope.message_id.c_str());
        answer->orphaned = true;
        return;
    }
    std::optional<recall::RecallMarker> marker = answer->marker;
    bool recalled = answer->recalled;
    delete answer;
    if (!recalled)
        return;
    if (!marker) {
        e_warning(recall_user_event(user), "%s was recalled, but its marker is unreadable: "
                  "delivered normally", state.envelope.message_id.c_str());
        return;
    }
    recall_delivery_recall_arrived(user, state.dict, state.listing_fs, state.recorded, *marker);
    state.recorded.clear();
}
