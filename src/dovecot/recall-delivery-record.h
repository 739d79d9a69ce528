/* Records each delivered copy in the ledger. The delivery transaction
   (recall-delivery-transaction.h) notes what it saved; the records are
   written when the recipient user is done (deinit), when no transaction
   is open and the GUIDs of the saved copies can be read, as Dovecot's own
   mail_deliver_save() does. */
#pragma once

#include <vector>

#include "../core/recall-delivery.hpp"

struct mail_user;
struct recall_user;

/* Writes (asynchronously) the ledger records of the user's deliveries and
   asks whether their message was already recalled: in lmtp through the
   process's group commit (recall-delivery-batch.h), which asks itself. */
void recall_delivery_record(struct mail_user *user, struct recall_user *ruser);
/* After the (bounded) wait for the ledger: recalls the copies of an already
   recalled message on arrival (rule 11). */
void recall_delivery_recall_late(struct mail_user *user, struct recall_user *ruser);
