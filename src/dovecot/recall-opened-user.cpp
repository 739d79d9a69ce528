#include "recall-opened-user.h"
#include "recall-dovecot-compat.h"

extern "C" {
#include "lib.h"
#include "mail-storage-service.h"
#include "mail-user.h"
}

namespace {

/* How long a recall waits for a lock in one recipient's mailbox. */
const char *const kRecipientLockTimeout = "2s";

} // namespace

RecallOpenedUser::~RecallOpenedUser()
{
    mail_storage_service_io_deactivate_user(suser_);
    mail_user_deinit(&user_);
    mail_storage_service_user_unref(&suser_);
    recall_restore_ids(ids_);
    if (own_suser_ != NULL)
        mail_storage_service_io_activate_user(own_suser_);
}

std::unique_ptr<RecallOpenedUser>
RecallOpenedUser::open(struct mail_storage_service_ctx *storage, const char *service,
                       struct mail_storage_service_user *own_suser, const std::string &username,
                       std::string &error)
{
    struct mail_storage_service_input input;
    i_zero(&input);
    input.username = username.c_str();
    /* Same module and service as this process's own lookups: the
       settings then come from its cache. A process that already dropped
       privileges cannot reach the config socket again. */
    recall_storage_input_set_service(&input, service);
    const recall_saved_ids ids = recall_save_ids();
    input.flags_override_add = (enum mail_storage_service_flags)(
        MAIL_STORAGE_SERVICE_FLAG_USERDB_LOOKUP | MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR |
        (ids.can_switch ? MAIL_STORAGE_SERVICE_FLAG_TEMP_PRIV_DROP
                        : MAIL_STORAGE_SERVICE_FLAG_NO_RESTRICT_ACCESS));
    input.flags_override_remove = MAIL_STORAGE_SERVICE_FLAG_NO_NAMESPACES;

    struct mail_storage_service_user *suser;
    struct mail_user *user;
    const char *lookup_error;
    int ret = mail_storage_service_lookup(storage, &input, &suser, &lookup_error);
    if (ret > 0) {
        /* A recipient whose mailbox is locked (or hung) fails alone after
           a few seconds, instead of holding the whole recall and the
           sender's lock for Dovecot's default of minutes. */
        if (recall_user_override(suser, "mail_max_lock_timeout", kRecipientLockTimeout,
                                 &lookup_error) < 0 ||
            mail_storage_service_next(storage, suser, &user, &lookup_error) < 0) {
            mail_storage_service_user_unref(&suser);
            ret = -1;
        }
    }
    if (ret <= 0) {
        error = ret == 0 ? "no such user: " + username
                         : std::string("opening ") + username + ": " + lookup_error;
        /* Nothing was activated: this process's own user still is. */
        recall_restore_ids(ids);
        return nullptr;
    }
    return std::unique_ptr<RecallOpenedUser>(new RecallOpenedUser(suser, user, ids, own_suser));
}
