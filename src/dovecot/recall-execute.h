/* A request of the sender's, run for its user: the engine on the user's
   ledger and mailboxes, then what follows a recall (the report, the tag
   on the sender's copy, the history entry, the audit event). */
#pragma once

#include "recall-plugin-api.h"

/* recall_plugin_api.execute and .restore_execute. */
recall::Outcome recall_execute(struct mail_user *user, struct recall_user *ruser,
                               const recall::Request &request, struct mail *sent_mail) noexcept;
recall::Outcome recall_restore_execute(struct mail_user *user, struct recall_user *ruser,
                                       const recall::Request &request,
                                       struct mail *sent_mail) noexcept;
