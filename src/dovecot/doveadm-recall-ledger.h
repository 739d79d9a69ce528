/* What the doveadm recall commands share: the default ledger's creation,
   and the
   ledger of commands that run for no user (prune, history). */
#pragma once

#include "recall-ledger-dict.h"

#include <memory>

/* Commands start as root, before they become a user: the moment to create
   the default ledger if it is missing. */
void doveadm_recall_ensure_ledger(void);

/* The ledger of recall_dict, for a command without a user. */
class CommandLedger {
public:
    CommandLedger() = default;
    ~CommandLedger();
    CommandLedger(const CommandLedger &) = delete;
    CommandLedger &operator=(const CommandLedger &) = delete;

    /* false with the error logged (prefixed by command) and
       doveadm_exit_code set. */
    bool open(const char *command);
    DictLedger &ledger() { return *ledger_; }

private:
    struct dict *dict_ = nullptr;
    struct event *event_ = nullptr;
    struct fs *listing_fs_ = nullptr;
    std::unique_ptr<DictLedger> ledger_;
};
