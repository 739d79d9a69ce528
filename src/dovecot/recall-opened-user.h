/* A recipient's mail opened in this process for a recall step. */
#pragma once

#include <memory>
#include <string>

#include "recall-privileges.h"

struct mail_storage_service_ctx;
struct mail_storage_service_user;
struct mail_user;

/* Another user opened in this process (mail_storage_service) with its own
   uid where the process may switch; on destruction it is closed and the
   caller's ids and user (own_suser, when there is one) are back. */
class RecallOpenedUser {
public:
    /* nullptr with error when the user cannot be opened. */
    static std::unique_ptr<RecallOpenedUser>
    open(struct mail_storage_service_ctx *storage, const char *service,
         struct mail_storage_service_user *own_suser, const std::string &username,
         std::string &error);
    ~RecallOpenedUser();
    RecallOpenedUser(const RecallOpenedUser &) = delete;
    RecallOpenedUser &operator=(const RecallOpenedUser &) = delete;

    struct mail_user *user() const { return user_; }

private:
    RecallOpenedUser(struct mail_storage_service_user *suser, struct mail_user *user,
                     const recall_saved_ids &ids, struct mail_storage_service_user *own_suser)
        : suser_(suser), user_(user), ids_(ids), own_suser_(own_suser) {}

    struct mail_storage_service_user *suser_;
    struct mail_user *user_;
    const recall_saved_ids ids_;
    struct mail_storage_service_user *own_suser_;
};
