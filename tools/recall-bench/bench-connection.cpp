#include "bench-connection.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace bench {
namespace {

sockaddr_in address_of(const std::string &ip, int port)
{
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1)
        throw std::runtime_error("not an IPv4 address: " + ip);
    return addr;
}

std::runtime_error system_error(const std::string &what)
{
    return std::runtime_error(what + ": " + std::strerror(errno));
}

} // namespace

Connection::Connection(const Endpoint &to, const std::string &source_ip)
{
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0)
        throw system_error("socket");
    int one = 1;
    // Commands are small writes answered at once: do not let Nagle hold them.
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (!source_ip.empty()) {
        sockaddr_in local = address_of(source_ip, 0);
        if (bind(fd_, reinterpret_cast<sockaddr *>(&local), sizeof(local)) < 0) {
            close(fd_);
            throw system_error("bind " + source_ip);
        }
    }
    sockaddr_in remote = address_of(to.host, to.port);
    if (connect(fd_, reinterpret_cast<sockaddr *>(&remote), sizeof(remote)) < 0) {
        close(fd_);
        throw system_error("connect " + to.host + ":" + std::to_string(to.port));
    }
}

Connection::~Connection()
{
    if (fd_ >= 0)
        close(fd_);
}

void Connection::send(std::string_view data)
{
    while (!data.empty()) {
        ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            throw system_error("send");
        data.remove_prefix(static_cast<size_t>(n));
    }
}

bool Connection::fill()
{
    char chunk[65536];
    ssize_t n;
    do {
        n = recv(fd_, chunk, sizeof(chunk), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        throw system_error("recv");
    buffer_.append(chunk, static_cast<size_t>(n));
    return n > 0;
}

std::string Connection::read_line()
{
    size_t end;
    while ((end = buffer_.find("\r\n")) == std::string::npos) {
        if (!fill())
            throw std::runtime_error("connection closed by the server");
    }
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 2);
    return line;
}

std::string Connection::read_bytes(size_t count)
{
    while (buffer_.size() < count) {
        if (!fill())
            throw std::runtime_error("connection closed by the server");
    }
    std::string data = buffer_.substr(0, count);
    buffer_.erase(0, count);
    return data;
}

std::string Connection::read_all()
{
    while (fill()) {
    }
    return std::move(buffer_);
}

} // namespace bench
