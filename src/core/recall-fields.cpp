#include "recall-fields.hpp"

namespace recall {
namespace {

bool needs_escape(unsigned char c)
{
    return c < 0x21 || c == '%' || c == '=' || c == 0x7f;
}

void append_escaped(std::string &out, std::string_view value)
{
    static const char hex[] = "0123456789abcdef";
    for (unsigned char c : value) {
        if (needs_escape(c)) {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += static_cast<char>(c);
        }
    }
}

int hex_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<std::string> unescape(std::string_view value)
{
    std::string out;
    out.reserve(value.size());
    for (size_t i = 0; i < value.size(); i++) {
        if (value[i] != '%') {
            out += value[i];
            continue;
        }
        if (i + 2 >= value.size())
            return std::nullopt;
        int hi = hex_value(value[i + 1]), lo = hex_value(value[i + 2]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>(hi << 4 | lo);
        i += 2;
    }
    return out;
}

} // namespace

void add_field(std::string &out, std::string_view key, std::string_view value)
{
    out += '\t';
    out += key;
    out += '=';
    append_escaped(out, value);
}

std::optional<Fields> decode_fields(std::string_view text)
{
    Fields fields;
    while (!text.empty()) {
        size_t tab = text.find('\t');
        std::string_view item = text.substr(0, tab);
        text = tab == std::string_view::npos ? std::string_view() : text.substr(tab + 1);
        size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            return std::nullopt;
        std::optional<std::string> value = unescape(item.substr(eq + 1));
        if (!value)
            return std::nullopt;
        fields[std::string(item.substr(0, eq))] = *value;
    }
    if (fields["v"] != kFieldsVersion)
        return std::nullopt;
    return fields;
}

} // namespace recall
