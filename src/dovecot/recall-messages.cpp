#include "recall-messages.h"
#include "recall-ledger-dict.h"

#include "../core/recall-report.hpp"

extern "C" {
#include "lib.h"
#include "str.h"
#include "hostpid.h"
#include "ioloop.h"
#include "istream.h"
#include "message-date.h"
#include "message-header-encode.h"
#include "mail-namespace.h"
#include "mail-storage.h"
}

namespace {

/* Every value has been through sanitize_line(): it holds no CR or LF. */
void add_header(std::string &out, const char *name, const std::string &value)
{
    out += name;
    out += ": ";
    out += recall::sanitize_line(value);
    out += "\r\n";
}

std::string encoded_subject(const std::string &subject)
{
    string_t *str = t_str_new(128);
    message_header_encode(recall::sanitize_line(subject).c_str(), str);
    return str_c(str);
}

std::string angle_address(const std::string &address)
{
    return "<" + recall::sanitize_line(address) + ">";
}

std::string crlf_body(const std::string &body)
{
    std::string out;
    for (char c : body) {
        if (c == '\n')
            out += '\r';
        if (c != '\r')
            out += c;
    }
    return out;
}

std::string build_message(const std::string &from, const std::string &to,
                           const recall::Template &text, const std::string &message_id,
                           const std::string &extra_headers)
{
    std::string out;
    add_header(out, "From", angle_address(from));
    add_header(out, "To", angle_address(to));
    out += "Subject: " + encoded_subject(text.subject) + "\r\n";
    add_header(out, "Date", message_date_create(ioloop_time));
    add_header(out, "Message-ID", message_id);
    add_header(out, "Auto-Submitted", "auto-generated");
    out += extra_headers;
    add_header(out, "MIME-Version", "1.0");
    add_header(out, "Content-Type", "text/plain; charset=utf-8");
    add_header(out, "Content-Transfer-Encoding", "8bit");
    out += "\r\n";
    out += crlf_body(text.body);
    return out;
}


} // namespace

std::string recall_notice_message_id(const recall::Delivery &delivery)
{
    return "<recall." + recall_copy_key(delivery.recipient_user,
                                        recall_message_key(delivery.sender, delivery.message_id)) +
           "@" + my_hostdomain() + ">";
}

std::string recall_build_notice(const recall::Delivery &delivery,
                                const recall_templates &templates)
{
    recall::Template text = recall::render(
        templates.notice, {{"sender", delivery.sender},
                           {"subject", delivery.subject},
                           {"date", message_date_create(delivery.delivered_at)},
                           {"recipient", delivery.recipient_address},
                           {"message_id", delivery.message_id},
                           {"correction", recall::notice_correction_text()}});
    std::string extra;
    add_header(extra, "X-Recall-Of", delivery.message_id);
    return build_message(delivery.sender, delivery.recipient_address, text,
                         recall_notice_message_id(delivery), extra);
}

std::string recall_build_report(const recall::Settings &settings, const recall::Request &request,
                                const recall::Outcome &outcome,
                                const recall_templates &templates)
{
    recall::Template text = recall::render(
        templates.report, {{"result", recall::result_name(outcome.result)},
                           {"result_words", recall::result_words(outcome.result)},
                           {"subject", outcome.subject},
                           {"date", message_date_create(outcome.first_delivery)},
                           {"message_id", request.message_id},
                           {"recipients", recall::report_recipients(outcome)}});
    std::string extra;
    add_header(extra, "In-Reply-To", request.message_id);
    add_header(extra, "X-Recall-Result", recall::result_name(outcome.result));
    std::string id = std::string("<recall-report.") + dec2str(ioloop_time) + "." +
                     dec2str(getpid()) + "@" + my_hostdomain() + ">";
    return build_message(settings.address, settings.address, text, id, extra);
}

bool recall_save_message(struct mail_user *user, const char *vname, const std::string &text,
                         std::string &error)
{
    struct mail_namespace *ns = mail_namespace_find_inbox(user->namespaces);
    struct mailbox *box = mailbox_alloc(ns->list, vname, (enum mailbox_flags)0);
    struct istream *input = i_stream_create_from_data(text.data(), text.size());
    bool ok = false;
    if (mailbox_open(box) == 0) {
        /* A notice is a system message: the recipient's quota must not
           keep it out (the copy it replaces is already gone, and every
           rerun would fail the same way). The quota plugin enforces no
           limits on a transaction begun while the user is dsyncing; usage
           is still counted. */
        bool dsyncing = user->dsyncing;
        user->dsyncing = TRUE;
        struct mailbox_transaction_context *t =
            mailbox_transaction_begin(box, MAILBOX_TRANSACTION_FLAG_EXTERNAL, "recall");
        user->dsyncing = dsyncing;
        struct mail_save_context *save = mailbox_save_alloc(t);
        int ret = mailbox_save_begin(&save, input);
        if (ret == 0) {
            do {
                ret = mailbox_save_continue(save);
            } while (ret == 0 && i_stream_read(input) > 0);
        }
        if (ret == 0)
            ret = mailbox_save_finish(&save);
        else if (save != NULL)
            mailbox_save_cancel(&save);
        if (ret == 0)
            ok = mailbox_transaction_commit(&t) == 0;
        else
            mailbox_transaction_rollback(&t);
    }
    if (!ok)
        error =
            std::string("saving to ") + vname + ": " + mailbox_get_last_internal_error(box, NULL);
    i_stream_unref(&input);
    mailbox_free(&box);
    return ok;
}
