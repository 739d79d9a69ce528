/* What happens to delivered copies after delivery:
   rule 5, a POP3 client, or an IMAP client that is not the webmail,
   downloads a copy: FETCHED;
   rule 6, another user opens a copy through a shared namespace, or the
   owner copies it into a shared mailbox: SHARED. */
#pragma once

struct mail;
struct mail_user;
struct mailbox;

/* mail_storage_hooks.mail_allocated */
void recall_access_mail_allocated(struct mail *mail) noexcept;
/* Writes the marks still pending (at user deinit). */
void recall_access_flush(struct mail_user *user) noexcept;
/* mail_storage_hooks.mailbox_allocated outside lmtp and lda: watches the
   copies made into a user's mailbox (copies of downloaded copies, copies
   into shared mailboxes). A delivery's mailbox (MAILBOX_FLAG_POST_SESSION)
   is left alone: what is saved there is a delivery. */
void recall_access_mailbox_allocated(struct mailbox *box) noexcept;
