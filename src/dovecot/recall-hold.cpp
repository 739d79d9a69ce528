#include "recall-hold.h"
#include "recall-mail-transaction.h"
#include "recall-message-fields.h"
#include "recall-mailbox-list-private.h"
#include "recall-vfuncs.h"

extern "C" {
#include "lib.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
#include "mailbox-list-iter.h"
#include "strnum.h"
}

#include <algorithm>
#include <functional>

namespace {

const std::string kHoldRoot = "dovecot-recall-hold";

/* The hold is reachable only inside recall's own operations on it, which
   run to their end without returning to the ioloop. */
unsigned int hold_access = 0;

class HoldAccess {
public:
    HoldAccess() { hold_access++; }
    ~HoldAccess() { hold_access--; }
    HoldAccess(const HoldAccess &) = delete;
    HoldAccess &operator=(const HoldAccess &) = delete;
};

/* The part of a vname after its namespace prefix, or NULL when it lies
   outside it (INBOX of a namespace with prefix "INBOX."). */
const char *after_prefix(const struct mail_namespace *ns, const char *vname)
{
    size_t len = strlen(ns->prefix);
    return strncmp(vname, ns->prefix, len) == 0 ? vname + len : NULL;
}

bool is_hold_name(struct mail_namespace *ns, const char *vname)
{
    const char *rest = after_prefix(ns, vname);
    if (rest == NULL || strncmp(rest, kHoldRoot.c_str(), kHoldRoot.size()) != 0)
        return false;
    char end = rest[kHoldRoot.size()];
    return end == '\0' || end == mail_namespace_get_sep(ns);
}

std::string hold_name(struct mail_namespace *ns, const std::string &original, int64_t until)
{
    const char *rest = after_prefix(ns, original.c_str());
    const char sep = mail_namespace_get_sep(ns);
    return std::string(ns->prefix) + kHoldRoot + sep + std::to_string(until) + sep +
           (rest != NULL ? rest : original.c_str());
}

/* A held folder's end of hold and original folder; false for the root
   and the per-time parents. */
bool parse_hold_name(struct mail_namespace *ns, const char *vname, int64_t &until,
                     std::string &original)
{
    const char sep = mail_namespace_get_sep(ns);
    std::string rest(after_prefix(ns, vname) + kHoldRoot.size());
    size_t second = rest.find(sep, 1);
    if (rest.empty() || second == std::string::npos ||
        str_to_int64(rest.substr(1, second - 1).c_str(), &until) < 0)
        return false;
    std::string folder = rest.substr(second + 1);
    original = strcasecmp(folder.c_str(), "INBOX") == 0 ? "INBOX" : ns->prefix + folder;
    return true;
}

/* ---- keeping the hold out of reach ---- */

struct hold_list {
    union mailbox_list_module_context module_ctx;
};
MODULE_CONTEXT_DEFINE_INIT(recall_hold_list_module, &mailbox_list_module_register);
#define RECALL_HOLD_LIST_CONTEXT(obj) \
    ((struct hold_list *)MODULE_CONTEXT(obj, recall_hold_list_module))

struct hold_mailbox {
    union mailbox_module_context module_ctx;
};
MODULE_CONTEXT_DEFINE_INIT(recall_hold_mailbox_module, &mail_storage_module_register);
#define RECALL_HOLD_MAILBOX_CONTEXT(obj) \
    ((struct hold_mailbox *)MODULE_CONTEXT(obj, recall_hold_mailbox_module))

const struct mailbox_info *hold_iter_next(struct mailbox_list_iterate_context *ctx) noexcept
{
    struct hold_list *hlist = RECALL_HOLD_LIST_CONTEXT(ctx->list);
    const struct mailbox_info *info;
    while ((info = hlist->module_ctx.super.iter_next(ctx)) != NULL) {
        if (hold_access > 0 || !is_hold_name(info->ns, info->vname))
            break;
    }
    return info;
}

bool reachable(struct mailbox *box)
{
    return hold_access > 0 || !is_hold_name(box->list->ns, box->vname);
}

int refuse(struct mailbox *box)
{
    mail_storage_set_error(box->storage, MAIL_ERROR_NOTFOUND,
                           T_MAIL_ERR_MAILBOX_NOT_FOUND(box->vname));
    return -1;
}

const union mailbox_module_context &super_of(struct mailbox *box)
{
    return RECALL_HOLD_MAILBOX_CONTEXT(box)->module_ctx;
}

int hold_exists(struct mailbox *box, bool auto_boxes, enum mailbox_existence *existence_r) noexcept
{
    if (!reachable(box)) {
        *existence_r = MAILBOX_EXISTENCE_NONE;
        return 0;
    }
    return super_of(box).super.exists(box, auto_boxes, existence_r);
}

int hold_open(struct mailbox *box) noexcept
{
    return reachable(box) ? super_of(box).super.open(box) : refuse(box);
}

int hold_create_box(struct mailbox *box, const struct mailbox_update *update,
                    bool directory) noexcept
{
    if (reachable(box))
        return super_of(box).super.create_box(box, update, directory);
    mail_storage_set_error(box->storage, MAIL_ERROR_PARAMS, "This mailbox name is reserved");
    return -1;
}

int hold_delete_box(struct mailbox *box) noexcept
{
    return reachable(box) ? super_of(box).super.delete_box(box) : refuse(box);
}

int hold_rename_box(struct mailbox *src, struct mailbox *dest) noexcept
{
    if (!reachable(src))
        return refuse(src);
    if (!reachable(dest)) {
        mail_storage_set_error(src->storage, MAIL_ERROR_PARAMS, "This mailbox name is reserved");
        return -1;
    }
    return super_of(src).super.rename_box(src, dest);
}

int hold_get_status(struct mailbox *box, enum mailbox_status_items items,
                    struct mailbox_status *status_r) noexcept
{
    return reachable(box) ? super_of(box).super.get_status(box, items, status_r) : refuse(box);
}

int hold_get_metadata(struct mailbox *box, enum mailbox_metadata_items items,
                      struct mailbox_metadata *metadata_r) noexcept
{
    return reachable(box) ? super_of(box).super.get_metadata(box, items, metadata_r)
                          : refuse(box);
}

int hold_set_subscribed(struct mailbox *box, bool set) noexcept
{
    return reachable(box) ? super_of(box).super.set_subscribed(box, set) : refuse(box);
}

/* ---- moving copies ---- */

/* Carried by a copy on its way back into a visible folder until its move
   is done. Maildir keeps a message's flags in its file name, so the mark
   survives a crash that loses the GUID (kept in dovecot-uidlist, written
   after the file is in place): the next run can tell its own leftovers. */
const char *const kRestoringKeyword = "$RecallRestoring";

struct folder_guid_uids {
    struct mailbox *box;
    std::vector<uint32_t> uids;
};

/* Every change another process made, even one killed half-way: maildir
   would otherwise trust a new/ directory it has seen that second. */
const enum mailbox_sync_flags kFullRead = MAILBOX_SYNC_FLAG_FULL_READ;

/* The folder (created when asked and missing) and the GUID's UIDs in it;
   box NULL with error empty when it does not exist. */
folder_guid_uids open_with_uids(struct mail_user *user, const std::string &vname,
                                const std::string &guid, bool create, std::string &error)
{
    folder_guid_uids folder{recall_open_folder(user, vname, error), {}};
    if (folder.box == NULL && error.empty() && create) {
        struct mail_namespace *ns = mail_namespace_find(user->namespaces, vname.c_str());
        struct mailbox *box = mailbox_alloc(ns->list, vname.c_str(), (enum mailbox_flags)0);
        if (mailbox_create(box, NULL, false) < 0 &&
            mailbox_get_last_mail_error(box) != MAIL_ERROR_EXISTS)
            error = vname + ": " + mailbox_get_last_internal_error(box, NULL);
        mailbox_free(&box);
        if (error.empty())
            folder.box = recall_open_folder(user, vname, error);
    }
    if (folder.box == NULL)
        return folder;
    if (mailbox_sync(folder.box, kFullRead) < 0) {
        error = vname + ": " + mailbox_get_last_internal_error(folder.box, NULL);
        mailbox_free(&folder.box);
        return folder;
    }
    recall_guid_uids(folder.box, guid, folder.uids);
    return folder;
}

std::string last_error(struct mailbox *box)
{
    return std::string(mailbox_get_vname(box)) + ": " + mailbox_get_last_internal_error(box, NULL);
}

/* The mail's flags and keywords, plus mark when not NULL. */
void copy_flags(struct mail_save_context *save, struct mail *mail, const char *mark)
{
    if (mark == NULL) {
        mailbox_save_copy_flags(save, mail);
        return;
    }
    std::vector<const char *> names;
    for (const char *const *kw = mail_get_keywords(mail); *kw != NULL; kw++)
        names.push_back(*kw);
    names.push_back(mark);
    names.push_back(NULL);
    struct mail_keywords *keywords =
        mailbox_keywords_create_valid(save->transaction->box, names.data());
    mailbox_save_set_flags(save, mail_get_flags(mail), keywords);
    mailbox_keywords_unref(&keywords);
}

/* Copies the first `count` UIDs of from into to, flags, keywords (and
   mark) and GUID kept. The recipient's quota is not enforced on it: the
   copies only change place (the quota plugin enforces nothing on a
   transaction begun dsyncing). */
bool copy_uids(struct mail_user *user, folder_guid_uids &from, struct mailbox *to, size_t count,
               const char *mark, std::string &error)
{
    bool dsyncing = user->dsyncing;
    user->dsyncing = TRUE;
    struct mailbox_transaction_context *dest =
        mailbox_transaction_begin(to, MAILBOX_TRANSACTION_FLAG_EXTERNAL, "recall");
    user->dsyncing = dsyncing;
    MailTransaction src(from.box, (enum mailbox_transaction_flags)0);
    struct mail *mail = src.mail();
    bool ok = true;
    for (size_t i = 0; ok && i < count; i++) {
        if (!mail_set_uid(mail, from.uids[i]))
            continue; /* expunged meanwhile */
        struct mail_save_context *save = mailbox_save_alloc(dest);
        copy_flags(save, mail, mark);
        ok = mailbox_copy(&save, mail) == 0;
    }
    (void)src.commit();
    if (ok && mailbox_transaction_commit(&dest) == 0)
        return true;
    if (dest != NULL)
        mailbox_transaction_rollback(&dest);
    error = last_error(to);
    return false;
}

bool for_each_uid(struct mailbox *box, const std::vector<uint32_t> &uids,
                  const std::function<void(struct mail *)> &fn, std::string &error)
{
    if (recall_for_each_uid(box, uids, fn, MAILBOX_SYNC_FLAG_FULL_READ))
        return true;
    error = last_error(box);
    return false;
}

/* After a move back: the mark comes off the copies with the GUID, and a
   marked copy without it (its GUID lost by a crash before the rerun
   copied again) is expunged. */
bool finish_marked_copies(struct mailbox *box, const recall::Delivery &delivery,
                          std::string &error)
{
    std::vector<uint32_t> uids;
    if (recall_find_message_ids(box, delivery.message_id, uids) < 0) {
        error = last_error(box);
        return false;
    }
    static const char *const marks[] = {kRestoringKeyword, NULL};
    struct mail_keywords *mark = mailbox_keywords_create_valid(box, marks);
    bool ok = for_each_uid(box, uids, [&](struct mail *mail) {
        const char *guid;
        if (!str_array_find(mail_get_keywords(mail), kRestoringKeyword))
            return;
        if (mail_get_special(mail, MAIL_FETCH_GUID, &guid) == 0 && delivery.guid == guid)
            mail_update_keywords(mail, MODIFY_REMOVE, mark);
        else
            mail_expunge(mail);
    }, error);
    mailbox_keywords_unref(&mark);
    return ok;
}

/* A copy that an interrupted move committed may be seen only once this
   run's copy is committed (its process died holding the folder's lock):
   the target then holds more than the source had. The newest go; in a
   visible folder only marked ones, which are this move's. */
bool drop_excess(folder_guid_uids &to, size_t wanted, bool visible, std::string &error)
{
    size_t excess = to.uids.size() - wanted;
    std::vector<uint32_t> newest_first(to.uids.rbegin(), to.uids.rend());
    return for_each_uid(to.box, newest_first, [&](struct mail *mail) {
        if (excess > 0 &&
            (!visible || str_array_find(mail_get_keywords(mail), kRestoringKeyword))) {
            mail_expunge(mail);
            excess--;
        }
    }, error);
}

/* Moves the GUID's instances from one folder to another. What the target
   already holds of them came from an earlier, interrupted move: only the
   rest is copied, and the source's are expunged only once the target is
   seen to hold them all. Into a visible folder (restore) the copies carry
   the mark until the move is done. */
bool move_guid(struct mail_user *user, const std::string &from_vname,
               const std::string &to_vname, const recall::Delivery &delivery, bool visible,
               std::string &error)
{
    folder_guid_uids from = open_with_uids(user, from_vname, delivery.guid, false, error);
    if (from.box == NULL && !error.empty())
        return false;
    const size_t wanted = from.uids.size();
    folder_guid_uids to{NULL, {}};
    if (wanted > 0 || visible)
        to = open_with_uids(user, to_vname, delivery.guid, wanted > 0, error);
    bool ok = error.empty();
    if (ok && wanted > to.uids.size()) {
        ok = copy_uids(user, from, to.box, wanted - to.uids.size(),
                       visible ? kRestoringKeyword : NULL, error) &&
             mailbox_sync(to.box, kFullRead) == 0;
        to.uids.clear();
        if (ok)
            recall_guid_uids(to.box, delivery.guid, to.uids);
        if (ok && to.uids.size() < wanted) {
            error = to_vname + ": the copies are not there after the copy";
            ok = false;
        }
        if (ok && to.uids.size() > wanted)
            ok = drop_excess(to, wanted, visible, error);
    }
    if (ok && wanted > 0)
        ok = for_each_uid(from.box, from.uids, [](struct mail *mail) { mail_expunge(mail); },
                          error);
    if (ok && visible && to.box != NULL)
        ok = finish_marked_copies(to.box, delivery, error);
    if (to.box != NULL)
        mailbox_free(&to.box);
    if (from.box != NULL)
        mailbox_free(&from.box);
    return ok;
}

struct held_folder {
    std::string vname;
    std::string original;
    int64_t until;
};

/* Every held folder of the user's private namespaces. */
bool list_hold(struct mail_user *user, std::vector<held_folder> &out, std::string &error)
{
    bool listed = recall_for_each_private_folder(user, [&](const struct mailbox_info *info) {
        held_folder folder{info->vname, "", 0};
        if (is_hold_name(info->ns, info->vname) &&
            parse_hold_name(info->ns, info->vname, folder.until, folder.original))
            out.push_back(folder);
        return true;
    });
    if (!listed)
        error = "listing the hold failed";
    return listed;
}

/* Deletes a folder; a parent that only held folders may be a directory
   without mail, whose deletion fails harmlessly while it has children. */
void delete_folder(struct mail_user *user, const std::string &vname)
{
    struct mail_namespace *ns = mail_namespace_find(user->namespaces, vname.c_str());
    struct mailbox *box = mailbox_alloc(ns->list, vname.c_str(), (enum mailbox_flags)0);
    (void)mailbox_delete(box);
    mailbox_free(&box);
}

} // namespace

