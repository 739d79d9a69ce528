#include "recall-fetched-mark.h"

extern "C" {
#include "lib.h"
#include "mail-index.h"
#include "mail-storage-private.h"
}

namespace {

const uint8_t kMarked = 1;

/* Registering is idempotent: the same id for the same index. */
uint32_t fetched_ext(struct mailbox *box)
{
    return mail_index_ext_register(box->index, "recall-fetched", 0, sizeof(kMarked),
                                   sizeof(kMarked));
}

bool marked_in(struct mail_index_view *view, uint32_t seq, uint32_t ext)
{
    const void *data;
    bool expunged;
    mail_index_lookup_ext(view, seq, ext, &data, &expunged);
    return data != NULL && *(const uint8_t *)data != 0;
}

} // namespace

bool recall_fetched_mark_set(struct mail *mail) noexcept
{
    struct mailbox *box = mail->box;
    uint32_t seq;
    /* An in-memory index ends with the session: the mark would too. */
    if (box->index == NULL || box->view == NULL || mail_index_is_in_memory(box->index) ||
        !mail_index_lookup_seq(box->view, mail->uid, &seq))
        return false;
    uint32_t ext = fetched_ext(box);
    if (marked_in(box->view, seq, ext))
        return true;
    /* A transaction of its own, committed now: the session's mailbox
       transaction may end much later (POP3 commits at QUIT) or not at all. */
    struct mail_index_transaction *t =
        mail_index_transaction_begin(box->view, (enum mail_index_transaction_flags)0);
    mail_index_update_ext(t, seq, ext, &kMarked, NULL);
    return mail_index_transaction_commit(&t) == 0;
}

bool recall_fetched_mark_get(struct mail *mail) noexcept
{
    if (mail->box->index == NULL || mail->seq == 0)
        return false;
    return marked_in(mail->transaction->view, mail->seq, fetched_ext(mail->box));
}

void recall_fetched_mark_copy(struct mail *src, struct mail *dst) noexcept
{
    if (dst->seq == 0 || dst->box->index == NULL || !recall_fetched_mark_get(src))
        return;
    mail_index_update_ext(dst->transaction->itrans, dst->seq, fetched_ext(dst->box), &kMarked,
                          NULL);
}
