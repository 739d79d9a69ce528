/* lib90_recall_plugin: the mail plugin "recall". */
#include "recall-access-hook.h"
#include "recall-boundary.h"
#include "recall-content-digest.h"
#include "recall-remote-step.h"
#include "recall-delivery-batch.h"
#include "recall-delivery-transaction.h"
#include "recall-dict-wait.h"
#include "recall-dovecot-compat.h"
#include "recall-execute.h"
#include "recall-hold.h"
#include "recall-message-fields.h"
#include "recall-user-lifecycle.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "mail-storage-hooks.h"
#include "module-dir.h"
#include "master-service.h"

RECALL_EXPORT const char *recall_plugin_version = DOVECOT_ABI_VERSION;
RECALL_EXPORT void recall_plugin_init(struct module *module) noexcept;
RECALL_EXPORT void recall_plugin_deinit(void) noexcept;
}

const struct recall_plugin_api recall_plugin_api = {
    recall_user_get,
    recall_user_settings,
    recall_user_is_webmail,
    recall_user_set_envelope,
    recall_user_event,
    recall_user_sqlite_ledger,
    recall_content_digest,
    recall_normalize_message_id,
    recall_sender_copy_read,
    recall_find_message_id,
    recall_execute,
    recall_restore_execute,
    recall_remote_step,
    recall_hold_purge,
    recall_delivery_batch_replay,
};

static struct mail_storage_hooks recall_mail_storage_hooks;
/* For every user, recall enabled or not: held copies stay out of reach. */
static struct mail_storage_hooks recall_hold_hooks;

/* lmtp and lda only deliver: every copy they make is a delivery, which
   the delivery's own mailbox hook records. Elsewhere the other mailboxes
   watch the copies made into them (rules 5 and 6); lmtp's deliveries do
   not pay for the mailboxes Dovecot allocates itself (its mailbox list
   index syncs). */
static bool recall_watches_copies;

static void recall_mailbox_allocated(struct mailbox *box) noexcept
{
    recall_delivery_mailbox_allocated(box);
    if (recall_watches_copies)
        recall_access_mailbox_allocated(box);
}

void recall_plugin_init(struct module *module) noexcept
{
    recall_boundary_init();
    const char *service = master_service_get_name(master_service);
    recall_watches_copies = strcmp(service, "lmtp") != 0 && strcmp(service, "lda") != 0;
    recall_mail_storage_hooks.mail_user_created = recall_user_created;
    recall_mail_storage_hooks.mailbox_allocated = recall_mailbox_allocated;
    recall_mail_storage_hooks.mail_allocated = recall_access_mail_allocated;
    mail_storage_hooks_add(module, &recall_mail_storage_hooks);
    recall_hold_hooks.mailbox_list_created = recall_hold_mailbox_list_created;
    recall_hold_hooks.mailbox_allocated = recall_hold_mailbox_allocated;
    mail_storage_hooks_add(module, &recall_hold_hooks);
}

void recall_plugin_deinit(void) noexcept
{
    recall_delivery_batch_deinit();
    recall_dict_close_all();
    mail_storage_hooks_remove(&recall_hold_hooks);
    mail_storage_hooks_remove(&recall_mail_storage_hooks);
    recall_boundary_deinit();
}
