#include "recall-copy-instances.h"
#include "recall-acl.h"
#include "recall-content-digest.h"
#include "recall-fetched-mark.h"
#include "recall-mail-transaction.h"
#include "recall-message-fields.h"

extern "C" {
#include "lib.h"
#include "array.h"
#include "mail-namespace.h"
#include "mail-search-build.h"
#include "mail-storage.h"
#include "mailbox-list-iter.h"
#include "seq-range-array.h"
}

#include <functional>

struct mailbox *recall_open_folder(struct mail_user *user, const std::string &vname,
                                   std::string &error)
{
    struct mail_namespace *ns = mail_namespace_find(user->namespaces, vname.c_str());
    struct mailbox *box = mailbox_alloc(ns->list, vname.c_str(), (enum mailbox_flags)0);
    if (mailbox_open(box) == 0)
        return box;
    enum mail_error code;
    const char *text = mailbox_get_last_internal_error(box, &code);
    if (code != MAIL_ERROR_NOTFOUND)
        error = vname + ": " + text;
    mailbox_free(&box);
    return NULL;
}

struct mailbox *RecallOpenFolders::opened(const std::string &vname, std::string &error)
{
    auto found = boxes_.find(vname);
    if (found != boxes_.end())
        return found->second;
    struct mailbox *box = recall_open_folder(user_, vname, error);
    if (box != NULL)
        boxes_.emplace(vname, box);
    return box;
}

struct mailbox *RecallOpenFolders::synced(const std::string &vname, std::string &error)
{
    struct mailbox *box = opened(vname, error);
    if (box == NULL || mailbox_sync(box, (enum mailbox_sync_flags)0) == 0)
        return box;
    error = vname + ": " + mailbox_get_last_internal_error(box, NULL);
    return NULL;
}

void RecallOpenFolders::close()
{
    for (auto &entry : boxes_)
        mailbox_free(&entry.second);
    boxes_.clear();
}

namespace {

struct mailbox_status uid_status(struct mailbox *box)
{
    struct mailbox_status status;
    mailbox_get_open_status(box, (enum mailbox_status_items)(STATUS_UIDVALIDITY | STATUS_UIDNEXT),
                            &status);
    return status;
}

} // namespace

void RecallOpenFolders::note_search(const std::string &vname, struct mailbox *box)
{
    struct mailbox_status status = uid_status(box);
    searched_[vname] = Searched{status.uidvalidity, status.uidnext};
}

uint32_t RecallOpenFolders::unsearched_from(const std::string &vname, struct mailbox *box) const
{
    auto found = searched_.find(vname);
    if (found == searched_.end() || found->second.uidvalidity != uid_status(box).uidvalidity)
        return 1;
    return found->second.uidnext;
}

namespace {

void search_guid(struct mailbox *box, const std::string &vname, const std::string &guid,
                 uint32_t from_uid, std::vector<recall_copy_instance> &out)
{
    std::vector<uint32_t> uids;
    recall_guid_uids(box, guid, uids, from_uid);
    for (uint32_t uid : uids)
        out.push_back(recall_copy_instance{vname, uid});
}

/* The instances of known in box that are still there. */
void still_there(struct mailbox *box, const std::string &vname,
                 const std::vector<recall_copy_instance> &known,
                 std::vector<recall_copy_instance> &out)
{
    MailTransaction t(box, (enum mailbox_transaction_flags)0);
    for (const recall_copy_instance &instance : known) {
        if (instance.vname == vname && mail_set_uid(t.mail(), instance.uid))
            out.push_back(instance);
    }
}

} // namespace

void recall_guid_uids(struct mailbox *box, const std::string &guid, std::vector<uint32_t> &uids,
                      uint32_t from_uid)
{
    struct mail_search_args *args = mail_search_build_init();
    struct mail_search_arg *arg = mail_search_build_add(args, SEARCH_GUID);
    arg->value.str = p_strdup(args->pool, guid.c_str());
    if (from_uid > 1) {
        arg = mail_search_build_add(args, SEARCH_UIDSET);
        p_array_init(&arg->value.seqset, args->pool, 1);
        seq_range_array_add_range(&arg->value.seqset, from_uid, (uint32_t)-1);
    }
    MailSearch search(box, args);
    struct mail *mail;
    while (search.next(&mail))
        uids.push_back(mail->uid);
}

