/* The API differences between Dovecot 2.3 and 2.4 in doveadm's module:
   command parameters, a mail command's init, opening a user, and recall's
   own settings in doveadm's configuration (doveadm-recall-settings-*.cpp). */
#pragma once

extern "C" {
#include "lib.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "doveadm-mail.h"
}

/* One doveadm_cmd_param (2.4 added the key, the name a setting would use). */
#if DOVECOT_PREREQ(2, 4, 0)
#define RECALL_CMD_PARAM(opt, name, type, flags) {opt, name, name, type, false, {}, flags}
#define RECALL_CMD_PARAMS_END {'\0', NULL, NULL, CMD_PARAM_BOOL, false, {}, CMD_PARAM_FLAG_NONE}
#else
#define RECALL_CMD_PARAM(opt, name, type, flags) {opt, name, type, false, {}, flags}
#define RECALL_CMD_PARAMS_END {'\0', NULL, CMD_PARAM_BOOL, false, {}, CMD_PARAM_FLAG_NONE}
#endif

/* DOVEADM_CMD_MAIL_COMMON, which does not compile in C++. */
#if DOVECOT_PREREQ(2, 4, 0)
#define RECALL_CMD_MAIL_COMMON_VERSION \
    RECALL_CMD_PARAM('\0', "no-userdb-lookup", CMD_PARAM_BOOL, CMD_PARAM_FLAG_NONE),
#else
#define RECALL_CMD_MAIL_COMMON_VERSION
#endif
#define RECALL_CMD_MAIL_COMMON                                                  \
    RECALL_CMD_PARAM('A', "all-users", CMD_PARAM_BOOL, CMD_PARAM_FLAG_NONE),     \
    RECALL_CMD_PARAM('S', "socket-path", CMD_PARAM_STR, CMD_PARAM_FLAG_NONE),    \
    RECALL_CMD_PARAM('u', "user", CMD_PARAM_STR, CMD_PARAM_FLAG_NONE),           \
    RECALL_CMD_PARAM('\0', "trans-flags", CMD_PARAM_INT64, CMD_PARAM_FLAG_NONE), \
    RECALL_CMD_MAIL_COMMON_VERSION                                              \
    RECALL_CMD_PARAM('F', "user-file", CMD_PARAM_ISTREAM, CMD_PARAM_FLAG_NONE)

/* A mail command's init: its arguments are read from ctx->cctx by name
   (doveadm_cmd_param_str), which both versions give. */
#if DOVECOT_PREREQ(2, 4, 0)
#define RECALL_DOVEADM_MAIL_INIT(name) void name(struct doveadm_mail_cmd_context *_ctx) noexcept
#else
#define RECALL_DOVEADM_MAIL_INIT(name) \
    void name(struct doveadm_mail_cmd_context *_ctx, const char *const *) noexcept
#endif

/* A storage service of doveadm's own (2.3 also took settings roots). */
inline struct mail_storage_service_ctx *
recall_doveadm_storage_init(enum mail_storage_service_flags flags)
{
#if DOVECOT_PREREQ(2, 4, 0)
    return mail_storage_service_init(master_service, flags);
#else
    return mail_storage_service_init(master_service, NULL, flags);
#endif
}

/* mail_storage_service_lookup_next(), the user holding its own reference
   to the service user (released by mail_user_deinit()). */
inline int recall_doveadm_user_open(struct mail_storage_service_ctx *storage,
                                    const struct mail_storage_service_input *input,
                                    struct mail_user **user_r, const char **error_r)
{
#if DOVECOT_PREREQ(2, 4, 0)
    return mail_storage_service_lookup_next(storage, input, user_r, error_r);
#else
    struct mail_storage_service_user *suser;
    int ret = mail_storage_service_lookup_next(storage, input, &suser, user_r, error_r);
    if (ret > 0)
        mail_storage_service_user_unref(&suser);
    return ret;
#endif
}

/* Recall's settings in doveadm's own configuration (no user): the default
   ledger's file and what names the ledger (recall-ledger-open.h); NULL
   when unset. */
const char *doveadm_recall_sqlite_ledger(void);
const char *doveadm_recall_ledger_name(void);
