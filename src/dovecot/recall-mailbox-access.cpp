#include "recall-mailbox-access.h"
#include "recall-acl.h"
#include "recall-plugin.h"

extern "C" {
#include "lib.h"
#include "mail-namespace.h"
#include "mail-search-build.h"
#include "mail-storage-service.h"
#include "mail-storage.h"
#include "mailbox-list-iter.h"
}

#include <unistd.h>

namespace {

/* doveadm runs as root and works as each user with a temporary privilege
   drop (seteuid): a recipient is then opened with its own uid, and the
   caller's effective ids come back afterwards. An IMAP process has dropped
   privileges for good and opens recipients with the uid it has. */
struct saved_ids {
    bool can_switch;
    uid_t euid;
    gid_t egid;
};

saved_ids save_ids()
{
    return saved_ids{getuid() == 0, geteuid(), getegid()};
}

void restore_ids(const saved_ids &ids)
{
    if (!ids.can_switch || (geteuid() == ids.euid && getegid() == ids.egid))
        return;
    if (seteuid(0) < 0 || setegid(ids.egid) < 0 || seteuid(ids.euid) < 0)
        i_fatal("recall: cannot restore effective uid %ld: %m", (long)ids.euid);
}

/* The copy of one delivery in its recipient's mail (a user already open). */
class UserMailbox : public recall::RecipientMailbox {
public:
    UserMailbox(struct mail_user *user, const recall::Delivery &delivery,
                const recall_templates &templates)
        : user_(user), delivery_(delivery), templates_(templates) {}

    ~UserMailbox() override { close(); }

    void close()
    {
        if (box_ != NULL)
            mailbox_free(&box_);
    }

    bool inspect(recall::CopyFacts &facts, std::string &error) override
    {
        facts = recall::CopyFacts();
        if (!locate(error))
            return false;
        if (box_ == NULL)
            return true;
        struct mailbox_transaction_context *t =
            mailbox_transaction_begin(box_, (enum mailbox_transaction_flags)0, "recall inspect");
        struct mail *mail = mail_alloc(t, MAIL_FETCH_FLAGS, NULL);
        facts.present = mail_set_uid(mail, uid_);
        facts.seen = facts.present && (mail_get_flags(mail) & MAIL_SEEN) != 0;
        /* Rule 6: where the copy lies, and whether it was forwarded. */
        facts.shared = facts.present &&
                       (mailbox_get_namespace(box_)->type != MAIL_NAMESPACE_TYPE_PRIVATE ||
                        recall_mailbox_shared_by_acl(box_) == 1 ||
                        str_array_icase_find(mail_get_keywords(mail), "$Forwarded"));
        mail_free(&mail);
        (void)mailbox_transaction_commit(&t);
        return true;
    }

    bool expunge(std::string &error) override
    {
        if (box_ == NULL)
            return true;
        /* Not an EXTERNAL transaction: that would tell maildir the file is
           already gone, and the message would reappear. */
        struct mailbox_transaction_context *t =
            mailbox_transaction_begin(box_, (enum mailbox_transaction_flags)0, "recall");
        struct mail *mail = mail_alloc(t, (enum mail_fetch_field)0, NULL);
        if (mail_set_uid(mail, uid_))
            mail_expunge(mail);
        mail_free(&mail);
        if (mailbox_transaction_commit(&t) < 0 ||
            mailbox_sync(box_, (enum mailbox_sync_flags)0) < 0) {
            error = std::string("expunge: ") + mailbox_get_last_internal_error(box_, NULL);
            return false;
        }
        return true;
    }

    bool has_notice(std::string &error, bool &present) override
    {
        struct mailbox *inbox = mailbox_alloc(inbox_list(), "INBOX", (enum mailbox_flags)0);
        /* Synced first: a recall killed while saving the notice may have
           left its file in the mailbox but not yet in the index. Only a
           resumed recall or a late copy gets here. */
        uint32_t uid = 0;
        bool ok = mailbox_open(inbox) == 0 &&
                  mailbox_sync(inbox, (enum mailbox_sync_flags)0) == 0 &&
                  recall_find_message_id(inbox, recall_notice_message_id(delivery_), &uid) == 0;
        present = uid != 0;
        if (!ok)
            error = std::string("INBOX: ") + mailbox_get_last_internal_error(inbox, NULL);
        mailbox_free(&inbox);
        return ok;
    }

    bool save_notice(std::string &error) override
    {
        return recall_save_message(user_, "INBOX", recall_build_notice(delivery_, templates_),
                                   error);
    }

private:
    struct mailbox_list *inbox_list()
    {
        return mail_namespace_find_inbox(user_->namespaces)->list;
    }

    /* Where the copy was delivered first (the common case), then every
       folder of the recipient: a moved copy keeps its GUID. */
    bool locate(std::string &error)
    {
        if (box_ != NULL)
            mailbox_free(&box_);
        if (find_in(delivery_.mailbox.c_str(), delivery_.uid, error))
            return true;
        if (!error.empty())
            return false;
        static const char *const patterns[] = {"*", NULL};
        struct mailbox_list_iterate_context *iter = mailbox_list_iter_init_namespaces(
            user_->namespaces, patterns, MAIL_NAMESPACE_TYPE_PRIVATE,
            (enum mailbox_list_iter_flags)(MAILBOX_LIST_ITER_RETURN_NO_FLAGS |
                                           MAILBOX_LIST_ITER_NO_AUTO_BOXES));
        const struct mailbox_info *info;
        bool found = false;
        while (!found && error.empty() && (info = mailbox_list_iter_next(iter)) != NULL) {
            if ((info->flags & (MAILBOX_NOSELECT | MAILBOX_NONEXISTENT)) == 0 &&
                delivery_.mailbox != info->vname)
                found = find_in(info->vname, 0, error);
        }
        if (mailbox_list_iter_deinit(&iter) < 0 && error.empty())
            error = "listing mailboxes failed";
        return error.empty();
    }

