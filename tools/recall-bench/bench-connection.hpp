// A blocking TCP connection that reads CRLF lines and counted bytes: what
// the LMTP, IMAP, POP3 and HTTP clients of recall-bench share.
#pragma once

#include <string>
#include <string_view>

namespace bench {

struct Endpoint {
    std::string host = "127.0.0.1";
    int port = 0;
};

class Connection {
public:
    // source_ip: the local address to connect from ("" for any), so that a
    // run can look like the webmail host or like a mail client.
    Connection(const Endpoint &to, const std::string &source_ip = "");
    ~Connection();
    Connection(const Connection &) = delete;
    Connection &operator=(const Connection &) = delete;

    void send(std::string_view data);
    std::string read_line(); // without its CRLF
    std::string read_bytes(size_t count);
    std::string read_all(); // until the peer closes

private:
    bool fill();
    int fd_ = -1;
    std::string buffer_;
};

} // namespace bench
