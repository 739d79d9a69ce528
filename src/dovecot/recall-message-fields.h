/* What a message's header says, as recall reads it: its Message-ID in
   canonical form, the sender's copy's recipients, the messages of a
   mailbox with a given Message-ID. */
#pragma once

#include <stdint.h>
#include <string>
#include <vector>

#include "recall-plugin-api.h"

/* Canonical form of a Message-ID header value: the first <id> in it. */
std::string recall_normalize_message_id(const char *header_value) noexcept;
int recall_sender_copy_read(struct mail *mail, struct recall_sender_copy &copy_r) noexcept;
/* The UID of a message in the open mailbox whose Message-ID is message_id
   (canonical form): *uid_r = 0 when there is none. -1 on error. */
int recall_find_message_id(struct mailbox *box, const std::string &message_id,
                           uint32_t *uid_r) noexcept;
/* Every such message's UID (a notice saved twice by a crash, a sender's
   copy with its keyword to remove). -1 on error. */
int recall_find_message_ids(struct mailbox *box, const std::string &message_id,
                            std::vector<uint32_t> &uids);
