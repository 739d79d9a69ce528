// The three workloads of recall-bench: LMTP deliveries, downloads over IMAP
// or POP3, and recalls over IMAP XRECALL or doveadm's HTTP API.
#pragma once

#include <string>

#include "bench-connection.hpp"
#include "bench-stats.hpp"

namespace bench {

struct Options {
    Endpoint lmtp, imap, pop3, http;
    std::string password = "pw";
    std::string api_key;
    std::string user_format = "bench{n}@example.com"; // {n}: 0 .. users-1
    std::string sender = "sender@example.com";
    std::string source_ip; // "" for any; 127.0.0.1 looks like webmail in the tests
    unsigned users = 10;
    unsigned messages = 100;   // deliver: messages; fetch: per user at most
    unsigned recipients = 1;   // per message
    unsigned size = 2048;      // bytes per message
    unsigned concurrency = 4;  // parallel connections or sessions
    unsigned repeats = 5;      // recall: messages recalled, one after the other
    std::string protocol = "imap"; // fetch: imap or pop3
    std::string via = "imap";      // recall: imap or doveadm
    bool check = false;            // recall: XRECALL CHECK / recallCheck only
    bool quiet = false;
};

std::string user_name(const std::string &format, unsigned n);
std::string make_message(const Options &options, const std::string &message_id,
                         const std::vector<std::string> &recipients);

Summary run_deliver(const Options &options);
Summary run_fetch(const Options &options);
Summary run_recall(const Options &options);

} // namespace bench
