/* The narrow interface of lib90_recall_plugin that the imap, doveadm and
   delivery modules use. Dovecot loads lib90 first with RTLD_GLOBAL, so the
   later modules resolve these symbols at load time. */
#pragma once

#include <string>
#include <vector>

#include "../core/recall-engine.hpp"

struct mail;
struct mail_user;
struct mailbox;
struct ip_addr;

/* recall's view of one user: its parsed settings, or why they were refused. */
struct recall_user;

/* NULL when recall is disabled for the user (malformed setting: logged
   once when the user was created) or the plugin is not loaded for it. */
struct recall_user *recall_user_get(struct mail_user *user);
const recall::Settings &recall_user_settings(const struct recall_user *ruser);
bool recall_user_is_webmail(const struct recall_user *ruser, const struct ip_addr *ip);

/* What the delivery module knows of the message being delivered. */
struct recall_envelope {
    std::string sender;     /* MAIL FROM */
    std::string recipient;  /* ORCPT, else RCPT TO */
    std::string message_id; /* normalised; empty: not trackable */
    std::string subject;    /* decoded, sanitised */
    std::string digest;     /* recall_content_digest() */
};

/* Called by the delivery module for each recipient, before saving. */
void recall_user_set_envelope(struct mail_user *rcpt_user, const recall_envelope &envelope);

/* What the sender's copy says: the Message-ID (normalised, empty when it
   has none) and the addresses of To, Cc and Bcc. */
struct recall_sender_copy {
    std::string message_id;
    std::vector<std::string> recipients;
};
int recall_sender_copy_read(struct mail *mail, struct recall_sender_copy &copy_r);

/* Canonical form of a Message-ID header value: the first <id> in it. */
std::string recall_normalize_message_id(const char *header_value);

/* The UID of a message in the open mailbox whose Message-ID is message_id
   (canonical form): *uid_r = 0 when there is none. -1 on error. */
int recall_find_message_id(struct mailbox *box, const std::string &message_id,
                           uint32_t *uid_r);
/* Every such message's UID (a notice saved twice by a crash, a sender's
   copy with its keyword to remove). -1 on error. */
int recall_find_message_ids(struct mailbox *box, const std::string &message_id,
                            std::vector<uint32_t> &uids);

/* Runs a check or a recall for the user and, after a recall that took a
   copy away, saves the report and tags the sender's copy (sent_mail may
   be NULL). */
recall::Outcome recall_execute(struct mail_user *user, struct recall_user *ruser,
                               const recall::Request &request, struct mail *sent_mail);

/* doveadm recall restore: puts the held copies back, and takes $Recalled
   off the sender's copy (sent_mail may be NULL) when one was restored. */
recall::Outcome recall_restore_execute(struct mail_user *user, struct recall_user *ruser,
                                       const recall::Request &request, struct mail *sent_mail);

/* One step of another backend's recall or restore on a copy held by this
   one (doveadm recall copy): operation inspect, expunge, hold, restore,
   has-notice, save-notice or remove-notice on the copy an encoded delivery
   record names, in user's mail, who must be its recipient. 0 with the answer (recall-remote.hpp), else a sysexits
   code with error. */
int recall_copy_step(struct mail_user *user, const std::string &operation,
                     const std::string &record, std::string &answer, std::string &error);
