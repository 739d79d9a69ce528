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

std::string lower_ascii(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
    });
    return text;
}

std::string address_domain(const std::string &address)
{
    size_t at = address.rfind('@');
    if (at == std::string::npos || at + 1 == address.size())
        return "";
    return lower_ascii(address.substr(at + 1));
}

} // namespace recall
