#include "recall-mailbox-access.h"
#include "recall-copy-instances.h"
#include "recall-data-stack.h"
#include "recall-dovecot-compat.h"
#include "recall-hold.h"
#include "recall-message-fields.h"
#include "recall-opened-user.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "mail-namespace.h"
#include "mail-storage-service.h"
#include "mail-storage.h"
}

#include <functional>

namespace {

/* The copy of one delivery in its recipient's mail (a user already open):
   every instance of it, found again at each inspect, in folders opened once
   for the whole step. */
class UserMailbox : public recall::RecipientMailbox {
public:
    UserMailbox(struct mail_user *user, const recall::Delivery &delivery,
                const recall_templates &templates)
        : user_(user), folders_(user), delivery_(delivery), templates_(templates) {}

    bool inspect(recall::CopyFacts &facts, std::string &error) override
    {
        DataStackFrame frame;
        if (!recall_copy_instances_find(folders_, delivery_, instances_, error) ||
            !recall_copy_instances_inspect(folders_, delivery_, instances_, facts, error))
            return false;
        /* The recipient's own setting (userdb), whoever recalls. A
           recipient whose settings were refused may be a protected one
           with a typo: its copies are left alone. */
        struct recall_user *ruser = recall_user_get(user_);
        if (ruser == NULL) {
            error = "the recipient's recall settings are malformed (see the error log)";
            return false;
        }
        facts.protected_mailbox = recall_user_settings(ruser).protected_mailbox;
        return true;
    }

    bool expunge(std::string &error) override
    {
        DataStackFrame frame;
        return recall_copy_instances_expunge(folders_, delivery_, instances_, error);
    }

    bool hold(std::string &error) override
    {
        DataStackFrame frame;
        return recall_hold_copy(user_, delivery_, instances_, error);
    }

    bool restore(std::string &error) override
    {
        DataStackFrame frame;
        return recall_hold_restore(user_, delivery_, error);
    }

    bool has_notice(std::string &error, bool &present) override
    {
        DataStackFrame frame;
        present = false;
        return with_notice(error, [&](struct mail *) { present = true; });
    }

    bool remove_notice(std::string &error) override
    {
        DataStackFrame frame;
        return with_notice(error, [](struct mail *mail) { mail_expunge(mail); });
    }

    bool save_notice(std::string &error) override
    {
        DataStackFrame frame;
        return recall_save_message(user_, "INBOX", recall_build_notice(delivery_, templates_),
                                   error);
    }

private:
    struct mailbox_list *inbox_list()
    {
        return mail_namespace_find_inbox(user_->namespaces)->list;
    }

    /* Runs fn on each notice of this copy in INBOX (one, unless a crash
       left two), in a transaction that is committed and synced. INBOX is
       synced first: a recall killed while saving the notice may have
       left its file in the mailbox but not yet in the index. Only a
       resumed recall, a late copy or a restore gets here. */
    bool with_notice(std::string &error, const std::function<void(struct mail *)> &fn)
    {
        struct mailbox *inbox = mailbox_alloc(inbox_list(), "INBOX", (enum mailbox_flags)0);
        std::vector<uint32_t> uids;
        bool ok = mailbox_open(inbox) == 0 &&
                  mailbox_sync(inbox, (enum mailbox_sync_flags)0) == 0 &&
                  recall_find_message_ids(inbox, recall_notice_message_id(delivery_), uids) == 0;
        if (ok && !uids.empty())
            ok = recall_for_each_uid(inbox, uids, fn, (enum mailbox_sync_flags)0);
        if (!ok)
            error = std::string("INBOX: ") + mailbox_get_last_internal_error(inbox, NULL);
        mailbox_free(&inbox);
        return ok;
    }

protected:
    struct mail_user *user_;
    RecallOpenFolders folders_;

private:
    const recall::Delivery &delivery_;
    const recall_templates &templates_;
    std::vector<recall_copy_instance> instances_;
};

/* A recipient opened for a recall in another user's process. */
class OpenedRecipientMailbox : public UserMailbox {
public:
    OpenedRecipientMailbox(std::unique_ptr<RecallOpenedUser> opened,
                           const recall::Delivery &delivery, const recall_templates &templates)
        : UserMailbox(opened->user(), delivery, templates), opened_(std::move(opened))
    {
    }
    /* The folders before their user, which opened_ ends. */
    ~OpenedRecipientMailbox() override { folders_.close(); }

private:
    std::unique_ptr<RecallOpenedUser> opened_;
};

} // namespace

std::unique_ptr<recall::RecipientMailbox>
StorageMailboxAccess::open(const recall::Delivery &delivery, std::string &error)
{
    DataStackFrame frame;
    std::unique_ptr<RecallOpenedUser> opened = RecallOpenedUser::open(
        mail_storage_service_user_get_service_ctx(recall_service_user(own_user_)),
        own_user_->service, recall_service_user(own_user_), delivery.recipient_user, error);
    if (!opened)
        return nullptr;
    return std::make_unique<OpenedRecipientMailbox>(std::move(opened), delivery, templates_);
}

std::unique_ptr<recall::RecipientMailbox> recall_user_mailbox(struct mail_user *user,
                                                              const recall::Delivery &delivery,
                                                              const recall_templates &templates)
{
    return std::make_unique<UserMailbox>(user, delivery, templates);
}
