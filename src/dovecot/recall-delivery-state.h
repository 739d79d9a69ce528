/* What the delivery surfaces keep for one recipient user, in its recall
   context: the envelope from the delivery module, the copies its delivery
   transactions committed (recall-delivery-transaction.h), and what was
   recorded of them (recall-delivery-record.h). */
#pragma once

#include <stdint.h>
#include <string>
#include <vector>

#include "../core/recall-delivery.hpp"
#include "recall-ledger-dict.h"
#include "recall-plugin-api.h"

/* The copies one committed delivery transaction saved in one mailbox. */
struct recall_saved_copies {
    std::string mailbox;
    std::vector<uint32_t> uids;
    std::vector<std::string> guids; /* chosen at save, same order; or fewer */
};

struct recall_delivery_state {
    /* Set by the delivery module for the recipient being delivered to. */
    recall_envelope envelope;
    /* Copies delivered and committed, recorded when the user is done. */
    std::vector<recall_saved_copies> delivered;
    /* What was recorded, and whether the message had been recalled. */
    std::vector<recall::Delivery> recorded;
    DictLedger::RecalledAnswer *recalled_answer = nullptr;
};