    /* true when found (box_ and uid_ set); false with error empty when
       the copy is not in this mailbox. */
    bool find_in(const char *vname, uint32_t uid, std::string &error)
    {
        struct mail_namespace *ns = mail_namespace_find(user_->namespaces, vname);
        struct mailbox *box = mailbox_alloc(ns->list, vname, (enum mailbox_flags)0);
        if (mailbox_open(box) < 0) {
            enum mail_error code;
            const char *text = mailbox_get_last_internal_error(box, &code);
            if (code != MAIL_ERROR_NOTFOUND)
                error = std::string(vname) + ": " + text;
            mailbox_free(&box);
            return false;
        }
        uint32_t found = uid != 0 ? uid_with_guid(box, uid) : search_guid(box);
        if (found == 0) {
            mailbox_free(&box);
            return false;
        }
        box_ = box;
        uid_ = found;
        return true;
    }

    uint32_t uid_with_guid(struct mailbox *box, uint32_t uid)
    {
        struct mailbox_transaction_context *t =
            mailbox_transaction_begin(box, (enum mailbox_transaction_flags)0, "recall");
        struct mail *mail = mail_alloc(t, (enum mail_fetch_field)0, NULL);
        const char *guid;
        bool same = mail_set_uid(mail, uid) &&
                    mail_get_special(mail, MAIL_FETCH_GUID, &guid) == 0 && delivery_.guid == guid;
        mail_free(&mail);
        (void)mailbox_transaction_commit(&t);
        return same ? uid : 0;
    }

    uint32_t search_guid(struct mailbox *box)
    {
        struct mail_search_args *args = mail_search_build_init();
        struct mail_search_arg *arg = mail_search_build_add(args, SEARCH_GUID);
        arg->value.str = p_strdup(args->pool, delivery_.guid.c_str());
        struct mailbox_transaction_context *t =
            mailbox_transaction_begin(box, (enum mailbox_transaction_flags)0, "recall");
        struct mail_search_context *search =
            mailbox_search_init(t, args, NULL, (enum mail_fetch_field)0, NULL);
        struct mail *mail;
        uint32_t uid = mailbox_search_next(search, &mail) ? mail->uid : 0;
        (void)mailbox_search_deinit(&search);
        (void)mailbox_transaction_commit(&t);
        mail_search_args_unref(&args);
        return uid;
    }

protected:
    struct mail_user *user_;

private:
    const recall::Delivery &delivery_;
    const recall_templates &templates_;
    struct mailbox *box_ = NULL;
    uint32_t uid_ = 0;
};

/* A recipient opened for a recall in another user's process: closed and
   the caller's user and ids restored when done. */
class OpenedRecipientMailbox : public UserMailbox {
public:
    OpenedRecipientMailbox(struct mail_user *own_user, struct mail_storage_service_user *suser,
                           struct mail_user *user, const recall::Delivery &delivery,
                           const recall_templates &templates, const saved_ids &ids)
        : UserMailbox(user, delivery, templates), own_user_(own_user), suser_(suser), ids_(ids)
    {
    }

    ~OpenedRecipientMailbox() override
    {
        close();
        mail_storage_service_io_deactivate_user(suser_);
        mail_user_deinit(&user_);
        mail_storage_service_user_unref(&suser_);
        restore_ids(ids_);
        mail_storage_service_io_activate_user(own_user_->_service_user);
    }

private:
    struct mail_user *own_user_;
    struct mail_storage_service_user *suser_;
    const saved_ids ids_;
};

} // namespace

std::unique_ptr<recall::RecipientMailbox>
StorageMailboxAccess::open(const recall::Delivery &delivery, std::string &error)
{
    struct mail_storage_service_ctx *sctx =
        mail_storage_service_user_get_service_ctx(own_user_->_service_user);
    struct mail_storage_service_input input;
    i_zero(&input);
    input.username = delivery.recipient_user.c_str();
    /* Same module and service as this process's own login lookup: the
       settings then come from its cache. A process that already dropped
       privileges cannot reach the config socket again. */
    input.module = own_user_->service;
    input.service = own_user_->service;
    const saved_ids ids = save_ids();
    input.flags_override_add = (enum mail_storage_service_flags)(
        MAIL_STORAGE_SERVICE_FLAG_USERDB_LOOKUP | MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
        (ids.can_switch ? MAIL_STORAGE_SERVICE_FLAG_TEMP_PRIV_DROP
                        : MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS));
    input.flags_override_remove = MAIL_STORAGE_SERVICE_FLAG_NO_NAMESPACES;

    struct mail_storage_service_user *suser;
    struct mail_user *user;
    const char *lookup_error;
    int ret = mail_storage_service_lookup_next(sctx, &input, &suser, &user, &lookup_error);
    if (ret <= 0) {
        error = ret == 0 ? "no such user: " + delivery.recipient_user
                         : std::string("opening ") + delivery.recipient_user + ": " + lookup_error;
        /* Nothing was activated: this process's own user still is. */
        restore_ids(ids);
        return nullptr;
    }
    return std::make_unique<OpenedRecipientMailbox>(own_user_, suser, user, delivery, templates_,
                                                    ids);
}

std::unique_ptr<recall::RecipientMailbox> recall_user_mailbox(struct mail_user *user,
                                                              const recall::Delivery &delivery,
                                                              const recall_templates &templates)
{
    return std::make_unique<UserMailbox>(user, delivery, templates);
}
