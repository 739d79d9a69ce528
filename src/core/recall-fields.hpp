// The text form of ledger values: a line of key=value fields separated by
// tabs, every byte that could break the line percent-escaped, led by a
// version field so that new fields can be added without breaking readers.
#pragma once

#include <charconv>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace recall {

constexpr std::string_view kFieldsVersion = "1";
using Fields = std::map<std::string, std::string>;

void add_field(std::string &out, std::string_view key, std::string_view value);
// The fields of a line, or nothing when it is not one of this version's.
std::optional<Fields> decode_fields(std::string_view text);

template <typename Int> bool parse_int(const std::string &text, Int &out)
{
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

} // namespace recall
