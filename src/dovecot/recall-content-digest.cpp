#include "recall-content-digest.h"

extern "C" {
#include "lib.h"
#include "hex-binary.h"
#include "istream.h"
#include "message-size.h"
#include "sha2.h"
#include "mail-storage-private.h"
}

namespace {

struct recall_digest_mail {
    union mail_module_context module_ctx;
    const char *digest;
};

MODULE_CONTEXT_DEFINE_INIT(recall_digest_mail_module, &mail_module_register);

/* Hashes data without CR and LF: the same text stored with LF or sent
   with CRLF, folded or not, gives the same digest. */
void hash_text(struct sha256_ctx &ctx, const unsigned char *data, size_t size)
{
    size_t start = 0;
    for (size_t i = 0; i < size; i++) {
        if (data[i] == '\r' || data[i] == '\n') {
            sha256_loop(&ctx, data + start, i - start);
            start = i + 1;
        }
    }
    sha256_loop(&ctx, data + start, size - start);
}

bool hash_body(struct mail *mail, struct sha256_ctx &ctx)
{
    struct message_size hdr_size, body_size;
    struct istream *input;
    if (mail_get_stream(mail, &hdr_size, &body_size, &input) < 0)
        return false;
    i_stream_seek(input, hdr_size.physical_size);
    const unsigned char *data;
    size_t size;
    while (i_stream_read_more(input, &data, &size) > 0) {
        hash_text(ctx, data, size);
        i_stream_skip(input, size);
    }
    return input->stream_errno == 0;
}

std::string compute(struct mail *mail)
{
    static const char *const headers[] = {"From", "To", "Cc", "Subject", "Date", "Message-ID",
                                          NULL};
    /* All six from one parse of the header: one missing from the mail's
       cache would otherwise cost a parse of its own. */
    struct mailbox_header_lookup_ctx *wanted = mailbox_header_lookup_init(mail->box, headers);
    mail_add_temp_wanted_fields(mail, (enum mail_fetch_field)0, wanted);
    mailbox_header_lookup_unref(&wanted);
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    for (const char *const *header = headers; *header != NULL; header++) {
        const char *name = *header;
        const char *value;
        if (mail_get_first_header(mail, name, &value) < 0)
            return "";
        if (value == NULL)
            value = "";
        sha256_loop(&ctx, name, strlen(name));
        sha256_loop(&ctx, ":", 1);
        hash_text(ctx, (const unsigned char *)value, strlen(value));
        sha256_loop(&ctx, "\n", 1);
    }
    if (!hash_body(mail, ctx))
        return "";
    unsigned char digest[SHA256_RESULTLEN];
    sha256_result(&ctx, digest);
    return binary_to_hex(digest, 16);
}

} // namespace

std::string recall_content_digest(struct mail *_mail)
{
    struct mail_private *mail = (struct mail_private *)_mail;
    auto *cached = (struct recall_digest_mail *)MODULE_CONTEXT(mail, recall_digest_mail_module);
    if (cached != NULL)
        return cached->digest;
    std::string digest = compute(_mail);
    if (!digest.empty()) {
        cached = p_new(mail->pool, struct recall_digest_mail, 1);
        cached->digest = p_strdup(mail->pool, digest.c_str());
        MODULE_CONTEXT_SET(mail, recall_digest_mail_module, cached);
    }
    return digest;
}
