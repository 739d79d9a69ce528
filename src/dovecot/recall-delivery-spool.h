/* The delivery records an lmtp process has not yet committed to the
   ledger, one line each, in <base_dir>/recall-spool/<ledger>/<pid>.<n>
   (<ledger>: 32 hex digits of SHA-256 of its recall_dict). Written
   before LMTP replies, they outlive a process killed before its group
   commit: the next lmtp process, or doveadm recall prune, commits them
   (and recalls a copy whose message was recalled meanwhile). No fsync: an
   OS crash may lose the newest, and then that recipient is NOT-DELIVERED. */
#pragma once

#include <string>
#include <vector>

#include "../core/recall-delivery.hpp"

class DeliverySpool {
public:
    DeliverySpool(const std::string &base_dir, const std::string &ledger_uri);
    ~DeliverySpool();
    DeliverySpool(const DeliverySpool &) = delete;
    DeliverySpool &operator=(const DeliverySpool &) = delete;

    /* Appends to the current file; false with error when it cannot. */
    bool append(const std::vector<recall::Delivery> &records, std::string &error);
    /* Closes the current file, to be removed once what it holds is
       committed; its path, or "" when nothing was written to it. */
    std::string close_current();

    /* Takes over the files of lmtp processes that are gone (renamed to
       this process's: two processes never both take one); their paths. */
    std::vector<std::string> claim_orphans();

private:
    std::string next_path();

    std::string top_, dir_;
    int fd_ = -1;
    std::string path_;
};

/* The records of a spool file; unreadable lines are logged to event and
   left out. */
std::vector<recall::Delivery> recall_spool_read(const std::string &path, struct event *event);
/* Removes a file whose records are committed. */
void recall_spool_remove(const std::string &path);
