/* Rule 5: a copy whose content a POP3 client, or an IMAP client that is not
   the webmail, downloaded becomes FETCHED. */
#pragma once

struct mail;

/* mail_storage_hooks.mail_allocated */
void recall_access_mail_allocated(struct mail *mail);
