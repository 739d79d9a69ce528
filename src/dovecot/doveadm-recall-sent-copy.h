/* The sender's copy of a message for doveadm recall run and restore: the
   message with its Message-ID in one of the user's \Sent mailboxes, so
   that the recall can tag it ($Recalled) as the webmail's XRECALL does. */
#pragma once

#include <memory>
#include <string>

#include "recall-mail-transaction.h"

struct mail_namespace;
struct mail_user;

class SentCopy {
public:
    SentCopy(struct mail_user *user, const std::string &message_id);
    ~SentCopy();
    SentCopy(const SentCopy &) = delete;
    SentCopy &operator=(const SentCopy &) = delete;

    /* The copy, or NULL when no \Sent mailbox has it. */
    struct mail *mail() const { return transaction_ ? transaction_->mail() : NULL; }

private:
    void search(struct mail_namespace *ns, const char *vname, const std::string &message_id);

    struct mailbox *box_ = NULL;
    std::unique_ptr<MailTransaction> transaction_;
};
