// The per-user recall settings of SPEC section 6, as typed values.
// The Dovecot glue reads the raw strings; parsing of the enumerations and
// addresses lives here so that it is unit-tested.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace recall {

enum class Account { Paid, Free, Personal };
enum class NotifyMode { Yes, No, Read };

struct Settings {
    std::string address;       // recall_address, lower-cased
    std::string org;           // recall_org, lower-cased
    int64_t window_secs = 30 * 60;
    int64_t retention_secs = 24 * 60 * 60;
    // recall_hold (the sender's): recalled copies wait this long in a hold
    // the recipient cannot reach, for a restore; 0 expunges them.
    int64_t hold_secs = 0;
    Account account = Account::Paid;
    std::string upgrade_url;
    bool recall_read = true;   // recall_read_messages
    NotifyMode notify = NotifyMode::Yes;
    bool report = true;
    // recall_protected (recipient): copies in this mailbox are never recalled.
    bool protected_mailbox = false;
    std::string notice_template; // file paths; empty = built-in text
    std::string report_template;
    // The longest window any sender can have (the global recall_window,
    // which caps per-user ones): how long this user's copies are
    // tracked, since the sender's window, not this user's, decides.
    int64_t longest_window_secs = 30 * 60;
    // recall_host: this backend's doveadm HTTP API ("name:port"), stored
    // in each delivery record; recall_backends: the other backends whose
    // records are honoured.
    std::string host;
    std::vector<std::string> backends;
};

// How long a copy delivered to (or downloaded by) this user must stay
// known: until the longest window closes, plus the retention.
int64_t record_lifetime(const Settings &settings);

// Whether a record naming this host may be acted on: this host (or no
// host, a single-host setup) or one of recall_backends. Any other host is
// ignored and never sent a credential.
bool host_allowed(const Settings &settings, const std::string &host);

// A backend's doveadm HTTP API as other backends reach it (recall_host):
// "name:port", name a DNS name or IPv4 address, port 1-65535.
struct HostPort {
    std::string name;
    uint16_t port = 0;
};
std::optional<HostPort> parse_host_port(const std::string &value);

// Strict "yes" / "no": anything else is a malformed setting.
std::optional<bool> parse_yes_no(const std::string &value);
std::optional<Account> parse_account(const std::string &value);
std::optional<NotifyMode> parse_notify_mode(const std::string &value);
const char *notify_mode_name(NotifyMode mode);

// A user's address when recall_address is not set: the username, with
// "@domain" added when it has none (system users: "bob" on a server whose
// mail domain is example.com sends as bob@example.com).
std::string default_address(const std::string &username, const std::string &domain);

std::string lower_ascii(std::string text);
// The lower-cased domain of an address, or empty when it has none.
std::string address_domain(const std::string &address);
// The address of a Return-Path header value ("<a@b>", or bare), lower-cased:
// what LMTP wrote as MAIL FROM.
std::string return_path_address(const std::string &value);

} // namespace recall
