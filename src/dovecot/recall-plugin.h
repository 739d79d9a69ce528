/* The functions of lib90_recall_plugin behind recall_plugin_api
   (recall-plugin-api.h), for lib90's own files: the other modules reach
   them only through that table. */
#pragma once

#include "recall-plugin-api.h"

struct recall_user *recall_user_get(struct mail_user *user) noexcept;
const recall::Settings &recall_user_settings(const struct recall_user *ruser) noexcept;
bool recall_user_is_webmail(const struct recall_user *ruser, const struct ip_addr *ip) noexcept;
void recall_user_set_envelope(struct mail_user *rcpt_user,
                              const recall_envelope &envelope) noexcept;
/* The user's recall event; for a user recall is not enabled for, the
   user's own event. */
struct event *recall_user_event(struct mail_user *user) noexcept;

int recall_sender_copy_read(struct mail *mail, struct recall_sender_copy &copy_r) noexcept;
std::string recall_normalize_message_id(const char *header_value) noexcept;
int recall_find_message_id(struct mailbox *box, const std::string &message_id,
                           uint32_t *uid_r) noexcept;
/* Every such message's UID (a notice saved twice by a crash, a sender's
   copy with its keyword to remove). -1 on error. */
int recall_find_message_ids(struct mailbox *box, const std::string &message_id,
                            std::vector<uint32_t> &uids);

recall::Outcome recall_execute(struct mail_user *user, struct recall_user *ruser,
                               const recall::Request &request, struct mail *sent_mail) noexcept;
recall::Outcome recall_restore_execute(struct mail_user *user, struct recall_user *ruser,
                                       const recall::Request &request,
                                       struct mail *sent_mail) noexcept;
int recall_copy_step(struct mail_user *user, const std::string &operation,
                     const std::string &record, std::string &answer, std::string &error) noexcept;
