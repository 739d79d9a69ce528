#include "recall-text.hpp"

namespace recall {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0.
size_t utf8_sequence_length(std::string_view text, size_t i)
{
    unsigned char c = text[i];
    size_t len;
    unsigned int min;
    if (c < 0x80) return 1;
    else if ((c & 0xe0) == 0xc0) { len = 2; min = 0x80; }
    else if ((c & 0xf0) == 0xe0) { len = 3; min = 0x800; }
    else if ((c & 0xf8) == 0xf0) { len = 4; min = 0x10000; }
    else return 0;
    if (i + len > text.size())
        return 0;
    unsigned int cp = c & (0xff >> (len + 1));
    for (size_t k = 1; k < len; k++) {
        unsigned char cc = text[i + k];
        if ((cc & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (cc & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

std::string sanitize_lines(std::string_view text)
{
    std::string out;
    while (!text.empty()) {
        size_t nl = text.find('\n');
        if (!out.empty())
            out += '\n';
        out += sanitize_line(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    }
    return out;
}

std::string expand(std::string_view text, const Values &values)
{
    std::string out;
    size_t pos = 0;
    while (pos < text.size()) {
        size_t start = text.find("${", pos);
        size_t end = start == std::string_view::npos ? start : text.find('}', start);
        if (end == std::string_view::npos) {
            out += text.substr(pos);
            break;
        }
        out += text.substr(pos, start - pos);
        std::string name(text.substr(start + 2, end - start - 2));
        auto it = values.find(name);
        if (it == values.end())
            out += text.substr(start, end - start + 1);
        else
            out += name == "recipients" ? sanitize_lines(it->second) : sanitize_line(it->second);
        pos = end + 1;
    }
    return out;
}

} // namespace

std::string sanitize_line(std::string_view text, size_t max_bytes)
{
    std::string out;
    out.reserve(std::min(text.size(), max_bytes));
    for (size_t i = 0; i < text.size();) {
        unsigned char c = text[i];
        size_t len = utf8_sequence_length(text, i);
        std::string_view piece;
        if (len == 0) {
            piece = "?";
            len = 1;
        } else if (c < 0x20 || c == 0x7f) {
            piece = " ";
        } else {
            piece = text.substr(i, len);
        }
        if (out.size() + piece.size() > max_bytes)
            break;
        out += piece;
        i += len;
    }
    return out;
}

std::optional<Template> parse_template(std::string_view text, std::string &error)
{
    constexpr std::string_view prefix = "Subject:";
    size_t nl = text.find('\n');
    std::string_view first = text.substr(0, nl);
    if (first.substr(0, prefix.size()) != prefix || nl == std::string_view::npos) {
        error = "template must start with a \"Subject:\" line followed by an empty line";
        return std::nullopt;
    }
    std::string_view rest = text.substr(nl + 1);
    if (rest.empty() || (rest[0] != '\n' && rest.substr(0, 2) != "\r\n")) {
        error = "template needs an empty line after the Subject line";
        return std::nullopt;
    }
    Template tmpl;
    std::string_view subject = first.substr(prefix.size());
    while (!subject.empty() && (subject.front() == ' ' || subject.front() == '\t'))
        subject.remove_prefix(1);
    while (!subject.empty() && subject.back() == '\r')
        subject.remove_suffix(1);
    tmpl.subject = std::string(subject);
    tmpl.body = std::string(rest.substr(rest[0] == '\n' ? 1 : 2));
    return tmpl;
}

const Template &builtin_notice_template()
{
    static const Template tmpl{
        "Recalled: ${subject}",
        "A message sent to you has been recalled by its sender.\n"
        "\n"
        "From:    ${sender}\n"
        "Subject: ${subject}\n"
        "Sent:    ${date}\n"
        "\n"
        "The sender withdrew this message, so it was removed from your mailbox.\n"
        "${correction}\n"};
    return tmpl;
}

const char *notice_correction_text()
{
    return "If the sender sends a corrected version, it reaches you as a new message.";
}

const Template &builtin_report_template()
{
    static const Template tmpl{
        "Recall ${result_words}: ${subject}",
        "Recall of your message: ${result_words}\n"
        "\n"
        "Subject:    ${subject}\n"
        "Message-ID: ${message_id}\n"
        "Result:     ${result}\n"
        "\n"
        "Recipients:\n"
        "${recipients}\n"};
    return tmpl;
}

Template render(const Template &tmpl, const Values &values)
{
    return Template{sanitize_line(expand(tmpl.subject, values)), expand(tmpl.body, values)};
}

} // namespace recall
