/* The delivery transaction, intercepted once: in a delivery mailbox
   (MAILBOX_FLAG_POST_SESSION) of a user whose deliveries are recorded, a
   transaction that saves a trackable message (an envelope sender and a
   Message-ID) assigns UIDs at commit, chooses the GUID of each copy as it
   is saved (so that the delivery can be recorded without syncing the
   mailbox afterwards to read the GUID back: a maildir sync scans cur/),
   and, once committed, leaves the saved copies' UIDs and GUIDs in the
   user's delivery state for recall-delivery-record.h. Its state is the
   transaction's module context, as quota keeps its own. */
#pragma once

struct mailbox;

/* mail_storage_hooks.mailbox_allocated. */
void recall_delivery_mailbox_allocated(struct mailbox *box) noexcept;