namespace {

/* Which messages of a folder a search looks at: all, or (for the check
   after a removal) those it had found and those that arrived since. */
enum class Scope { All, SinceLastSearch };

/* Synced first: what another process changed (an expunge that an
   earlier, interrupted run left to be synced) must be seen. */
bool find_in(RecallOpenFolders &folders, const std::string &vname, const std::string &guid,
             Scope scope, const std::vector<recall_copy_instance> &known,
             std::vector<recall_copy_instance> &out, std::string &error)
{
    struct mailbox *box = folders.synced(vname, error);
    if (box == NULL)
        return error.empty();
    uint32_t from_uid = scope == Scope::All ? 1 : folders.unsearched_from(vname, box);
    folders.note_search(vname, box);
    if (from_uid > 1)
        still_there(box, vname, known, out);
    search_guid(box, vname, guid, from_uid, out);
    return true;
}

/* How current a folder must be for fn: as the search that found the
   instances just left it (reading them), or synced again (expunging them
   after the ledger's intent was written). The search after an expunge
   syncs each folder, which makes the expunges take effect. */
enum class FolderView { AsFound, SyncedNow };

/* Runs fn on each instance's mail, one transaction per folder. */
bool for_each_instance(RecallOpenFolders &folders,
                       const std::vector<recall_copy_instance> &instances,
                       enum mail_fetch_field fields, FolderView view,
                       const std::function<void(struct mail *)> &fn, std::string &error)
{
    for (size_t i = 0; i < instances.size();) {
        const std::string &vname = instances[i].vname;
        struct mailbox *box = view == FolderView::AsFound ? folders.opened(vname, error)
                                                          : folders.synced(vname, error);
        if (box == NULL) {
            if (error.empty())
                error = vname + ": no longer exists";
            return false;
        }
        /* Not an EXTERNAL transaction: that would tell maildir the file is
           already gone, and the message would reappear. */
        MailTransaction t(box, (enum mailbox_transaction_flags)0, fields);
        for (; i < instances.size() && instances[i].vname == vname; i++) {
            if (mail_set_uid(t.mail(), instances[i].uid))
                fn(t.mail());
        }
        if (t.commit() < 0) {
            error = vname + ": " + mailbox_get_last_internal_error(box, NULL);
            return false;
        }
    }
    return true;
}

/* The copy itself must name what the record says: a record written into
   the ledger by anyone who reaches the dict cannot point a recall at
   another sender's copy. Return-Path is checked where delivery wrote one
   (LMTP always does); the digest where the record has one. */
/* 1 if it is, 0 if not, -1 when the mail cannot be read. */
int is_recorded_message(struct mail *mail, const recall::Delivery &delivery)
{
    const char *message_id, *return_path;
    if (mail_get_first_header(mail, "Message-ID", &message_id) < 0 ||
        mail_get_first_header(mail, "Return-Path", &return_path) < 0)
        return -1;
    if (message_id == NULL || recall_normalize_message_id(message_id) != delivery.message_id)
        return 0;
    if (return_path != NULL &&
        recall::return_path_address(return_path) != recall::lower_ascii(delivery.sender))
        return 0;
    if (delivery.digest.empty())
        return 1;
    std::string digest = recall_content_digest(mail);
    if (digest.empty())
        return -1;
    return digest == delivery.digest ? 1 : 0;
}

/* Adds what one instance says to facts; false when it cannot be read
   (then it is neither proven genuine nor proven foreign). */
bool inspect_instance(struct mail *mail, const recall::Delivery &delivery,
                      recall::CopyFacts &facts)
{
    int genuine = is_recorded_message(mail, delivery);
    if (mail->expunged)
        return true; /* gone meanwhile: not an instance any more */
    if (genuine < 0)
        return false;
    facts.present = true;
    facts.seen = facts.seen || (mail_get_flags(mail) & MAIL_SEEN) != 0;
    facts.fetched = facts.fetched || recall_fetched_mark_get(mail);
    /* Rule 6: where the copy lies, and whether it was forwarded. */
    facts.shared = facts.shared ||
                   mailbox_get_namespace(mail->box)->type != MAIL_NAMESPACE_TYPE_PRIVATE ||
                   recall_mailbox_shared_by_acl(mail->box) == 1 ||
                   str_array_icase_find(mail_get_keywords(mail), "$Forwarded");
    facts.genuine = facts.genuine && genuine == 1;
    return true;
}

} // namespace

