/* Recipients whose mail lives on another backend (the delivery record's
   host differs from this backend's recall_host): each step of the recall
   runs there as `doveadm recall step`, over that backend's doveadm HTTP API
   with recall_host_password. Copies of this backend stay with the local
   StorageMailboxAccess. */
#pragma once

#include "recall-mailbox-access.h"

struct http_client;

/* The engine's MailboxAccess for a recall: each copy on the backend that
   holds it, by its record's host (here, or over that backend's API). */
class BackendMailboxAccess : public recall::MailboxAccess {
public:
    /* own_host: this backend's recall_host (empty: records name no host);
       password: recall_host_password, the other backends' doveadm_password. */
    BackendMailboxAccess(struct mail_user *own_user, const recall_templates &templates,
                      const std::string &own_host, const std::string &password)
        : local_(own_user, templates), own_user_(own_user), own_host_(own_host),
          password_(password) {}
    ~BackendMailboxAccess() override;

    std::unique_ptr<recall::RecipientMailbox> open(const recall::Delivery &delivery,
                                                   std::string &error) override;

private:
    StorageMailboxAccess local_;
    struct mail_user *own_user_;
    const std::string own_host_, password_;
    struct http_client *http_ = nullptr; /* one per recall, made on first use */
};
