// What the sender's report says of a recall beyond its template (SPEC
// section 5): the words of its result and its table of recipients.
#pragma once

#include <string>

#include "recall-engine.hpp"

namespace recall {

// ${result_words}: "Complete success", "Partial success", "Complete failure".
const char *result_words(Result result);
// ${recipients}: one line "  <address>  <STATE>" per recipient of the
// sender's organization (not EXTERNAL, not NOT-DELIVERED), in row order.
std::string report_recipients(const Outcome &outcome);

} // namespace recall
