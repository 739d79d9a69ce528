/* The hold (recall_hold, SPEC section 4): a recalled copy waits in a
   folder tree of the recipient's own storage that no protocol can list,
   open, create, rename or delete, until `doveadm recall restore` puts it
   back or the hold passes and `doveadm recall prune` deletes it.
     <namespace prefix>dovecot-recall-hold/<until>/<original folder>
   The folder names carry where each copy came from and when its hold
   ends, so a move killed half-way is finished by a rerun, not redone. */
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "recall-copy-instances.h"

struct mail_user;
struct mailbox;
struct mailbox_list;

/* Storage hooks that keep the hold out of every client's reach. */
void recall_hold_mailbox_list_created(struct mailbox_list *list) noexcept;
void recall_hold_mailbox_allocated(struct mailbox *box) noexcept;

/* Moves the instances into the hold until delivery.held_until, with their
   flags and GUID, then finds again: an error if any is left outside. */
bool recall_hold_copy(struct mail_user *user, const recall::Delivery &delivery,
                      const std::vector<recall_copy_instance> &instances, std::string &error);

/* Puts every held instance of the delivery's copy back into the folder it
   came from (created again if the recipient deleted it). */
bool recall_hold_restore(struct mail_user *user, const recall::Delivery &delivery,
                         std::string &error);

/* Deletes the user's hold folders whose hold has passed; waiting tells
   whether some hold has not. */
bool recall_hold_purge(struct mail_user *user, int64_t now, bool &waiting,
                       std::string &error) noexcept;
