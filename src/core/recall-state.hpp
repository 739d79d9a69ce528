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

// Why a whole request was refused before any recipient was looked at
// (SPEC section 3).
enum class Refusal {
    None,
    Expired,         // the sender's window has passed: RECALL-EXPIRED
    Upgrade,         // a free account: RECALL-UPGRADE
    PersonalAccount, // personal accounts have no recall: RECALL-UNAVAILABLE
    WebmailOnly,     // XRECALL outside recall_webmail_networks: RECALL-WEBMAIL-ONLY
    NotSent,         // not a message the sender sent: RECALL-NOT-SENT
    // This server cannot run it now (IMAP UNAVAILABLE): the ledger is
    // unreachable, another recall of the user's holds its lock, the
    // templates cannot be read, or recall is not set up for this user.
    ServerUnavailable,
};

const char *state_name(State state);
const char *result_name(Result result);
// The IMAP response code of a refusal ("RECALL-EXPIRED", "UNAVAILABLE", ...).
const char *refusal_code(Refusal refusal);

} // namespace recall
