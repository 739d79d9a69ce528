// The audit trail of SPEC section 4 (`doveadm recall history`): one entry
// per recall or restore, kept in the ledger as long as its records.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "recall-engine.hpp"

namespace recall {

struct HistoryEntry {
    int64_t at = 0;          // server clock, seconds
    int64_t usec = 0;        // and microseconds: orders entries of one second
    std::string action;      // "recall" or "restore"
    std::string sender;
    std::string message_id;
    std::string client;      // the client's IP address; empty for doveadm's CLI
    std::string result;      // COMPLETE, PARTIAL, FAILURE, or the refusal (RECALL-EXPIRED, ...)
    std::string counts;      // rows per state: "RECALLED=2 FETCHED=1"
    int64_t expires_at = 0;  // pruned with the ledger's records
};

// The entry for what a recall or restore did at now_usecs (microseconds);
// lifetime (seconds): how long the ledger keeps records (record_lifetime(),
// or the hold when longer).
HistoryEntry history_entry(const std::string &action, const Request &request,
                           const Outcome &outcome, const std::string &client, int64_t now_usecs,
                           int64_t lifetime);

std::string encode_history(const HistoryEntry &entry);
std::optional<HistoryEntry> decode_history(std::string_view text);
// What prune deletes: an entry past its expiry (it goes with the records
// of its time), and one this version cannot read.
bool history_prunable(const std::optional<HistoryEntry> &entry, int64_t now);

// What `history` lists: newest first, only the sender's (any case) when
// sender is not empty, only from since on, nothing expired.
std::vector<HistoryEntry> select_history(std::vector<HistoryEntry> entries,
                                         const std::string &sender, int64_t since, int64_t now);

// history -s: a UNIX time, a UTC date "2026-12-01" or "2026-12-01T10:30"
// (":SS" optional, then "Z" optional: the form history prints), or an age
// ("90 mins", "2 hours", "7d": that long ago).
std::optional<int64_t> parse_since(const std::string &text, int64_t now);

} // namespace recall
