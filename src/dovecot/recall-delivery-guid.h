/* Chooses the GUID of each delivered copy when it is saved, so that the
   delivery can be recorded without syncing the mailbox afterwards to read
   the GUID back (a maildir sync scans cur/: its cost grows with the
   mailbox). Copies saved without a chosen GUID are read back as before. */
#pragma once

#include <string>
#include <vector>

struct mailbox;
struct mailbox_transaction_context;
struct recall_user_state;

/* mail_storage_hooks.mailbox_allocated: wraps saving into delivery
   mailboxes of users whose deliveries are recorded. */
void recall_delivery_guid_mailbox_allocated(struct mailbox *box) noexcept;

/* This transaction's copies are recorded: choose their GUIDs. */
void recall_delivery_guids_expect(recall_user_state &state,
                                  const struct mailbox_transaction_context *t);
/* The GUIDs chosen in this transaction, in save order; forgets them (also
   call it on rollback). */
std::vector<std::string> recall_delivery_guids_take(recall_user_state &state,
                                                    const struct mailbox_transaction_context *t);
