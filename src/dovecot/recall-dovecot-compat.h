/* The small API differences between Dovecot 2.3 and 2.4 on the mail side,
   each behind one inline function; the larger ones have their own adapter
   files (recall-settings-source-*, recall-ledger-open-*). configure says
   which Dovecot this build is for; DOVECOT_PREREQ comes from its headers. */
#pragma once

extern "C" {
#include "lib.h"
#include "net.h"
#include "mail-user.h"
#include "mail-storage.h"
#include "mail-storage-service.h"
#include "http-client.h"
#include "master-service.h"
#if DOVECOT_PREREQ(2, 4, 0)
#include "settings.h"
#include "acl-settings.h"   /* its types only */
#include "mail-storage-private.h" /* mailbox::event */
#include "json-generator.h" /* json_append_escaped() */
#else
#include "json-parser.h"    /* json_append_escaped() */
#endif
}

#include <dlfcn.h>

inline struct mail_storage_service_user *recall_service_user(struct mail_user *user)
{
#if DOVECOT_PREREQ(2, 4, 0)
    return user->service_user;
#else
    return user->_service_user;
#endif
}

/* The client's address, NULL when the session has none (2.4 gives
   doveadm's and opened users an unset one). */
inline const struct ip_addr *recall_user_remote_ip(struct mail_user *user)
{
    const struct ip_addr *ip = user->conn.remote_ip;
    return ip != NULL && ip->family != 0 ? ip : NULL;
}

/* Opening another user as this process's own lookups do, so that the
   settings come from its cache (2.3 needs the module named). */
inline void recall_storage_input_set_service(struct mail_storage_service_input *input,
                                             const char *service)
{
#if !DOVECOT_PREREQ(2, 4, 0)
    input->module = service;
#endif
    input->service = service;
}

/* A setting of one opened user only. */
inline int recall_user_override(struct mail_storage_service_user *suser, const char *key,
                                const char *value, const char **error_r)
{
#if DOVECOT_PREREQ(2, 4, 0)
    settings_override(mail_storage_service_user_get_settings_instance(suser), key, value,
                      SETTINGS_OVERRIDE_TYPE_CODE);
    return 0;
#else
    return mail_storage_service_user_set_setting(suser, key, value, error_r);
#endif
}

/* An HTTP client that tries each request once, within timeout_msecs.
   2.4's client keeps the settings it is given (and frees them with their
   pool when it ends): they live in a pool of their own. */
inline struct http_client *recall_http_client_create(struct mail_user *user,
                                                     unsigned int timeout_msecs)
{
#if DOVECOT_PREREQ(2, 4, 0)
    pool_t pool = pool_alloconly_create("recall http client settings", 512);
    struct http_client_settings *set = p_new(pool, struct http_client_settings, 1);
    http_client_settings_init(pool, set);
    set->auto_retry = FALSE;
    set->request_max_attempts = 1;
    set->dns_client_socket_path = p_strconcat(pool, user->set->base_dir, "/dns-client", NULL);
    set->request_timeout_msecs = timeout_msecs;
    set->connect_timeout_msecs = timeout_msecs;
    set->max_connect_attempts = 1;
    struct http_client *client = http_client_init(set, user->event);
    pool_unref(&pool); /* the settings hold their own reference */
    return client;
#else
    struct http_client_settings set;
    i_zero(&set);
    set.no_auto_retry = TRUE;
    set.max_attempts = 1;
    set.event_parent = user->event;
    set.dns_client_socket_path = t_strconcat(user->set->base_dir, "/dns-client", NULL);
    set.request_timeout_msecs = timeout_msecs;
    set.connect_timeout_msecs = timeout_msecs;
    set.max_connect_attempts = 1;
    return http_client_init(&set);
#endif
}

/* Whether this process ends after its client, so that a timer set now
   may never run while users can still be opened: 2.4's default for lmtp
   (restart_request_count = 1). 2.3 gives no getter, and its lmtp serves
   clients until idle by default (service_count = 0). */
inline bool recall_process_ends_after_client(void)
{
#if DOVECOT_PREREQ(2, 4, 0)
    return master_service_get_restart_request_count(master_service) == 1;
#else
    return false;
#endif
}

/* Whether ACLs are on for the mailbox: only then does the acl plugin give
   it an ACL object (asking for it otherwise panics). 2.3: an "acl"
   plugin setting; 2.4: a non-empty acl_driver, read with the acl plugin's
   own settings info (looked up: the plugin is optional). */
inline bool recall_acl_configured(struct mailbox *box, struct mail_user *user)
{
#if DOVECOT_PREREQ(2, 4, 0)
    (void)user;
    static const struct setting_parser_info *info =
        (const struct setting_parser_info *)dlsym(RTLD_DEFAULT, "acl_setting_parser_info");
    const struct acl_settings *set;
    const char *error;
    if (info == NULL || (settings_get)(box->event, info, (enum settings_get_flags)0, __FILE__, __LINE__,
                                       (const void **)&set, &error) < 0)
        return false;
    bool on = set->acl_driver[0] != '\0';
    settings_free(set);
    return on;
#else
    (void)box;
    return mail_user_plugin_getenv(user, "acl") != NULL;
#endif
}
