#include "recall-content-digest.h"

extern "C" {
#include "lib.h"
#include "hex-binary.h"
#include "istream.h"
#include "message-header-parser.h"
#include "message-size.h"
#include "sha2.h"
#include "mail-storage-private.h"
}

namespace {

/* The digest of the message the mail was at: one mail object may be moved
   to another message (mail_set_uid()), so the cache names which. */
struct recall_digest_mail {
    union mail_module_context module_ctx;
    uint32_t seq;
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

constexpr unsigned int kDigestHeaderCount = 6;
const char *const kDigestHeaders[kDigestHeaderCount] = {"From",    "To",   "Cc",
                                                        "Subject", "Date", "Message-ID"};

/* The parser keeps the blanks after the colon but one; the index skips
   them all, up to the first other character (a line end included). */
const char *first_value(const struct message_header_line *hdr)
{
    const unsigned char *value = hdr->full_value;
    size_t size = hdr->full_value_len;
    while (size > 0 && (*value == ' ' || *value == '\t')) {
        value++;
        size--;
    }
    return message_header_strdup(pool_datastack_create(), value, size);
}

/* The first value of each digest header, as mail_get_first_header() gives
   it (whitespace after the colon skipped, NULs replaced), read from the
   message's own header in one pass: the mail's index may have parsed the
   header already for other fields (LMTP does), and asking it for more
   would parse it again. */
bool read_header_values(struct istream *input, const char *values[kDigestHeaderCount])
{
    for (unsigned int i = 0; i < kDigestHeaderCount; i++)
        values[i] = "";
    bool seen[kDigestHeaderCount] = {};
    struct message_header_parser_ctx *parser =
        message_parse_header_init(input, NULL, (enum message_header_parser_flags)0);
    struct message_header_line *hdr;
    int ret;
    while ((ret = message_parse_header_next(parser, &hdr)) > 0) {
        if (hdr->eoh)
            break;
        if (hdr->continues) {
            hdr->use_full_value = TRUE;
            continue;
        }
        for (unsigned int i = 0; i < kDigestHeaderCount; i++) {
            if (!seen[i] && strcasecmp(hdr->name, kDigestHeaders[i]) == 0) {
                seen[i] = true;
                values[i] = first_value(hdr);
            }
        }
    }
    message_parse_header_deinit(&parser);
    return ret >= 0 && input->stream_errno == 0;
}

void hash_headers(struct sha256_ctx &ctx, const char *const values[kDigestHeaderCount])
{
    for (unsigned int i = 0; i < kDigestHeaderCount; i++) {
        sha256_loop(&ctx, kDigestHeaders[i], strlen(kDigestHeaders[i]));
        sha256_loop(&ctx, ":", 1);
        hash_text(ctx, (const unsigned char *)values[i], strlen(values[i]));
        sha256_loop(&ctx, "\n", 1);
    }
}

bool hash_body(struct istream *input, uoff_t body_offset, struct sha256_ctx &ctx)
{
    i_stream_seek(input, body_offset);
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
    struct message_size hdr_size, body_size;
    struct istream *input;
    if (mail_get_stream(mail, &hdr_size, &body_size, &input) < 0)
        return "";
    const char *values[kDigestHeaderCount];
    struct sha256_ctx ctx;
    sha256_init(&ctx);
    bool ok;
    T_BEGIN {
        i_stream_seek(input, 0);
        ok = read_header_values(input, values);
        if (ok)
            hash_headers(ctx, values);
    } T_END;
    if (!ok || !hash_body(input, hdr_size.physical_size, ctx))
        return "";
    unsigned char digest[SHA256_RESULTLEN];
    sha256_result(&ctx, digest);
    return binary_to_hex(digest, 16);
}

} // namespace

std::string recall_content_digest(struct mail *_mail) noexcept
{
    struct mail_private *mail = (struct mail_private *)_mail;
    auto *cached = (struct recall_digest_mail *)MODULE_CONTEXT(mail, recall_digest_mail_module);
    if (cached != NULL && cached->seq == _mail->seq)
        return cached->digest;
    std::string digest = compute(_mail);
    if (!digest.empty()) {
        if (cached == NULL) {
            cached = p_new(mail->pool, struct recall_digest_mail, 1);
            MODULE_CONTEXT_SET(mail, recall_digest_mail_module, cached);
        }
        cached->seq = _mail->seq;
        cached->digest = p_strdup(mail->pool, digest.c_str());
    }
    return digest;
}
