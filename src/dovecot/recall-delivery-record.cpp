#include "recall-delivery-record.h"
#include "recall-delivery-batch.h"
#include "recall-late-copies.h"
#include "recall-ledger-dict.h"
#include "recall-mail-transaction.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
}

namespace {

recall::Delivery delivery_of(struct mail_user *user, const recall_user_state &state,
                             const char *mailbox, uint32_t uid, const char *guid)
{
    recall::Delivery d;
    d.sender = recall::lower_ascii(state.delivery.envelope.sender);
    d.message_id = state.delivery.envelope.message_id;
    d.recipient_user = user->username;
    d.recipient_address = state.delivery.envelope.recipient;
    d.recipient_org = state.settings.org;
    d.mailbox = mailbox;
    d.host = state.settings.host;
    d.uid = uid;
    d.guid = guid;
    d.subject = state.delivery.envelope.subject;
    d.digest = state.delivery.envelope.digest;
    d.delivered_at = ioloop_time;
    d.expires_at = ioloop_time + recall::record_lifetime(state.settings);
    return d;
}

/* The copies' GUIDs were chosen at save: nothing to read back. */
void record_chosen(struct mail_user *user, recall_user_state &state,
                   const recall_saved_copies &saved)
{
    for (size_t i = 0; i < saved.uids.size(); i++)
        state.delivery.recorded.push_back(
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
    MailTransaction t(box, (enum mailbox_transaction_flags)0);
    struct mail *mail = t.mail();
    for (uint32_t uid : saved.uids) {
        if (mail_set_uid(mail, uid) && mail_get_special(mail, MAIL_FETCH_GUID, &guid) == 0 &&
            *guid != '\0')
            state.delivery.recorded.push_back(delivery_of(user, state, vname, uid, guid));
        else
            e_warning(recall_user_event(user), "no GUID for %s UID %u, copy not tracked", vname,
                      uid);
    }
    (void)t.commit();
    mailbox_free(&box);
}

} // namespace

/* An lmtp process delivers many messages: their records go in its group
   commit. dovecot-lda delivers one and ends: it writes its own. */
void recall_delivery_record(struct mail_user *user, struct recall_user *ruser)
{
    recall_user_state &state = *ruser->state;
    for (const recall_saved_copies &saved : state.delivery.delivered) {
        if (saved.guids.size() == saved.uids.size())
            record_chosen(user, state, saved);
        else
            record_mailbox(user, state, saved);
    }
    state.delivery.delivered.clear();
    if (state.delivery.recorded.empty())
        return;
    if (strcmp(user->service, "lmtp") == 0) {
        recall_delivery_batch_add(user, state.event, state.dict_uri, state.delivery.recorded);
        state.delivery.recorded.clear();
        return;
    }
    const char *error;
    struct dict *dict = recall_user_dict(user, ruser, &error);
    if (dict == NULL) {
        e_error(recall_user_event(user), "ledger unavailable, delivery not tracked: %s", error);
        state.delivery.recorded.clear();
        return;
    }
    DictLedger ledger(dict, state.event, state.listing_fs);
    ledger.store_all_async(state.delivery.recorded);
    state.delivery.recalled_answer = new DictLedger::RecalledAnswer();
    ledger.recalled_async(state.delivery.envelope.sender, state.delivery.envelope.message_id,
                          state.delivery.recalled_answer);
}

void recall_delivery_recall_late(struct mail_user *user, struct recall_user *ruser)
{
    recall_user_state &state = *ruser->state;
    DictLedger::RecalledAnswer *answer = state.delivery.recalled_answer;
    if (answer == nullptr)
        return;
    state.delivery.recalled_answer = nullptr;
    if (!answer->answered) {
        /* A slow ledger does not hold up delivery: the answer is dropped. */
        e_warning(recall_user_event(user), "ledger too slow to tell whether %s was recalled: "
                  "not recalled on arrival", state.delivery.envelope.message_id.c_str());
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
                  "delivered normally", state.delivery.envelope.message_id.c_str());
        return;
    }
    recall_delivery_recall_arrived(user, state.dict, state.listing_fs, state.delivery.recorded,
                                   *marker);
    state.delivery.recorded.clear();
}
