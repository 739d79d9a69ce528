#include "recall-remote-mailbox.h"
#include "recall-data-stack.h"
#include "recall-dovecot-compat.h"

#include "../core/recall-remote.hpp"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "istream.h"
#include "str.h"
#include "http-client.h"
#include "mail-user.h"
}

namespace {

/* Bounds one step on an unreachable or hung backend: the recipient is then
   FAILED with the reason, and a later run completes it (rule 12). */
const unsigned int kRequestTimeoutMsecs = 10000;

/* One doveadm HTTP API request and its whole answer, read in the nested
   ioloop of http_client_wait(). */
struct remote_call {
    unsigned int status = 0;
    std::string reason;
    std::string body;
    struct istream *payload = nullptr;
    struct io *io = nullptr;
};

void payload_input(remote_call *call) noexcept
{
    const unsigned char *data;
    size_t size;
    while (i_stream_read_more(call->payload, &data, &size) > 0) {
        call->body.append((const char *)data, size);
        i_stream_skip(call->payload, size);
    }
    if (call->payload->eof || call->payload->stream_errno != 0) {
        io_remove(&call->io);
        i_stream_unref(&call->payload);
    }
}

void response_received(const struct http_response *response, remote_call *call) noexcept
{
    call->status = response->status;
    call->reason = response->reason != NULL ? response->reason : "";
    if (response->payload == NULL)
        return;
    call->payload = response->payload;
    i_stream_ref(call->payload);
    call->io = io_add_istream(call->payload, payload_input, call);
    payload_input(call);
}

/* The value of "answer" in the API's JSON reply; the answers are plain
   words (recall-remote.hpp), so no unescaping is needed. */
bool answer_of(const std::string &body, std::string &answer)
{
    const std::string key = "\"answer\":\"";
    size_t start = body.find(key);
    if (start == std::string::npos)
        return false;
    start += key.size();
    size_t end = body.find('"', start);
    if (end == std::string::npos)
        return false;
    answer = body.substr(start, end - start);
    return true;
}

class RemoteRecipientMailbox : public recall::RecipientMailbox {
public:
    RemoteRecipientMailbox(struct http_client *http, const recall::HostPort &host,
                           const std::string &password, const recall::Delivery &delivery)
        : http_(http), host_(host), password_(password), delivery_(delivery)
    {
    }

    bool inspect(recall::CopyFacts &facts, std::string &error) override
    {
        return ask("inspect", recall::parse_facts_answer, facts, error);
    }

    bool expunge(std::string &error) override
    {
        std::string answer;
        return call("expunge", answer, error);
    }

    bool hold(std::string &error) override
    {
        std::string answer;
        return call("hold", answer, error);
    }

    bool restore(std::string &error) override
    {
        std::string answer;
        return call("restore", answer, error);
    }

    bool has_notice(std::string &error, bool &present) override
    {
        return ask("has-notice", recall::parse_presence_answer, present, error);
    }

    bool remove_notice(std::string &error) override
    {
        std::string answer;
        return call("remove-notice", answer, error);
    }

    bool save_notice(std::string &error) override
    {
        std::string answer;
        return call("save-notice", answer, error);
    }

private:
    /* A step whose answer carries facts: anything unparsable is an error,
       never taken for "gone" or "not there". */
    template <typename T>
    bool ask(const char *operation, std::optional<T> (*parse)(const std::string &), T &out,
             std::string &error)
    {
        std::string answer;
        if (!call(operation, answer, error))
            return false;
        std::optional<T> parsed = parse(answer);
        if (!parsed)
            return fail("unexpected answer '" + answer + "'", error);
        out = *parsed;
        return true;
    }

    bool fail(const std::string &why, std::string &error) const
    {
        error = "backend " + host_.name + ":" + std::to_string(host_.port) + ": " + why;
        return false;
    }

    /* POST [["recallStep", {user, operation, record}, "r"]] to /doveadm/v1. */
    bool call(const char *operation, std::string &answer, std::string &error)
    {
        DataStackFrame frame;
        /* Encoded now: the engine updates the record (hold) as it goes. */
        const std::string record = recall::encode_delivery(delivery_);
        string_t *json = t_str_new(256 + record.size());
        str_append(json, "[[\"recallStep\",{\"user\":\"");
        json_append_escaped(json, delivery_.recipient_user.c_str());
        str_printfa(json, "\",\"operation\":\"%s\",\"record\":\"", operation);
        json_append_escaped(json, record.c_str());
        str_append(json, "\"},\"r\"]]");

        remote_call result;
        struct http_client_request *req = http_client_request(
            http_, "POST", host_.name.c_str(), "/doveadm/v1", response_received, &result);
        http_client_request_set_port(req, host_.port);
        http_client_request_set_auth_simple(req, "doveadm", password_.c_str());
        http_client_request_add_header(req, "Content-Type", "application/json");
        http_client_request_set_payload_data(req, str_data(json), str_len(json));
        http_client_request_submit(req);
        http_client_wait(http_);

        if (result.status / 100 != 2)
            return fail(t_strdup_printf("%u %s", result.status, result.reason.c_str()), error);
        if (result.body.find("\"error\"") != std::string::npos)
            return fail("recall step " + std::string(operation) + " failed: " + result.body, error);
        if (!answer_of(result.body, answer))
            return fail("no answer in '" + result.body + "'", error);
        return true;
    }

    struct http_client *http_;
    const recall::HostPort host_;
    const std::string password_;
    /* The engine's record, which outlives this mailbox. */
    const recall::Delivery &delivery_;
};

} // namespace

BackendMailboxAccess::~BackendMailboxAccess()
{
    if (http_ != nullptr)
        http_client_deinit(&http_);
}

std::unique_ptr<recall::RecipientMailbox>
BackendMailboxAccess::open(const recall::Delivery &delivery, std::string &error)
{
    if (delivery.host.empty() || delivery.host == own_host_)
        return local_.open(delivery, error);
    std::optional<recall::HostPort> host = recall::parse_host_port(delivery.host);
    if (!host) {
        error = "the record names an invalid backend '" + delivery.host + "'";
        return nullptr;
    }
    /* Nothing goes to another backend without its doveadm password. */
    if (password_.empty()) {
        error = "the copy is on backend " + delivery.host + ", and recall_host_password is not set";
        return nullptr;
    }
    if (http_ == nullptr)
        http_ = recall_http_client_create(own_user_, kRequestTimeoutMsecs);
    return std::make_unique<RemoteRecipientMailbox>(http_, *host, password_, delivery);
}
