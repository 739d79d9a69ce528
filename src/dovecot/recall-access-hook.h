/* What happens to delivered copies after delivery:
   rule 5, a POP3 client, or an IMAP client that is not the webmail,
   downloads a copy: FETCHED;
   rule 6, another user opens a copy through a shared namespace, or the
   owner copies it into a shared mailbox: SHARED. */
#pragma once

struct mail;
struct notify_context;

/* mail_storage_hooks.mail_allocated */
void recall_access_mail_allocated(struct mail *mail) noexcept;
/* Writes the marks still pending (at user deinit). */
void recall_access_flush(struct mail_user *user) noexcept;
/* Watches copies into shared mailboxes and copies of downloaded copies,
   through the notify module; NULL when notify is not loaded. Only lmtp and
   lda may run without it: every copy they make is a delivery, which the
   watch leaves alone (MAILBOX_FLAG_POST_SESSION). */
struct notify_context *recall_access_copies_register(void);
