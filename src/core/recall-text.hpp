// The words of the notice to recipients and the report to the sender
// (SPEC section 5). Everything taken from a message passes through
// sanitize_line() first, so no value can add a header or a line.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace recall {

// One line of text safe for a header or a body line: control characters
// (CR, LF, NUL, TAB, DEL, C0) become spaces, invalid UTF-8 bytes become
// '?', and the result is cut at max_bytes on a character boundary.
std::string sanitize_line(std::string_view text, size_t max_bytes = 900);

// A template: a "Subject:" line, an empty line, then the body. ${name}
// is replaced by the value named; unknown names are left as they are.
struct Template {
    std::string subject;
    std::string body;
};

std::optional<Template> parse_template(std::string_view text, std::string &error);
const Template &builtin_notice_template();
// The notice's ${correction}: that a corrected version may follow (the
// webmail offers "Edit and send again" after a recall).
const char *notice_correction_text();
const Template &builtin_report_template();

using Values = std::map<std::string, std::string>;

// Expands the template; every value is sanitised, except that a value
// named "recipients" may hold several lines (the report's table), each
// of which is sanitised on its own.
Template render(const Template &tmpl, const Values &values);

} // namespace recall
