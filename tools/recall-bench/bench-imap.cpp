#include "bench-clients.hpp"

#include <stdexcept>

namespace bench {
namespace {

// "{123}" at the end of a line: a literal of that many bytes follows.
bool literal_size(const std::string &line, size_t &size)
{
    if (line.empty() || line.back() != '}')
        return false;
    size_t open = line.rfind('{');
    if (open == std::string::npos)
        return false;
    size = std::stoul(line.substr(open + 1, line.size() - open - 2));
    return true;
}

std::string quoted(const std::string &text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

ImapClient::ImapClient(const Endpoint &to, const std::string &user, const std::string &password,
                       const std::string &source_ip)
    : conn_(to, source_ip)
{
    conn_.read_line(); // greeting
    expect_ok("LOGIN " + quoted(user) + " " + quoted(password));
}

ImapClient::~ImapClient()
{
    try {
        conn_.send("z LOGOUT\r\n");
    } catch (const std::exception &) {
        // The session ends either way.
    }
}

std::string ImapClient::next_tag()
{
    return "b" + std::to_string(++tag_);
}

ImapClient::Response ImapClient::read_response(const std::string &tag)
{
    Response response;
    for (;;) {
        std::string line = conn_.read_line();
        size_t size;
        while (literal_size(line, size)) {
            conn_.read_bytes(size); // the workloads need no literal's content
            line += "<literal>" + conn_.read_line();
        }
        if (line.compare(0, tag.size() + 1, tag + " ") == 0) {
            std::string rest = line.substr(tag.size() + 1);
            size_t space = rest.find(' ');
            response.status = rest.substr(0, space);
            response.text = space == std::string::npos ? "" : rest.substr(space + 1);
            return response;
        }
        response.untagged.push_back(line);
    }
}

ImapClient::Response ImapClient::command(const std::string &command)
{
    std::string tag = next_tag();
    conn_.send(tag + " " + command + "\r\n");
    return read_response(tag);
}

ImapClient::Response ImapClient::expect_ok(const std::string &command)
{
    Response response = this->command(command);
    if (response.status != "OK")
        throw std::runtime_error("IMAP " + command.substr(0, command.find(' ')) + ": " +
                                 response.status + " " + response.text);
    return response;
}

uint32_t ImapClient::append(const std::string &mailbox, const std::string &message)
{
    std::string tag = next_tag();
    // LITERAL+ (Dovecot has it): no round trip for the continuation.
    conn_.send(tag + " APPEND " + quoted(mailbox) + " (\\Seen) {" +
               std::to_string(message.size()) + "+}\r\n" + message + "\r\n");
    Response response = read_response(tag);
    size_t at = response.text.find("[APPENDUID ");
    if (response.status != "OK" || at == std::string::npos)
        throw std::runtime_error("IMAP APPEND: " + response.status + " " + response.text);
    size_t uid_at = response.text.find(' ', at + 11) + 1;
    return static_cast<uint32_t>(std::stoul(response.text.substr(uid_at)));
}

uint32_t ImapClient::select(const std::string &mailbox)
{
    Response response = expect_ok("SELECT " + quoted(mailbox));
    for (const std::string &line : response.untagged) {
        size_t at = line.find(" EXISTS");
        if (at != std::string::npos)
            return static_cast<uint32_t>(std::stoul(line.substr(2, at - 2)));
    }
    return 0;
}

} // namespace bench
