// recall-bench: drives a running Dovecot over LMTP, IMAP, POP3 and doveadm's
// HTTP API and prints throughput and latency per operation
// (docs/BENCHMARKS.md has the procedure that uses it).
#include <boost/program_options.hpp>

#include <iostream>

#include "bench-workloads.hpp"

namespace po = boost::program_options;

namespace {

const char kUsage[] =
    "usage: recall-bench deliver|fetch|recall [options]\n"
    "  deliver  --messages N LMTP deliveries, --recipients each, --concurrency connections\n"
    "  fetch    IMAP FETCH BODY.PEEK[] (--protocol imap) or POP3 RETR (--protocol pop3) of\n"
    "           up to --messages per user for --users users, --concurrency sessions\n"
    "  recall   --repeats messages, each delivered to --recipients users, then recalled\n"
    "           through UID XRECALL (--via imap) or doveadm's recallRun (--via doveadm);\n"
    "           --check: XRECALL CHECK / recallCheck instead\n";

po::options_description describe(bench::Options &o, bool &json)
{
    po::options_description d("options");
    d.add_options()
        ("help,h", "this text")
        ("host", po::value(&o.lmtp.host)->default_value("127.0.0.1"), "Dovecot's address")
        ("lmtp-port", po::value(&o.lmtp.port)->default_value(24), "LMTP port")
        ("imap-port", po::value(&o.imap.port)->default_value(143), "IMAP port")
        ("pop3-port", po::value(&o.pop3.port)->default_value(110), "POP3 port")
        ("http-port", po::value(&o.http.port)->default_value(8080), "doveadm HTTP API port")
        ("api-key", po::value(&o.api_key), "doveadm_api_key (for --via doveadm)")
        ("password", po::value(&o.password)->default_value("pw"), "every user's password")
        ("user-format", po::value(&o.user_format)->default_value(o.user_format),
         "recipient user names; {n} is 0 .. users-1")
        ("users", po::value(&o.users)->default_value(o.users), "how many users")
        ("sender", po::value(&o.sender)->default_value(o.sender), "envelope sender and recaller")
        ("source-ip", po::value(&o.source_ip), "connect IMAP from this local address")
        ("messages", po::value(&o.messages)->default_value(o.messages),
         "deliver: messages; fetch: per user at most (0: sessions only)")
        ("recipients", po::value(&o.recipients)->default_value(o.recipients), "recipients per message")
        ("size", po::value(&o.size)->default_value(o.size), "bytes per message")
        ("concurrency", po::value(&o.concurrency)->default_value(o.concurrency),
         "parallel connections or sessions")
        ("repeats", po::value(&o.repeats)->default_value(o.repeats), "recall: how many recalls")
        ("protocol", po::value(&o.protocol)->default_value(o.protocol), "fetch: imap or pop3")
        ("via", po::value(&o.via)->default_value(o.via), "recall: imap or doveadm")
        ("check", po::bool_switch(&o.check), "recall: only check")
        ("json", po::bool_switch(&json), "print JSON instead of text")
        ("quiet,q", po::bool_switch(&o.quiet), "no progress on stderr");
    return d;
}

void validate(const std::string &command, const bench::Options &o)
{
    if (command != "deliver" && command != "fetch" && command != "recall")
        throw po::error("unknown command '" + command + "'");
    if (o.protocol != "imap" && o.protocol != "pop3")
        throw po::error("--protocol must be imap or pop3");
    if (o.via != "imap" && o.via != "doveadm")
        throw po::error("--via must be imap or doveadm");
    if (o.users == 0 || o.recipients == 0 || o.recipients > o.users)
        throw po::error("need 1 <= --recipients <= --users");
    if (command == "recall" && o.via == "doveadm" && o.api_key.empty())
        throw po::error("--via doveadm needs --api-key");
    bench::user_name(o.user_format, 0); // throws without {n}
}

} // namespace

int main(int argc, char **argv)
{
    bench::Options o;
    bool json = false;
    std::string command;
    po::options_description options = describe(o, json);
    po::options_description all;
    all.add(options).add_options()("command", po::value(&command));
    po::positional_options_description positional;
    positional.add("command", 1);
    try {
        po::variables_map vm;
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(), vm);
        po::notify(vm);
        if (vm.count("help") || command.empty()) {
            std::cout << kUsage << options;
            return command.empty() && !vm.count("help") ? 64 : 0;
        }
        o.imap.host = o.pop3.host = o.http.host = o.lmtp.host;
        validate(command, o);
    } catch (const std::exception &e) {
        std::cerr << "recall-bench: " << e.what() << "\n" << kUsage;
        return 64;
    }
    bench::Summary s = command == "deliver" ? bench::run_deliver(o)
                       : command == "fetch" ? bench::run_fetch(o)
                                            : bench::run_recall(o);
    std::cout << (json ? bench::to_json({s}) : bench::to_text(s)) << std::endl;
    return s.errors == 0 && s.count > 0 ? 0 : 1;
}
