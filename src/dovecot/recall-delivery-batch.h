/* The group commit of an lmtp process: the records of its deliveries go
   to the ledger in one dict transaction per 100 ms (or per 1,000 records)
   over one connection that the process keeps, instead of one connection,
   transaction and wait per recipient. The records are spooled first
   (recall-delivery-spool.h), so a process killed before its commit loses
   none of them.

   Rule 11 (a copy of a message recalled meanwhile goes on arrival): after
   the commit, and only then, the batch asks for each message whether it
   was recalled. A recall commits its marker before it lists the records,
   so each late copy is seen by one of the two. A recalled message's copies
   are then recalled in their recipient's mail, opened again in this
   process.

   A process that ends after its client (Dovecot 2.4's lmtp) makes its
   last commit where it cannot open users any more: there a delivery asks
   the recall epoch before its reply, and its records are committed (and
   a late copy recalled) before the reply when its message is recalled
   already, or when ended processes left spool files. */
#pragma once

#include <string>
#include <vector>

#include "../core/recall-delivery.hpp"

struct mail_storage_service_ctx;
struct mail_user;

/* Queues the records of user's delivery for the next group commit of
   the ledger dict_uri; what goes wrong now is logged to event. */
void recall_delivery_batch_add(struct mail_user *user, struct event *event,
                               const std::string &dict_uri,
                               const std::vector<recall::Delivery> &records);

/* Process end: commits what is queued and waits for it. A late copy found
   then cannot be recalled here any more (its user cannot be opened): its
   spool file is left for the next lmtp process or doveadm recall prune. */
void recall_delivery_batch_deinit(void);

/* doveadm recall prune: commits the spool files that lmtp processes which
   are gone left, and recalls their late copies; how many records. */
unsigned int recall_delivery_batch_replay(struct mail_storage_service_ctx *storage,
                                          const char *service, const char *base_dir,
                                          const std::string &dict_uri) noexcept;
