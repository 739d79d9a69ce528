#include "recall-delivery.hpp"

#include <charconv>
#include <map>

namespace recall {
namespace {

constexpr std::string_view kVersion = "1";

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

template <typename Int> bool parse_int(const std::string &text, Int &out)
{
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

const char *progress_name(Progress progress)
{
    switch (progress) {
    case Progress::Delivered: return "delivered";
    case Progress::Recalling: return "recalling";
    case Progress::Recalled: return "recalled";
    }
    return "delivered";
}

std::optional<Progress> parse_progress(const std::string &name)
{
    if (name == "delivered") return Progress::Delivered;
    if (name == "recalling") return Progress::Recalling;
    if (name == "recalled") return Progress::Recalled;
    return std::nullopt;
}

void add_field(std::string &out, std::string_view key, std::string_view value)
{
    out += '\t';
    out += key;
    out += '=';
    append_escaped(out, value);
}

using Fields = std::map<std::string, std::string>;

// The fields of a record line, or nothing when it is not one of this
// version's.
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
    if (fields["v"] != kVersion)
        return std::nullopt;
    return fields;
}

} // namespace

std::string encode_delivery(const Delivery &d)
{
    std::string out = "v=";
    out += kVersion;
    add_field(out, "sender", d.sender);
    add_field(out, "msgid", d.message_id);
    add_field(out, "user", d.recipient_user);
    add_field(out, "rcpt", d.recipient_address);
    add_field(out, "org", d.recipient_org);
    add_field(out, "box", d.mailbox);
    if (!d.host.empty())
        add_field(out, "host", d.host);
    add_field(out, "uid", std::to_string(d.uid));
    add_field(out, "guid", d.guid);
    add_field(out, "subject", d.subject);
    if (!d.digest.empty())
        add_field(out, "digest", d.digest);
    add_field(out, "at", std::to_string(d.delivered_at));
    add_field(out, "expires", std::to_string(d.expires_at));
    add_field(out, "progress", progress_name(d.progress));
    add_field(out, "notice", d.notice_due ? "1" : "0");
    return out;
}

std::optional<Delivery> decode_delivery(std::string_view text)
{
    std::optional<Fields> parsed = decode_fields(text);
    if (!parsed)
        return std::nullopt;
    Fields &fields = *parsed;
    Delivery d;
    d.sender = fields["sender"];
    d.message_id = fields["msgid"];
    d.recipient_user = fields["user"];
    d.recipient_address = fields["rcpt"];
    d.recipient_org = fields["org"];
    d.mailbox = fields["box"];
    d.host = fields["host"];
    d.guid = fields["guid"];
    d.subject = fields["subject"];
    d.digest = fields["digest"];
    std::optional<Progress> progress = parse_progress(fields["progress"]);
    if (!progress || !parse_int(fields["uid"], d.uid) ||
        !parse_int(fields["at"], d.delivered_at) ||
        !parse_int(fields["expires"], d.expires_at))
        return std::nullopt;
    d.progress = *progress;
    d.notice_due = fields["notice"] == "1";
    if (d.sender.empty() || d.message_id.empty() || d.recipient_user.empty() || d.guid.empty())
        return std::nullopt;
    return d;
}

std::string encode_marker(const RecallMarker &m)
{
    std::string out = "v=";
    out += kVersion;
    add_field(out, "org", m.org);
    add_field(out, "until", std::to_string(m.until));
    add_field(out, "notify", notify_mode_name(m.notify));
    add_field(out, "digest", m.digest);
    return out;
}

std::optional<RecallMarker> decode_marker(std::string_view text)
{
    std::optional<Fields> parsed = decode_fields(text);
    if (!parsed)
        return std::nullopt;
    Fields &fields = *parsed;
    RecallMarker m;
    m.org = fields["org"];
    m.digest = fields["digest"];
    std::optional<NotifyMode> notify = parse_notify_mode(fields["notify"]);
    if (!notify || !parse_int(fields["until"], m.until) || m.digest.empty())
        return std::nullopt;
    m.notify = *notify;
    return m;
}

const char *late_copy_kept_because(const RecallMarker &marker, const Delivery &late,
                                   int64_t now)
{
    // Rules 3, 4 and 2: the sender's organization and window, and the
    // same message (the envelope sender and Message-ID can be forged).
    if (late.recipient_org != marker.org)
        return "the recipient is not in the sender's organization";
    if (now >= marker.until)
        return "the sender's recall window has closed";
    if (late.digest.empty() || late.digest != marker.digest)
        return "its content is not the recalled message's";
    return nullptr;
}

} // namespace recall
