/* The per-user context of lib90_recall_plugin (internal to it). */
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

extern "C" {
#include "lib.h"
#include "net.h"
#include "mail-user.h"
#include "module-context.h"
}

#include "../core/recall-delivery.hpp"
#include "../core/recall-settings.hpp"
#include "recall-ledger-dict.h"
#include "recall-plugin-api.h"

struct dict;
struct mailbox_transaction_context;

struct recall_network {
    struct ip_addr ip;
    unsigned int bits;
};

struct recall_saved_copies {
    std::string mailbox;
    std::vector<uint32_t> uids;
    std::vector<std::string> guids; /* chosen at save, same order; or empty */
};

struct recall_user_state {
    /* The user's recall event (recall-log.h): every message about it. */
    struct event *event = nullptr;
    recall::Settings settings;
    std::vector<recall_network> webmail_networks;
    /* recall_host_password: the doveadm_password a recall uses on the
       other backends' doveadm HTTP API. */
    std::string host_password;
    std::string dict_uri;
    struct dict *dict = nullptr; /* opened on first use */
    struct fs *listing_fs = nullptr; /* with dict, for an fs: ledger */
    /* Set by the delivery module for the recipient being delivered to. */
    recall_envelope envelope;
    /* GUIDs chosen for the copies of each open delivery transaction. */
    std::map<const struct mailbox_transaction_context *, std::vector<std::string>> save_guids;
    /* Copies delivered and committed, recorded when the user is done. */
    std::vector<recall_saved_copies> delivered;
    /* What was recorded, and whether the message had been recalled. */
    std::vector<recall::Delivery> recorded;
    DictLedger::RecalledAnswer *recalled_answer = nullptr;
    /* POP3, or IMAP from outside recall_webmail_networks: downloads of
       this session make copies FETCHED (rule 5). */
    bool tracks_downloads = false;
    std::set<std::string> marked; /* copies marked in this session */
    /* Marks not yet written: one transaction per ioloop pass. */
    std::vector<DictLedger::CopyMark> pending_marks;
    struct timeout *marks_flush = nullptr;
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
/* The user's recall event; for a user recall is not enabled for, the
   user's own event. */
struct event *recall_user_event(struct mail_user *user) noexcept;

/* The ledger dict, opened on first use; NULL with error_r on failure. */
struct dict *recall_user_dict(struct mail_user *user, struct recall_user *ruser,
                              const char **error_r);
