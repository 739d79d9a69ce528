#include "recall-state.hpp"

namespace recall {

const char *state_name(State state)
{
    switch (state) {
    case State::Recallable: return "RECALLABLE";
    case State::Recalled: return "RECALLED";
    case State::Fetched: return "FETCHED";
    case State::Shared: return "SHARED";
    case State::Read: return "READ";
    case State::Deleted: return "DELETED";
    case State::External: return "EXTERNAL";
    case State::NotDelivered: return "NOT-DELIVERED";
    case State::Protected: return "PROTECTED";
    case State::Restored: return "RESTORED";
    case State::Failed: return "FAILED";
    }
    return "FAILED";
}

const char *result_name(Result result)
{
    switch (result) {
    case Result::Complete: return "COMPLETE";
    case Result::Partial: return "PARTIAL";
    case Result::Failure: return "FAILURE";
    case Result::Recallable: return "RECALLABLE";
    case Result::NotRecallable: return "NOT-RECALLABLE";
    }
    return "FAILURE";
}

const char *refusal_code(Refusal refusal)
{
    switch (refusal) {
    case Refusal::None: return "";
    case Refusal::Expired: return "RECALL-EXPIRED";
    case Refusal::Upgrade: return "RECALL-UPGRADE";
    case Refusal::PersonalAccount: return "RECALL-UNAVAILABLE";
    case Refusal::WebmailOnly: return "RECALL-WEBMAIL-ONLY";
    case Refusal::NotSent: return "RECALL-NOT-SENT";
    case Refusal::ServerUnavailable: return "UNAVAILABLE";
    }
    return "UNAVAILABLE";
}

} // namespace recall