bool recall_for_each_uid(struct mailbox *box, const std::vector<uint32_t> &uids,
                         const std::function<void(struct mail *)> &fn,
                         enum mailbox_sync_flags sync_flags)
{
    MailTransaction t(box, (enum mailbox_transaction_flags)0);
    for (uint32_t uid : uids) {
        if (mail_set_uid(t.mail(), uid))
            fn(t.mail());
    }
    return t.commit() == 0 &&
           mailbox_sync(box, sync_flags) == 0;
}

bool recall_for_each_private_folder(struct mail_user *user,
                                    const std::function<bool(const struct mailbox_info *)> &fn)
{
    static const char *const patterns[] = {"*", NULL};
    struct mailbox_list_iterate_context *iter = mailbox_list_iter_init_namespaces(
        user->namespaces, patterns, MAIL_NAMESPACE_TYPE_PRIVATE,
        (enum mailbox_list_iter_flags)(MAILBOX_LIST_ITER_RETURN_NO_FLAGS |
                                       MAILBOX_LIST_ITER_NO_AUTO_BOXES));
    const struct mailbox_info *info;
    bool go_on = true;
    while (go_on && (info = mailbox_list_iter_next(iter)) != NULL) {
        if ((info->flags & (MAILBOX_NOSELECT | MAILBOX_NONEXISTENT)) == 0)
            go_on = fn(info);
    }
    return mailbox_list_iter_deinit(&iter) == 0;
}

namespace {

bool find_all(RecallOpenFolders &folders, const recall::Delivery &delivery, Scope scope,
              const std::vector<recall_copy_instance> &known,
              std::vector<recall_copy_instance> &out, std::string &error)
{
    out.clear();
    if (!find_in(folders, delivery.mailbox, delivery.guid, scope, known, out, error))
        return false;
    bool listed =
        recall_for_each_private_folder(folders.user(), [&](const struct mailbox_info *info) {
            if (delivery.mailbox != info->vname)
                (void)find_in(folders, info->vname, delivery.guid, scope, known, out, error);
            return error.empty();
        });
    if (!listed && error.empty())
        error = "listing mailboxes failed";
    return error.empty();
}

} // namespace

bool recall_copy_instances_find(RecallOpenFolders &folders, const recall::Delivery &delivery,
                                std::vector<recall_copy_instance> &out, std::string &error)
{
    return find_all(folders, delivery, Scope::All, {}, out, error);
}

bool recall_copy_instances_inspect(RecallOpenFolders &folders, const recall::Delivery &delivery,
                                   const std::vector<recall_copy_instance> &instances,
                                   recall::CopyFacts &facts, std::string &error)
{
    facts = recall::CopyFacts();
    bool readable = true;
    bool ok = for_each_instance(
        folders, instances, MAIL_FETCH_FLAGS, FolderView::AsFound,
        [&](struct mail *mail) {
            if (!inspect_instance(mail, delivery, facts) && readable) {
                readable = false;
                error = std::string(mailbox_get_vname(mail->box)) + ": " +
                        mailbox_get_last_internal_error(mail->box, NULL);
            }
        },
        error);
    return ok && readable;
}

bool recall_copy_instances_expunge(RecallOpenFolders &folders, const recall::Delivery &delivery,
                                   const std::vector<recall_copy_instance> &instances,
                                   std::string &error)
{
    if (!for_each_instance(folders, instances, (enum mail_fetch_field)0, FolderView::SyncedNow,
                           [](struct mail *mail) { mail_expunge(mail); }, error)) {
        error = "expunge: " + error;
        return false;
    }
    return recall_copy_instances_none_left(folders, delivery, instances, "the expunge", error);
}

bool recall_copy_instances_none_left(RecallOpenFolders &folders,
                                     const recall::Delivery &delivery,
                                     const std::vector<recall_copy_instance> &known,
                                     const char *after, std::string &error)
{
    std::vector<recall_copy_instance> left;
    if (!find_all(folders, delivery, Scope::SinceLastSearch, known, left, error))
        return false;
    if (!left.empty())
        error = std::to_string(left.size()) + " instance(s) still in " + left[0].vname +
                " after " + after;
    return left.empty();
}
