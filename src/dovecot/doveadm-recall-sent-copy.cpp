#include "doveadm-recall-sent-copy.h"
#include "recall-plugin-api.h"

extern "C" {
#include "lib.h"
#include "mail-namespace.h"
#include "mailbox-list-iter.h"
#include "strfuncs.h"
}

SentCopy::SentCopy(struct mail_user *user, const std::string &message_id)
{
    static const char *const patterns[] = {"*", NULL};
    struct mailbox_list_iterate_context *iter = mailbox_list_iter_init_namespaces(
        user->namespaces, patterns, MAIL_NAMESPACE_TYPE_PRIVATE,
        (enum mailbox_list_iter_flags)(MAILBOX_LIST_ITER_SELECT_SPECIALUSE |
                                       MAILBOX_LIST_ITER_RETURN_SPECIALUSE));
    const struct mailbox_info *info;
    while (!transaction_ && (info = mailbox_list_iter_next(iter)) != NULL) {
        if (info->special_use != NULL &&
            str_array_icase_find(t_strsplit_spaces(info->special_use, " "), "\\Sent"))
            search(info->ns, info->vname, message_id);
    }
    (void)mailbox_list_iter_deinit(&iter);
}

SentCopy::~SentCopy()
{
    if (transaction_)
        (void)transaction_->commit();
    transaction_.reset();
    if (box_ != NULL)
        mailbox_free(&box_);
}

void SentCopy::search(struct mail_namespace *ns, const char *vname, const std::string &message_id)
{
    struct mailbox *box = mailbox_alloc(ns->list, vname, (enum mailbox_flags)0);
    uint32_t uid = 0;
    if (mailbox_open(box) < 0 || recall_plugin_api.find_message_id(box, message_id, &uid) < 0 ||
        uid == 0) {
        mailbox_free(&box);
        return;
    }
    box_ = box;
    transaction_ = std::make_unique<MailTransaction>(box, (enum mailbox_transaction_flags)0);
    mail_set_uid(transaction_->mail(), uid);
}
