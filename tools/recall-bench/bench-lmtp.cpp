#include "bench-clients.hpp"

#include <stdexcept>

namespace bench {

LmtpClient::LmtpClient(const Endpoint &to) : conn_(to)
{
    if (reply()[0] != '2')
        throw std::runtime_error("LMTP: no greeting");
    conn_.send("LHLO recall-bench\r\n");
    if (reply()[0] != '2')
        throw std::runtime_error("LMTP: LHLO refused");
}

std::string LmtpClient::reply()
{
    std::string line;
    do {
        line = conn_.read_line();
    } while (line.size() > 3 && line[3] == '-');
    return line;
}

void LmtpClient::deliver(const std::string &sender, const std::vector<std::string> &recipients,
                         const std::string &message)
{
    // Pipelined: MAIL, every RCPT and DATA go out at once (LMTP has PIPELINING).
    std::string commands = "MAIL FROM:<" + sender + ">\r\n";
    for (const std::string &rcpt : recipients)
        commands += "RCPT TO:<" + rcpt + ">\r\n";
    conn_.send(commands + "DATA\r\n");
    for (size_t i = 0; i <= recipients.size(); i++) {
        std::string line = reply();
        if (line[0] != '2')
            throw std::runtime_error("LMTP: " + line);
    }
    if (reply()[0] != '3')
        throw std::runtime_error("LMTP: DATA refused");
    conn_.send(message + ".\r\n");
    for (size_t i = 0; i < recipients.size(); i++) {
        std::string line = reply();
        if (line[0] != '2')
            throw std::runtime_error("LMTP: " + recipients[i] + ": " + line);
    }
}

} // namespace bench
