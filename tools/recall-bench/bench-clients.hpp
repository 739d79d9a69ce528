// The protocol clients recall-bench drives Dovecot with: just the commands
// the workloads need, each failing with an exception that says what the
// server answered.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench-connection.hpp"

namespace bench {

class LmtpClient {
public:
    explicit LmtpClient(const Endpoint &to);
    // One transaction; throws unless every recipient got a 2xx reply.
    void deliver(const std::string &sender, const std::vector<std::string> &recipients,
                 const std::string &message);

private:
    std::string reply(); // the last line of a (multi-line) reply
    Connection conn_;
};

class ImapClient {
public:
    struct Response {
        std::string status; // OK, NO or BAD
        std::string text;   // the rest of the tagged line
        std::vector<std::string> untagged;
    };
    ImapClient(const Endpoint &to, const std::string &user, const std::string &password,
               const std::string &source_ip = "");
    ~ImapClient();
    Response command(const std::string &command); // any status
    Response expect_ok(const std::string &command);
    uint32_t append(const std::string &mailbox, const std::string &message); // the new UID
    uint32_t select(const std::string &mailbox); // EXISTS

private:
    Response read_response(const std::string &tag);
    std::string next_tag();
    Connection conn_;
    unsigned tag_ = 0;
};

class Pop3Client {
public:
    Pop3Client(const Endpoint &to, const std::string &user, const std::string &password);
    ~Pop3Client();
    unsigned stat();             // messages in the maildrop
    size_t retr(unsigned number); // bytes received

private:
    std::string expect_ok(const std::string &command);
    Connection conn_;
};

// doveadm's HTTP API: one command per request, as JSON.
class DoveadmHttpClient {
public:
    DoveadmHttpClient(const Endpoint &to, const std::string &api_key);
    // Runs the command; throws on a transport error or an "error" answer.
    std::string run(const std::string &command, const std::string &parameters_json);

private:
    Endpoint to_;
    std::string authorization_;
};

} // namespace bench
