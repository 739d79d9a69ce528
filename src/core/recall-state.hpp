// Per-recipient states, overall results and refusals of SPEC section 2 and 3.
// Their names are public API: clients parse them.
#pragma once

#include <string>

namespace recall {

enum class State {
    Recallable,
    Recalled,
    Fetched,
    Shared,
    Read,
    Deleted,
    External,
    NotDelivered,
    Protected, // the recipient's mailbox is never recalled (recall_protected)
    Restored,  // restore only: a held copy put back
    Failed,
};

enum class Result { Complete, Partial, Failure, Recallable, NotRecallable };

// Why a whole request was refused before any recipient was looked at.
enum class Refusal {
    None,
    Expired,
    Upgrade,
    Unavailable,
    WebmailOnly,
    NotSent,
    LedgerDown,
};

const char *state_name(State state);
const char *result_name(Result result);
// The IMAP response code of a refusal ("RECALL-EXPIRED", "UNAVAILABLE", ...).
const char *refusal_code(Refusal refusal);

} // namespace recall
