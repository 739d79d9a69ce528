#include "bench-workloads.hpp"

#include <unistd.h>

#include <atomic>
#include <functional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "bench-clients.hpp"

namespace bench {
namespace {

// A person clicks Recall well after the message went out; LMTP's group
// commit records deliveries up to 100 ms after its reply, and a recall
// that comes sooner waits for it once. The recall is timed after this.
constexpr std::chrono::milliseconds kDeliverySettles{300};

double seconds_since(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string new_message_id()
{
    static std::atomic<unsigned> counter{0};
    return "<bench." + std::to_string(getpid()) + "." +
           std::to_string(Clock::now().time_since_epoch().count()) + "." +
           std::to_string(++counter) + "@recall-bench>";
}

// Runs work(worker, index) for index 0..count-1 on `workers` threads; each
// worker first makes its state with open(worker). Times every call.
template <typename State>
Summary parallel(const std::string &operation, size_t count, unsigned workers, bool quiet,
                 const std::function<State(unsigned)> &open,
                 const std::function<void(State &, size_t)> &work)
{
    Recorder recorder;
    Progress progress(operation, count, quiet);
    std::atomic<size_t> next{0};
    Clock::time_point start = Clock::now();
    std::vector<std::thread> threads;
    for (unsigned w = 0; w < std::max(1u, workers); w++) {
        threads.emplace_back([&, w] {
            try {
                State state = open(w);
                for (size_t i; (i = next++) < count;) {
                    Clock::time_point began = Clock::now();
                    try {
                        work(state, i);
                        recorder.success(seconds_since(began));
                    } catch (const std::exception &e) {
                        recorder.failure(e.what());
                    }
                    progress.advance();
                }
            } catch (const std::exception &e) {
                recorder.failure(e.what()); // the worker could not start
            }
        });
    }
    for (std::thread &t : threads)
        t.join();
    return recorder.summarize(operation, seconds_since(start));
}

std::vector<std::string> first_users(const Options &o, unsigned count, unsigned offset = 0)
{
    std::vector<std::string> users;
    for (unsigned k = 0; k < count; k++)
        users.push_back(user_name(o.user_format, (offset + k) % o.users));
    return users;
}

} // namespace

std::string user_name(const std::string &format, unsigned n)
{
    std::string name = format;
    size_t at = name.find("{n}");
    if (at == std::string::npos)
        throw std::invalid_argument("--user-format needs {n}: " + format);
    return name.replace(at, 3, std::to_string(n));
}

std::string make_message(const Options &o, const std::string &message_id,
                         const std::vector<std::string> &recipients)
{
    std::string to;
    for (const std::string &r : recipients)
        to += (to.empty() ? "" : ",\r\n ") + r;
    std::string message = "From: " + o.sender + "\r\nTo: " + to +
                          "\r\nSubject: recall-bench\r\nMessage-ID: " + message_id +
                          "\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\n\r\n";
    const std::string line(70, 'x');
    while (message.size() + line.size() + 2 <= o.size)
        message += line + "\r\n";
    return message;
}

Summary run_deliver(const Options &o)
{
    using Lmtp = std::unique_ptr<LmtpClient>;
    return parallel<Lmtp>(
        "deliver", o.messages, o.concurrency, o.quiet,
        [&](unsigned) { return std::make_unique<LmtpClient>(o.lmtp); },
        [&](Lmtp &lmtp, size_t i) {
            auto to = first_users(o, o.recipients, static_cast<unsigned>(i * o.recipients));
            lmtp->deliver(o.sender, to, make_message(o, new_message_id(), to));
        });
}

Summary run_fetch(const Options &o)
{
    // One operation per user: log in, download up to --messages, log out.
    // Latency is per message; the session set-up is not counted.
    Recorder per_message;
    auto download = [&](int &, size_t user_index) {
        std::string user = user_name(o.user_format, static_cast<unsigned>(user_index));
        if (o.protocol == "pop3") {
            Pop3Client pop3(o.pop3, user, o.password);
            unsigned count = std::min(pop3.stat(), o.messages);
            for (unsigned n = 1; n <= count; n++) {
                Clock::time_point began = Clock::now();
                pop3.retr(n);
                per_message.success(seconds_since(began));
            }
            return;
        }
        ImapClient imap(o.imap, user, o.password, o.source_ip);
        unsigned count = std::min(imap.select("INBOX"), o.messages);
        for (unsigned n = 1; n <= count; n++) {
            Clock::time_point began = Clock::now();
            imap.expect_ok("FETCH " + std::to_string(n) + " (BODY.PEEK[])");
            per_message.success(seconds_since(began));
        }
    };
    Summary sessions = parallel<int>("fetch sessions", o.users, o.concurrency, o.quiet,
                                     [](unsigned) { return 0; }, download);
    if (o.messages == 0)
        return sessions; // log in and out only: the operations are the sessions
    Summary s = per_message.summarize("fetch " + o.protocol, sessions.seconds);
    s.errors = sessions.errors;
    s.first_error = sessions.first_error;
    return s;
}

Summary run_recall(const Options &o)
{
    // Each repeat: the sender's copy appended to Sent and delivered to the
    // first --recipients users (not timed), then the recall (timed).
    const std::string operation =
        std::string(o.check ? "check" : "recall") + " via " + o.via;
    auto one = [&]() {
        std::string id = new_message_id();
        std::vector<std::string> to = first_users(o, o.recipients);
        std::string message = make_message(o, id, to);
        ImapClient sender(o.imap, o.sender, o.password, o.source_ip);
        uint32_t uid = sender.append("Sent", message);
        LmtpClient(o.lmtp).deliver(o.sender, to, message);
        sender.select("Sent");
        std::this_thread::sleep_for(kDeliverySettles);
        Clock::time_point began = Clock::now();
        if (o.via == "doveadm") {
            DoveadmHttpClient(o.http, o.api_key)
                .run(o.check ? "recallCheck" : "recallRun",
                     "{\"user\":" + json_string(o.sender) + ",\"messageId\":" + json_string(id) + "}");
        } else {
            ImapClient::Response r = sender.command(std::string("UID XRECALL ") +
                                                    (o.check ? "CHECK " : "") + std::to_string(uid));
            if (r.status != "OK")
                throw std::runtime_error("XRECALL: " + r.status + " " + r.text);
        }
        return seconds_since(began);
    };
    // The set-up is not part of the latency: time inside, record outside.
    Recorder recorder;
    Progress progress(operation, o.repeats, o.quiet);
    for (unsigned i = 0; i < o.repeats; i++) {
        try {
            recorder.success(one());
        } catch (const std::exception &e) {
            recorder.failure(e.what());
        }
        progress.advance();
    }
    // Throughput of the recalls themselves, without the set-up between them.
    return recorder.summarize(operation, recorder.timed_seconds());
}

} // namespace bench
