/* The mailbox transactions, mails and searches of the glue, ended on every
   path: a MailTransaction frees its mail and rolls back unless commit()
   was called; a MailSearch is deinitialised with its arguments. */
#pragma once

extern "C" {
#include "lib.h"
#include "mail-storage.h"
#include "mail-search-build.h"
}

class MailTransaction {
public:
    MailTransaction(struct mailbox *box, enum mailbox_transaction_flags flags,
                    enum mail_fetch_field fields = (enum mail_fetch_field)0,
                    const char *reason = "recall")
        : t_(mailbox_transaction_begin(box, flags, reason)),
          mail_(mail_alloc(t_, fields, NULL)) {}
    ~MailTransaction()
    {
        if (t_ != NULL) {
            mail_free(&mail_);
            mailbox_transaction_rollback(&t_);
        }
    }
    MailTransaction(const MailTransaction &) = delete;
    MailTransaction &operator=(const MailTransaction &) = delete;

    struct mailbox_transaction_context *get() const { return t_; }
    /* The transaction's mail, on no message until mail_set_uid(). */
    struct mail *mail() const { return mail_; }
    /* 0, or -1 (the mailbox's last error says why); ends the transaction. */
    int commit()
    {
        mail_free(&mail_);
        return mailbox_transaction_commit(&t_);
    }

private:
    struct mailbox_transaction_context *t_;
    struct mail *mail_;
};

/* The messages of a mailbox that match args, which it takes over. */
class MailSearch {
public:
    MailSearch(struct mailbox *box, struct mail_search_args *args)
        : transaction_(box, (enum mailbox_transaction_flags)0), args_(args),
          search_(mailbox_search_init(transaction_.get(), args, NULL,
                                      (enum mail_fetch_field)0, NULL)) {}
    ~MailSearch() { (void)end(); }
    MailSearch(const MailSearch &) = delete;
    MailSearch &operator=(const MailSearch &) = delete;

    bool next(struct mail **mail_r) { return mailbox_search_next(search_, mail_r); }
    /* 0, or -1 when the search failed; ends the search. */
    int end()
    {
        if (search_ == NULL)
            return 0;
        int ret = mailbox_search_deinit(&search_);
        (void)transaction_.commit();
        mail_search_args_unref(&args_);
        return ret;
    }

private:
    MailTransaction transaction_;
    struct mail_search_args *args_;
    struct mail_search_context *search_;
};
