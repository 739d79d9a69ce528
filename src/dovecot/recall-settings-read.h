/* Reads SPEC section 6's settings for one user. */
#pragma once

#include "recall-user.h"

/* false with error_r naming the setting when a value is malformed. */
bool recall_settings_read(struct mail_user *user, struct recall_user_state &state,
                          const char **error_r);
