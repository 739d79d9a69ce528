/* One step of another backend's recall on a copy held here (doveadm
   recall step, SPEC section 4). */
#pragma once

#include <string>

struct mail_user;

/* recall_plugin_api.remote_step. */
int recall_remote_step(struct mail_user *user, const std::string &operation,
                     const std::string &record, std::string &answer, std::string &error) noexcept;
