/* The per-user context of lib90_recall_plugin (internal to it): the
   user's settings, event and ledger, and the state of each surface that
   works for the user (recall-delivery-state.h, recall-access-state.h). */
#pragma once

#include <optional>
#include <string>
#include <vector>

extern "C" {
#include "lib.h"
#include "net.h"
#include "mail-user.h"
#include "module-context.h"
}

#include "../core/recall-settings.hpp"
#include "recall-access-state.h"
#include "recall-delivery-state.h"
#include "recall-templates.h"
#include "recall-plugin-api.h"

struct dict;
struct fs;

struct recall_network {
    struct ip_addr ip;
    unsigned int bits;
};

struct recall_user_state {
    /* The user's recall event (recall-log.h): every message about it. */
    struct event *event = nullptr;
    recall::Settings settings;
    /* The notice and report templates, read at the first recall. */
    std::optional<recall_templates> templates;
    std::vector<recall_network> webmail_networks;
    /* recall_host_password: the doveadm_password a recall uses on the
       other backends' doveadm HTTP API. */
    std::string host_password;
    /* What names the ledger's dict (recall-ledger-open.h). */
    std::string dict_uri;
    /* recall_sqlite_ledger: the default ledger's file, created when missing. */
    std::string sqlite_ledger;
    struct dict *dict = nullptr; /* opened on first use */
    struct fs *listing_fs = nullptr; /* with dict, for an fs: ledger */
    recall_delivery_state delivery;
    recall_access_state access;
};

struct recall_user {
    union mail_user_module_context module_ctx;
    struct recall_user_state *state;
};

extern MODULE_CONTEXT_DEFINE(recall_user_module, &mail_user_module_register);
#define RECALL_USER_CONTEXT(obj) \
    ((struct recall_user *)MODULE_CONTEXT(obj, recall_user_module))

/* recall_plugin_api's user functions. */
struct recall_user *recall_user_get(struct mail_user *user) noexcept;
const recall::Settings &recall_user_settings(const struct recall_user *ruser) noexcept;
bool recall_user_is_webmail(const struct recall_user *ruser, const struct ip_addr *ip) noexcept;
void recall_user_set_envelope(struct mail_user *rcpt_user,
                              const recall_envelope &envelope) noexcept;
/* The user's notice and report templates, read once (on first use) and
   kept for the user, like its settings; NULL with error when one cannot be
   read (tried again next time). */
const recall_templates *recall_user_templates(struct recall_user *ruser,
                                              std::string &error) noexcept;
/* The user's recall event; for a user recall is not enabled for, the
   user's own event. */
struct event *recall_user_event(struct mail_user *user) noexcept;
const char *recall_user_sqlite_ledger(struct mail_user *user) noexcept;

/* The ledger dict, opened on first use; NULL with error_r on failure. */
struct dict *recall_user_dict(struct mail_user *user, struct recall_user *ruser,
                              const char **error_r);
