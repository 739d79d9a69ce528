/* What the access surface (recall-access-hook.h) keeps for one user, in
   its recall context: whether its downloads count (rule 5), and its marks
   on their way to the ledger. */
#pragma once

#include <set>
#include <string>
#include <vector>

#include "recall-ledger-dict.h"

struct timeout;

struct recall_access_state {
    /* POP3, or IMAP from outside recall_webmail_networks: downloads of
       this session make copies FETCHED (rule 5). */
    bool tracks_downloads = false;
    std::set<std::string> marked; /* copies marked in this session */
    /* Marks not yet written: one transaction per ioloop pass. */
    std::vector<DictLedger::CopyMark> pending_marks;
    struct timeout *marks_flush = nullptr;
};
