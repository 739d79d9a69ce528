#include "recall-settings.hpp"

#include <algorithm>

namespace recall {

std::optional<bool> parse_yes_no(const std::string &value)
{
    if (value == "yes") return true;
    if (value == "no") return false;
    return std::nullopt;
}

std::optional<Account> parse_account(const std::string &value)
{
    if (value == "paid") return Account::Paid;
    if (value == "free") return Account::Free;
    if (value == "personal") return Account::Personal;
    return std::nullopt;
}

std::optional<NotifyMode> parse_notify_mode(const std::string &value)
{
    if (value == "yes") return NotifyMode::Yes;
    if (value == "no") return NotifyMode::No;
    if (value == "read") return NotifyMode::Read;
    return std::nullopt;
}

const char *notify_mode_name(NotifyMode mode)
{
    switch (mode) {
    case NotifyMode::Yes: return "yes";
    case NotifyMode::No: return "no";
    case NotifyMode::Read: return "read";
    }
    return "yes";
}

int64_t record_lifetime(const Settings &settings)
{
    return std::max(settings.window_secs, settings.longest_window_secs) + settings.retention_secs;
}

bool host_allowed(const Settings &settings, const std::string &host)
{
    return host.empty() || host == settings.host ||
           std::find(settings.backends.begin(), settings.backends.end(), host) !=
               settings.backends.end();
}

std::optional<HostPort> parse_host_port(const std::string &value)
{
    size_t colon = value.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size() ||
        value.size() - colon - 1 > 5)
        return std::nullopt;
    HostPort out;
    out.name = value.substr(0, colon);
    bool name_ok = std::all_of(out.name.begin(), out.name.end(), [](unsigned char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '-';
    });
    unsigned long port = 0;
    for (size_t i = colon + 1; i < value.size(); i++) {
        if (value[i] < '0' || value[i] > '9')
            return std::nullopt;
        port = port * 10 + (value[i] - '0');
    }
    if (!name_ok || port == 0 || port > 65535)
        return std::nullopt;
    out.port = static_cast<uint16_t>(port);
    return out;
}

std::string default_address(const std::string &username, const std::string &domain)
{
    if (username.find('@') != std::string::npos || domain.empty())
        return username;
    return username + "@" + domain;
}

std::string lower_ascii(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    });
    return text;
}

std::string return_path_address(const std::string &value)
{
    size_t open = value.find('<'), close = value.rfind('>');
    if (open != std::string::npos && close != std::string::npos && close > open)
        return lower_ascii(value.substr(open + 1, close - open - 1));
    return lower_ascii(value);
}

std::string address_domain(const std::string &address)
{
    size_t at = address.rfind('@');
    if (at == std::string::npos || at + 1 == address.size())
        return "";
    return lower_ascii(address.substr(at + 1));
}

} // namespace recall
