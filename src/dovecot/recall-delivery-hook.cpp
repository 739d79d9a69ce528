#include "recall-delivery-hook.h"
#include "recall-ledger-dict.h"
#include "recall-plugin.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "seq-range-array.h"
#include "mail-storage-private.h"
#include "notify-plugin.h"
}

#include "../core/recall-text.hpp"

namespace {

struct pending_copy {
    std::string guid;
    std::string message_id;
    std::string subject;
};

/* One delivery transaction: the copies saved in it, in save order, which
   is the order of the UIDs assigned at commit. */
struct delivery_txn {
    struct mail_user *user;
    struct recall_user *ruser;
    std::string mailbox;
    std::vector<pending_copy> copies;
};

void *txn_begin(struct mailbox_transaction_context *t)
{
    struct mailbox *box = mailbox_transaction_get_mailbox(t);
    if ((box->flags & MAILBOX_FLAG_POST_SESSION) == 0)
        return NULL;
    struct mail_user *user = box->storage->user;
    struct recall_user *ruser = recall_user_get(user);
    if (ruser == NULL)
        return NULL;
    if (ruser->state->envelope_sender.empty()) {
        /* Null sender (bounces) or a save outside LMTP/LDA. */
        e_debug(user->event, "recall: no envelope sender, delivery not tracked");
        return NULL;
    }
    return new delivery_txn{user, ruser, mailbox_get_vname(box), {}};
}

void copy_saved(void *txn, struct mail *mail)
{
    if (txn == NULL)
        return;
    auto *dtxn = static_cast<delivery_txn *>(txn);
    const char *guid, *message_id, *subject;
    if (mail_get_special(mail, MAIL_FETCH_GUID, &guid) < 0 || *guid == '\0' ||
        mail_get_first_header(mail, "Message-ID", &message_id) < 0 ||
        mail_get_first_header_utf8(mail, "Subject", &subject) < 0) {
        e_warning(dtxn->user->event, "recall: cannot read the delivered copy, not tracked: %s",
                  mailbox_get_last_internal_error(mail->box, NULL));
        dtxn->copies.push_back({});
        return;
    }
    std::string id = recall_normalize_message_id(message_id);
    if (id.empty())
        e_debug(dtxn->user->event, "recall: message has no Message-ID, not tracked");
    dtxn->copies.push_back({id.empty() ? "" : guid, id, recall::sanitize_line(subject ? subject : "")});
}

void copy_copied(void *txn, struct mail *, struct mail *dst)
{
    copy_saved(txn, dst);
}

recall::Delivery delivery_of(const delivery_txn &dtxn, const pending_copy &copy, uint32_t uid)
{
    const recall_user_state &state = *dtxn.ruser->state;
    recall::Delivery d;
    d.sender = recall::lower_ascii(state.envelope_sender);
    d.message_id = copy.message_id;
    d.recipient_user = dtxn.user->username;
    d.recipient_address = state.envelope_recipient;
    d.recipient_org = state.settings.org;
    d.mailbox = dtxn.mailbox;
    d.uid = uid;
    d.guid = copy.guid;
    d.subject = copy.subject;
    d.delivered_at = ioloop_time;
    d.expires_at = ioloop_time + state.settings.window_secs + state.settings.retention_secs;
    return d;
}

void txn_commit(void *txn, struct mail_transaction_commit_changes *changes)
{
    if (txn == NULL)
        return;
    std::unique_ptr<delivery_txn> dtxn(static_cast<delivery_txn *>(txn));
    const char *error;
    struct dict *dict = recall_user_dict(dtxn->user, dtxn->ruser, &error);
    if (dict == NULL) {
        e_error(dtxn->user->event, "recall: ledger unavailable, delivery not tracked: %s", error);
        return;
    }
    DictLedger ledger(dict);
    struct seq_range_iter uids;
    seq_range_array_iter_init(&uids, &changes->saved_uids);
    for (unsigned int i = 0; i < dtxn->copies.size(); i++) {
        /* dovecot-lda may not assign UIDs: 0 makes recall find the copy
           by its GUID. */
        uint32_t uid = 0;
        (void)seq_range_array_iter_nth(&uids, i, &uid);
        if (!dtxn->copies[i].guid.empty())
            ledger.store_async(delivery_of(*dtxn, dtxn->copies[i], uid));
    }
}

void txn_rollback(void *txn)
{
    delete static_cast<delivery_txn *>(txn);
}

} // namespace

struct notify_context *recall_delivery_hook_register(void)
{
    static struct notify_vfuncs vfuncs;
    vfuncs.mail_transaction_begin = txn_begin;
    vfuncs.mail_save = copy_saved;
    vfuncs.mail_copy = copy_copied;
    vfuncs.mail_transaction_commit = txn_commit;
    vfuncs.mail_transaction_rollback = txn_rollback;
    return notify_register(&vfuncs);
}
