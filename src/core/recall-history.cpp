#include "recall-history.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

#include "recall-fields.hpp"

namespace recall {
namespace {

// "RECALLED=2 FETCHED=1": the states in the order of SPEC section 2.
std::string count_rows(const std::vector<Row> &rows)
{
    std::map<State, unsigned> counts;
    for (const Row &row : rows)
        counts[row.state]++;
    std::string text;
    for (const auto &[state, n] : counts) {
        if (!text.empty())
            text += ' ';
        text += state_name(state);
        text += '=' + std::to_string(n);
    }
    return text;
}

// Days from 1970-01-01 to a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DD", optionally "THH:MM" and ":SS" (and "Z", as history
// prints it), as UTC.
std::optional<int64_t> parse_date(std::string text)
{
    if (text.size() == 20 && text.back() == 'Z')
        text.pop_back();
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    char tail = 0;
    int n = std::sscanf(text.c_str(), "%4u-%2u-%2uT%2u:%2u:%2u%c", &y, &mo, &d, &h, &mi, &sec,
                        &tail);
    bool shape = text.size() == 10 ? n == 3 : text.size() == 16 ? n == 5
                                          : text.size() == 19 ? n == 6 : false;
    if (!shape || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59)
        return std::nullopt;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
}

// "90 mins", "2 hours", "7d": seconds.
std::optional<int64_t> parse_age(const std::string &text)
{
    static const std::map<std::string, int64_t> units = {
        {"s", 1},       {"sec", 1},     {"secs", 1},     {"second", 1},  {"seconds", 1},
        {"m", 60},      {"min", 60},    {"mins", 60},    {"minute", 60}, {"minutes", 60},
        {"h", 3600},    {"hour", 3600}, {"hours", 3600}, {"d", 86400},   {"day", 86400},
        {"days", 86400}, {"w", 604800}, {"week", 604800}, {"weeks", 604800}};
    size_t digits = 0;
    while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9')
        digits++;
    size_t unit = digits;
    while (unit < text.size() && text[unit] == ' ')
        unit++;
    int64_t count = 0;
    auto it = units.find(text.substr(unit));
    if (digits == 0 || it == units.end() || !parse_int(text.substr(0, digits), count))
        return std::nullopt;
    return count * it->second;
}

} // namespace

std::optional<int64_t> parse_since(const std::string &text, int64_t now)
{
    int64_t at = 0;
    if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos)
        return parse_int(text, at) ? std::optional<int64_t>(at) : std::nullopt;
    if (std::optional<int64_t> date = parse_date(text))
        return date;
    if (std::optional<int64_t> age = parse_age(text))
        return now - *age;
    return std::nullopt;
}

HistoryEntry history_entry(const std::string &action, const Request &request,
                           const Outcome &outcome, const std::string &client, int64_t now_usecs,
                           int64_t lifetime)
{
    HistoryEntry entry;
    entry.at = now_usecs / 1000000;
    entry.usec = now_usecs % 1000000;
    entry.action = action;
    entry.sender = lower_ascii(request.sender);
    entry.message_id = request.message_id;
    entry.client = client;
    entry.result = outcome.refusal != Refusal::None ? refusal_code(outcome.refusal)
                                                    : result_name(outcome.result);
    entry.counts = count_rows(outcome.rows);
    entry.expires_at = entry.at + lifetime;
    return entry;
}

std::string encode_history(const HistoryEntry &entry)
{
    std::string out = "v=";
    out += kFieldsVersion;
    add_field(out, "at", std::to_string(entry.at));
    add_field(out, "usec", std::to_string(entry.usec));
    add_field(out, "action", entry.action);
    add_field(out, "sender", entry.sender);
    add_field(out, "msgid", entry.message_id);
    add_field(out, "client", entry.client);
    add_field(out, "result", entry.result);
    add_field(out, "counts", entry.counts);
    add_field(out, "expires", std::to_string(entry.expires_at));
    return out;
}

bool history_prunable(const std::optional<HistoryEntry> &entry, int64_t now)
{
    return !entry || entry->expires_at <= now;
}

std::optional<HistoryEntry> decode_history(std::string_view text)
{
    std::optional<Fields> parsed = decode_fields(text);
    if (!parsed)
        return std::nullopt;
    Fields &fields = *parsed;
    HistoryEntry entry;
    entry.action = fields["action"];
    entry.sender = fields["sender"];
    entry.message_id = fields["msgid"];
    entry.client = fields["client"];
    entry.result = fields["result"];
    entry.counts = fields["counts"];
    if (!parse_int(fields["at"], entry.at) || !parse_int(fields["expires"], entry.expires_at) ||
        (fields.count("usec") && !parse_int(fields["usec"], entry.usec)) ||
        entry.action.empty() || entry.sender.empty() || entry.result.empty())
        return std::nullopt;
    return entry;
}

std::vector<HistoryEntry> select_history(std::vector<HistoryEntry> entries,
                                         const std::string &sender, int64_t since, int64_t now)
{
    const std::string wanted = lower_ascii(sender);
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const HistoryEntry &e) {
                                     return e.at < since || e.expires_at <= now ||
                                            (!wanted.empty() && e.sender != wanted);
                                 }),
                  entries.end());
    std::stable_sort(entries.begin(), entries.end(),
                     [](const HistoryEntry &a, const HistoryEntry &b) {
                         return a.at != b.at ? a.at > b.at : a.usec > b.usec;
                     });
    return entries;
}

} // namespace recall
