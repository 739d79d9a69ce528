/* The one door between lib90_recall_plugin and the imap, delivery and
   doveadm modules: a table of functions, the only symbol lib90 exports
   besides its module entry points. Every module is built with hidden
   visibility and carries its own static libstdc++, so nothing else of one
   module can bind to another's. Dovecot loads lib90 first with
   RTLD_GLOBAL; the later modules resolve recall_plugin_api when they load.

   Every function in the table is noexcept: a C++ exception never crosses
   from one module's runtime into another's (recall-boundary.h). */
#pragma once

#include <stdint.h>
#include <string>
#include <vector>

#include "../core/recall-engine.hpp"

#define RECALL_EXPORT __attribute__((visibility("default")))

struct mail;
struct mail_user;
struct mailbox;
struct ip_addr;
struct event;
struct mail_storage_service_ctx;

/* recall's view of one user: its parsed settings, or why they were refused. */
struct recall_user;

/* What the delivery module knows of the message being delivered. */
struct recall_envelope {
    std::string sender;     /* MAIL FROM */
    std::string recipient;  /* ORCPT, else RCPT TO */
    std::string message_id; /* normalised; empty: not trackable */
    std::string subject;    /* decoded, sanitised */
    std::string digest;     /* content_digest() */
};

/* What the sender's copy says: the Message-ID (normalised, empty when it
   has none) and the addresses of To, Cc and Bcc. */
struct recall_sender_copy {
    std::string message_id;
    std::vector<std::string> recipients;
};

struct recall_plugin_api {
    /* NULL when recall is disabled for the user (malformed setting: logged
       once when the user was created) or the plugin is not loaded for it. */
    struct recall_user *(*user_get)(struct mail_user *user) noexcept;
    const recall::Settings &(*user_settings)(const struct recall_user *ruser) noexcept;
    bool (*user_is_webmail)(const struct recall_user *ruser, const struct ip_addr *ip) noexcept;
    /* Called by the delivery module for each recipient, before saving. */
    void (*user_set_envelope)(struct mail_user *rcpt_user,
                              const recall_envelope &envelope) noexcept;
    /* Where to log about the user (recall-log.h): its recall event. */
    struct event *(*user_event)(struct mail_user *user) noexcept;
    /* recall_sqlite_ledger: the default ledger's file, NULL when unset or
       recall is disabled for the user. */
    const char *(*user_sqlite_ledger)(struct mail_user *user) noexcept;

    /* The digest that lets a late copy prove it is the recorded message
       (recall-content-digest.h). */
    std::string (*content_digest)(struct mail *mail) noexcept;
    /* Canonical form of a Message-ID header value: the first <id> in it. */
    std::string (*normalize_message_id)(const char *header_value) noexcept;
    int (*sender_copy_read)(struct mail *mail, recall_sender_copy &copy_r) noexcept;
    /* The UID of a message in the open mailbox whose Message-ID is
       message_id (canonical form): *uid_r = 0 when there is none. -1 on
       error. */
    int (*find_message_id)(struct mailbox *box, const std::string &message_id,
                           uint32_t *uid_r) noexcept;

    /* Runs a check or a recall for the user and, after a recall that took
       a copy away, saves the report and tags the sender's copy (sent_mail
       may be NULL). */
    recall::Outcome (*execute)(struct mail_user *user, struct recall_user *ruser,
                               const recall::Request &request, struct mail *sent_mail) noexcept;
    /* doveadm recall restore: puts the held copies back, and takes
       $Recalled off the sender's copy (sent_mail may be NULL) when one was
       restored. */
    recall::Outcome (*restore_execute)(struct mail_user *user, struct recall_user *ruser,
                                       const recall::Request &request,
                                       struct mail *sent_mail) noexcept;
    /* One step of another backend's recall or restore on a copy held by
       this one (doveadm recall step): operation inspect, expunge,
       hold, restore, has-notice, save-notice or remove-notice on the copy
       an encoded delivery record names, in user's mail, who must be its
       recipient. 0 with the answer (recall-remote.hpp), else a sysexits
       code with error. */
    int (*remote_step)(struct mail_user *user, const std::string &operation,
                     const std::string &record, std::string &answer,
                     std::string &error) noexcept;
    /* doveadm recall prune: empties user's hold of copies past their end
       (recall-hold.h). */
    bool (*hold_purge)(struct mail_user *user, int64_t now, bool &waiting,
                       std::string &error) noexcept;
    /* doveadm recall prune: commits the spool files of lmtp processes that
       are gone (recall-delivery-batch.h); how many records. */
    unsigned int (*delivery_batch_replay)(struct mail_storage_service_ctx *storage,
                                          const char *service, const char *base_dir,
                                          const std::string &dict_uri) noexcept;
};

extern "C" RECALL_EXPORT const struct recall_plugin_api recall_plugin_api;
