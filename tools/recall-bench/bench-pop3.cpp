#include "bench-clients.hpp"

#include <stdexcept>

namespace bench {

Pop3Client::Pop3Client(const Endpoint &to, const std::string &user, const std::string &password)
    : conn_(to)
{
    if (conn_.read_line().compare(0, 3, "+OK") != 0)
        throw std::runtime_error("POP3: no greeting");
    expect_ok("USER " + user);
    expect_ok("PASS " + password);
}

Pop3Client::~Pop3Client()
{
    try {
        conn_.send("QUIT\r\n");
    } catch (const std::exception &) {
        // The session ends either way.
    }
}

std::string Pop3Client::expect_ok(const std::string &command)
{
    conn_.send(command + "\r\n");
    std::string line = conn_.read_line();
    if (line.compare(0, 3, "+OK") != 0)
        throw std::runtime_error("POP3 " + command.substr(0, command.find(' ')) + ": " + line);
    return line;
}

unsigned Pop3Client::stat()
{
    return static_cast<unsigned>(std::stoul(expect_ok("STAT").substr(4)));
}

size_t Pop3Client::retr(unsigned number)
{
    expect_ok("RETR " + std::to_string(number));
    size_t bytes = 0;
    for (std::string line = conn_.read_line(); line != "."; line = conn_.read_line())
        bytes += line.size() + 2;
    return bytes;
}

} // namespace bench
