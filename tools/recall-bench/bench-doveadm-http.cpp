#include "bench-clients.hpp"
#include "bench-stats.hpp"

#include <stdexcept>

namespace bench {
namespace {

std::string base64(const std::string &in)
{
    static const char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (size_t i = 0; i < in.size(); i += 3) {
        uint32_t n = static_cast<unsigned char>(in[i]) << 16;
        if (i + 1 < in.size())
            n |= static_cast<unsigned char>(in[i + 1]) << 8;
        if (i + 2 < in.size())
            n |= static_cast<unsigned char>(in[i + 2]);
        out += table[(n >> 18) & 63];
        out += table[(n >> 12) & 63];
        out += i + 1 < in.size() ? table[(n >> 6) & 63] : '=';
        out += i + 2 < in.size() ? table[n & 63] : '=';
    }
    return out;
}

} // namespace

DoveadmHttpClient::DoveadmHttpClient(const Endpoint &to, const std::string &api_key)
    : to_(to), authorization_("X-Dovecot-API " + base64(api_key))
{
}

std::string DoveadmHttpClient::run(const std::string &command, const std::string &parameters_json)
{
    std::string body = "[[" + json_string(command) + "," + parameters_json + ",\"b\"]]";
    Connection conn(to_);
    conn.send("POST /doveadm/v1 HTTP/1.0\r\nHost: " + to_.host +
              "\r\nContent-Type: application/json\r\nAuthorization: " + authorization_ +
              "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
    std::string response = conn.read_all();
    if (response.compare(0, 12, "HTTP/1.1 200") != 0 && response.compare(0, 12, "HTTP/1.0 200") != 0)
        throw std::runtime_error("doveadm HTTP: " + response.substr(0, response.find('\r')));
    std::string answer = response.substr(response.find("\r\n\r\n") + 4);
    if (answer.compare(0, 10, "[[\"error\",") == 0)
        throw std::runtime_error("doveadm " + command + ": " + answer);
    return answer;
}

} // namespace bench
