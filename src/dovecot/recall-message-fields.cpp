/* Reads what recall needs from a message with lib-mail's parsers. */
#include "recall-message-fields.h"
#include "recall-mail-transaction.h"

extern "C" {
#include "lib.h"
#include "mail-search-build.h"
#include "mail-storage.h"
#include "message-address.h"
#include "message-id.h"
}

std::string recall_normalize_message_id(const char *header_value) noexcept
{
    if (header_value == NULL)
        return "";
    const char *p = header_value;
    const char *id = message_id_get_next(&p);
    /* message_id_get_next() returns the id without its brackets. */
    return id == NULL ? "" : std::string("<") + id + ">";
}

int recall_find_message_id(struct mailbox *box, const std::string &message_id,
                           uint32_t *uid_r) noexcept
{
    std::vector<uint32_t> uids;
    int ret = recall_find_message_ids(box, message_id, uids);
    *uid_r = uids.empty() ? 0 : uids.front();
    return ret;
}

int recall_find_message_ids(struct mailbox *box, const std::string &message_id,
                            std::vector<uint32_t> &uids)
{
    struct mail_search_args *args = mail_search_build_init();
    struct mail_search_arg *arg = mail_search_build_add(args, SEARCH_HEADER);
    arg->hdr_field_name = "Message-ID";
    arg->value.str = p_strdup(args->pool, message_id.c_str());
    MailSearch search(box, args);
    struct mail *mail;
    const char *value;
    /* SEARCH HEADER is a substring match: compare the canonical id. */
    while (search.next(&mail)) {
        if (mail_get_first_header(mail, "Message-ID", &value) > 0 &&
            recall_normalize_message_id(value) == message_id)
            uids.push_back(mail->uid);
    }
    return search.end();
}

static int append_addresses(struct mail *mail, const char *header,
                            std::vector<std::string> &out)
{
    const char *const *values;
    int ret = mail_get_headers(mail, header, &values);
    if (ret <= 0)
        return ret;
    for (; *values != NULL; values++) {
        const struct message_address *addr = message_address_parse(
            pool_datastack_create(), (const unsigned char *)*values, strlen(*values), UINT_MAX,
            (enum message_address_parse_flags)0);
        for (; addr != NULL; addr = addr->next) {
            if (addr->mailbox != NULL && addr->domain != NULL && *addr->domain != '\0')
                out.push_back(std::string(addr->mailbox) + "@" + addr->domain);
        }
    }
    return 1;
}

int recall_sender_copy_read(struct mail *mail, struct recall_sender_copy &copy_r) noexcept
{
    const char *message_id;
    if (mail_get_first_header(mail, "Message-ID", &message_id) < 0)
        return -1;
    copy_r.message_id = recall_normalize_message_id(message_id);
    static const char *const headers[] = {"To", "Cc", "Bcc"};
    for (const char *header : headers) {
        if (append_addresses(mail, header, copy_r.recipients) < 0)
            return -1;
    }
    return 0;
}
