/* The mail_user_created hook of lib90 (recall-user-lifecycle.cpp). */
#pragma once

struct mail_user;

void recall_user_created(struct mail_user *user) noexcept;
