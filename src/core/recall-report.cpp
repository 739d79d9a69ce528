#include "recall-report.hpp"
#include "recall-text.hpp"

namespace recall {

const char *result_words(Result result)
{
    switch (result) {
    case Result::Complete: return "Complete success";
    case Result::Partial: return "Partial success";
    default: return "Complete failure";
    }
}

std::string report_recipients(const Outcome &outcome)
{
    std::string lines;
    for (const Row &row : outcome.rows) {
        if (row.internal)
            lines += "  " + sanitize_line(row.address) + "  " + state_name(row.state) + "\n";
    }
    return lines;
}

} // namespace recall
