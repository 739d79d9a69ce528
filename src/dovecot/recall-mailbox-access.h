/* Opens each recipient's mail in this process (mail_storage_service) to
   inspect, expunge and notify: the MailboxAccess of the recall engine. */
#pragma once

#include "../core/recall-ports.hpp"
#include "recall-messages.h"

#include <memory>
#include <string>

struct mail_user;

/* The copy in a user this process already has open (late arrivals). */
std::unique_ptr<recall::RecipientMailbox> recall_user_mailbox(struct mail_user *user,
                                                              const recall::Delivery &delivery,
                                                              const recall_templates &templates);

class StorageMailboxAccess : public recall::MailboxAccess {
public:
    StorageMailboxAccess(struct mail_user *own_user, const recall_templates &templates)
        : own_user_(own_user), templates_(templates) {}

    std::unique_ptr<recall::RecipientMailbox> open(const recall::Delivery &delivery,
                                                   std::string &error) override;

private:
    struct mail_user *own_user_;
    const recall_templates &templates_;
};
