#include "recall-delivery.hpp"

#include "recall-fields.hpp"

namespace recall {
namespace {

const char *progress_name(Progress progress)
{
    switch (progress) {
    case Progress::Delivered: return "delivered";
    case Progress::Recalling: return "recalling";
    case Progress::Recalled: return "recalled";
    case Progress::Restored: return "restored";
    }
    return "delivered";
}

std::optional<Progress> parse_progress(const std::string &name)
{
    if (name == "delivered") return Progress::Delivered;
    if (name == "recalling") return Progress::Recalling;
    if (name == "recalled") return Progress::Recalled;
    if (name == "restored") return Progress::Restored;
    return std::nullopt;
}

} // namespace

std::string encode_delivery(const Delivery &d)
{
    std::string out = "v=";
    out += kFieldsVersion;
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
    if (d.held_until != 0)
        add_field(out, "held", std::to_string(d.held_until));
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
        !parse_int(fields["expires"], d.expires_at) ||
        (fields.count("held") && !parse_int(fields["held"], d.held_until)))
        return std::nullopt;
    d.progress = *progress;
    d.notice_due = fields["notice"] == "1";
    if (d.sender.empty() || d.message_id.empty() || d.recipient_user.empty() || d.guid.empty())
        return std::nullopt;
    return d;
}

bool record_prunable(const std::optional<Delivery> &record, int64_t now)
{
    return !record || record->expires_at <= now;
}

std::string encode_marker(const RecallMarker &m)
{
    std::string out = "v=";
    out += kFieldsVersion;
    add_field(out, "org", m.org);
    add_field(out, "until", std::to_string(m.until));
    add_field(out, "notify", notify_mode_name(m.notify));
    add_field(out, "digest", m.digest);
    if (m.hold_secs != 0)
        add_field(out, "hold", std::to_string(m.hold_secs));
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
    if (!notify || !parse_int(fields["until"], m.until) || m.digest.empty() ||
        (fields.count("hold") && !parse_int(fields["hold"], m.hold_secs)))
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