void recall_hold_mailbox_list_created(struct mailbox_list *list) noexcept
{
    struct hold_list *hlist;
    struct mailbox_list_vfuncs *v = recall_override_vfuncs(list, hlist);
    v->iter_next = hold_iter_next;
    MODULE_CONTEXT_SET_SELF(list, recall_hold_list_module, hlist);
}

void recall_hold_mailbox_allocated(struct mailbox *box) noexcept
{
    struct hold_mailbox *hbox;
    struct mailbox_vfuncs *v = recall_override_vfuncs(box, hbox);
    /* Any folder may be renamed into the hold's name. */
    v->rename_box = hold_rename_box;
    if (is_hold_name(box->list->ns, box->vname)) {
        v->exists = hold_exists;
        v->open = hold_open;
        v->create_box = hold_create_box;
        v->delete_box = hold_delete_box;
        v->get_status = hold_get_status;
        v->get_metadata = hold_get_metadata;
        v->set_subscribed = hold_set_subscribed;
    }
    MODULE_CONTEXT_SET_SELF(box, recall_hold_mailbox_module, hbox);
}

bool recall_hold_copy(struct mail_user *user, const recall::Delivery &delivery,
                      const std::vector<recall_copy_instance> &instances, std::string &error)
{
    std::vector<std::string> folders;
    for (const recall_copy_instance &instance : instances) {
        if (std::find(folders.begin(), folders.end(), instance.vname) == folders.end())
            folders.push_back(instance.vname);
    }
    {
        HoldAccess access;
        for (const std::string &vname : folders) {
            struct mail_namespace *ns = mail_namespace_find(user->namespaces, vname.c_str());
            if (!move_guid(user, vname, hold_name(ns, vname, delivery.held_until), delivery,
                           false, error)) {
                error = "hold: " + error;
                return false;
            }
        }
    }
    RecallOpenFolders opened(user); /* none searched yet: every folder whole */
    return recall_copy_instances_none_left(opened, delivery, {}, "the move into the hold", error);
}

bool recall_hold_restore(struct mail_user *user, const recall::Delivery &delivery,
                         std::string &error)
{
    HoldAccess access;
    std::vector<held_folder> held;
    if (!list_hold(user, held, error))
        return false;
    for (const held_folder &folder : held) {
        if (!move_guid(user, folder.vname, folder.original, delivery, true, error)) {
            error = "restore: " + error;
            return false;
        }
    }
    return true;
}

bool recall_hold_purge(struct mail_user *user, int64_t now, bool &waiting,
                       std::string &error) noexcept
{
    HoldAccess access;
    std::vector<held_folder> held;
    waiting = false;
    if (!list_hold(user, held, error))
        return false;
    for (const held_folder &folder : held) {
        if (folder.until > now) {
            waiting = true;
            continue;
        }
        delete_folder(user, folder.vname);
        struct mail_namespace *ns = mail_namespace_find(user->namespaces, folder.vname.c_str());
        std::string parent = hold_name(ns, "", folder.until);
        delete_folder(user, parent.substr(0, parent.size() - 1));
    }
    if (!waiting) {
        struct mail_namespace *ns = mail_namespace_find_inbox(user->namespaces);
        delete_folder(user, ns->prefix + kHoldRoot);
    }
    return true;
}
