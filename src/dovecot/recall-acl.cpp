/* Dovecot's acl plugin is optional: its functions are looked up when
   first needed (modules are loaded RTLD_GLOBAL), so that this plugin loads
   and works without it. Only its types come from its headers. */
#include "recall-acl.h"
#include "recall-dovecot-compat.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "mail-namespace.h"
#include "mail-storage.h"
#include "mail-user.h"
#include "acl-api.h"
}

#include <dlfcn.h>

namespace {

struct acl_functions {
    struct acl_object *(*get_aclobj)(struct mailbox *);
    struct acl_object_list_iter *(*list_init)(struct acl_object *);
    bool (*list_next)(struct acl_object_list_iter *, struct acl_rights *);
    int (*list_deinit)(struct acl_object_list_iter **);
};

template <typename F> void lookup(F &function, const char *name)
{
    function = reinterpret_cast<F>(dlsym(RTLD_DEFAULT, name));
}

/* Looked up once per process. Only a user with an acl setting gets here,
   so the warning is for an admin who uses ACLs but did not load the acl
   plugin in this protocol: once per process, and never for a server
   without ACLs. */
const acl_functions *acl_plugin(struct mail_user *user)
{
    static acl_functions acl;
    static bool looked_up = false;
    if (!looked_up) {
        looked_up = true;
        lookup(acl.get_aclobj, "acl_mailbox_get_aclobj");
        lookup(acl.list_init, "acl_object_list_init");
        lookup(acl.list_next, "acl_object_list_next");
        lookup(acl.list_deinit, "acl_object_list_deinit");
        if (acl.get_aclobj == NULL || acl.list_init == NULL || acl.list_next == NULL ||
            acl.list_deinit == NULL)
            e_warning(recall_user_event(user), "acl is set, but the acl plugin is not in "
                      "mail_plugins for %s: mailboxes shared by ACL are not detected, "
                      "so their copies can be recalled", user->service);
    }
    return acl.list_deinit != NULL && acl.get_aclobj != NULL && acl.list_init != NULL &&
                   acl.list_next != NULL
               ? &acl
               : NULL;
}

/* Global (admin-wide) entries and the owner's own entries share nothing. */
bool grants_someone_else(const struct acl_rights &rights, const char *owner)
{
    if (rights.global || rights.id_type == ACL_ID_OWNER ||
        (rights.id_type == ACL_ID_USER && strcmp(rights.identifier, owner) == 0))
        return false;
    return rights.rights != NULL && rights.rights[0] != NULL;
}

} // namespace

int recall_mailbox_shared_by_acl(struct mailbox *box)
{
    struct mail_user *user = mailbox_get_namespace(box)->user;
    /* Without ACLs configured the plugin gives mailboxes no ACL context,
       and asking for their ACL object would panic; nor is anything shared. */
    if (!recall_acl_configured(box, user))
        return -1;
    const acl_functions *acl = acl_plugin(user);
    if (acl == NULL)
        return -1;
    struct acl_object_list_iter *iter = acl->list_init(acl->get_aclobj(box));
    struct acl_rights rights;
    bool shared = false;
    while (!shared && acl->list_next(iter, &rights))
        shared = grants_someone_else(rights, user->username);
    if (acl->list_deinit(&iter) < 0)
        return -1;
    return shared ? 1 : 0;
}
