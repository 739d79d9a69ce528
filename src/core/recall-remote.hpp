// The answers of one step on another backend (doveadm recall step), as
// words in one field: "present=1 seen=0 shared=0 genuine=1 protected=0", "present=0", "ok".
// Written by the backend that holds the copy, read by the one recalling.
#pragma once

#include <optional>
#include <string>

#include "recall-ports.hpp"

namespace recall {

// A step acts on the copy of the user it runs as (doveadm -u), never on
// another's: the record's recipient must be that user (case aside).
bool step_allowed(const Delivery &record, const std::string &user);

std::string facts_answer(const CopyFacts &facts);
std::optional<CopyFacts> parse_facts_answer(const std::string &answer);
std::string presence_answer(bool present);
std::optional<bool> parse_presence_answer(const std::string &answer);

} // namespace recall
