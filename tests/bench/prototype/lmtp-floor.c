/* Prototype, benchmarks only (docs/BENCHMARKS.md, issue 13's P1): what a
   delivery costs when the plugin's delivery path does only the work the
   floor design of ../shared/notes/performance-floor.md needs, in a small
   C module: per message the Message-ID and Subject read and the content
   digest taken (one header pass and SHA-256 of the body, as
   recall-content-digest.cpp); per copy its record in its own index (a
   cache field of the delivery's save transaction) and one line in the
   process's append-only spool (one file, kept open); per lmtp process a
   group commit every 100 ms of one ledger row per message listing its
   recipients (with the expiry group and bucket rows the shipped ledger
   writes per commit), followed by the lookup of the recall epoch that
   late arrivals are checked against. A recall cannot read what it writes:
   it measures cost only. The setting recallfloor_leave_out lists parts
   left out to measure each one's share: digest, cache, spool, ledger;
   recallfloor_sha256 = openssl takes the digest and the message key with
   OpenSSL's SHA-256 (the CPU's SHA extensions where it has them) instead
   of Dovecot's.
   It needs no notify module: lmtp loads it alone (lmtp-floor.conf).
   Built by ./build, never installed by make. */
#include "lib.h"
#include "array.h"
#include "str.h"
#include "hex-binary.h"
#include "guid.h"
#include "ioloop.h"
#include "istream.h"
#include "sha2.h"
#include "message-header-parser.h"
#include "message-size.h"
#include "smtp-address.h"
#include "dict.h"
#include "module-context.h"
#include "settings-parser.h"
#include "mail-user.h"
#include "mail-storage-private.h"
#include "mail-storage-hooks.h"
#include "mail-cache.h"
#include "mail-deliver.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#define FLOOR_GROUP_COMMIT_MSECS 100
#define FLOOR_BUCKET_SECS 86400

struct floor_user {
	union mail_user_module_context module_ctx;
	unsigned int window_secs;
	const char *dict_uri;
	bool delivering; /* the deliver hook saw this recipient */
};

struct floor_mailbox {
	union mailbox_module_context module_ctx;
	unsigned int field_idx;
	bool field_registered;
};

/* The message being delivered: LMTP delivers its copies one after the other. */
struct floor_message {
	pool_t pool;
	const struct mail_deliver_session *session;
	/* subject is read as the plugin reads it, for that cost only */
	const char *key, *sender, *message_id, *subject, *digest;
	time_t expires_at;
	string_t *row; /* its ledger row: the message, then a recipient per line */
};

struct floor_record {
	char message[16];
	uint64_t delivered_at, expires_at;
};

static MODULE_CONTEXT_DEFINE_INIT(floor_user_module, &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(floor_storage_module, &mail_storage_module_register);

static struct floor_message message;
static ARRAY(struct floor_message) committable; /* closed messages, until the flush */
static struct dict *ledger;
static const struct dict_op_settings ledger_op_set;
static struct timeout *to_flush;
static int spool_fd = -1;
static deliver_mail_func_t *next_deliver_mail;
static bool leave_out_digest, leave_out_cache, leave_out_spool, leave_out_ledger;
static bool leave_out_read, sha256_openssl;

/* Dovecot's SHA-256 or OpenSSL's. */
struct floor_hash {
	struct sha256_ctx dovecot;
	EVP_MD_CTX *openssl;
};

static void hash_init(struct floor_hash *hash)
{
	if (!sha256_openssl) {
		sha256_init(&hash->dovecot);
		return;
	}
	hash->openssl = EVP_MD_CTX_new();
	if (hash->openssl == NULL || EVP_DigestInit_ex(hash->openssl, EVP_sha256(), NULL) != 1)
		i_fatal("OpenSSL SHA-256 unavailable");
}

static void hash_loop(struct floor_hash *hash, const void *data, size_t size)
{
	if (sha256_openssl)
		(void)EVP_DigestUpdate(hash->openssl, data, size);
	else
		sha256_loop(&hash->dovecot, data, size);
}

static void hash_result(struct floor_hash *hash, unsigned char digest[SHA256_RESULTLEN])
{
	if (!sha256_openssl) {
		sha256_result(&hash->dovecot, digest);
		return;
	}
	(void)EVP_DigestFinal_ex(hash->openssl, digest, NULL);
	EVP_MD_CTX_free(hash->openssl);
}

const char *recallfloor_plugin_version = DOVECOT_ABI_VERSION;
void recallfloor_plugin_init(struct module *module);
void recallfloor_plugin_deinit(void);

static const char *hash_hex(const char *a, const char *b)
{
	const char *input = t_strconcat(a, "\n", b, NULL);
	unsigned char digest[SHA256_RESULTLEN];
	struct floor_hash hash;

	hash_init(&hash);
	hash_loop(&hash, input, strlen(input));
	hash_result(&hash, digest);
	return binary_to_hex(digest, 16);
}

/* Hashes data without its CR and LF bytes: memchr finds each line end, so
   the bytes between are hashed in one call, not inspected one by one. */
static void hash_text(struct floor_hash *ctx, const unsigned char *data, size_t size)
{
	const unsigned char *end = data + size, *lf, *cr;

	while (data < end) {
		lf = memchr(data, '\n', end - data);
		if (lf == NULL)
			lf = end;
		while ((cr = memchr(data, '\r', lf - data)) != NULL) {
			hash_loop(ctx, data, cr - data);
			data = cr + 1;
		}
		hash_loop(ctx, data, lf - data);
		data = lf + 1;
	}
}

/* The digest headers' values and the body without line ends. */
static const char *content_digest(struct mail *mail)
{
	static const char *const names[] = { "From", "To", "Cc", "Subject", "Date", "Message-ID" };
	struct message_size hdr_size, body_size;
	struct message_header_parser_ctx *parser;
	struct message_header_line *hdr;
	struct istream *input;
	struct floor_hash ctx;
	unsigned char digest[SHA256_RESULTLEN];
	const unsigned char *data;
	size_t size;
	unsigned int i;

	if (mail_get_stream(mail, &hdr_size, &body_size, &input) < 0)
		return "";
	hash_init(&ctx);
	i_stream_seek(input, 0);
	parser = message_parse_header_init(input, NULL, 0);
	while (message_parse_header_next(parser, &hdr) > 0 && !hdr->eoh) {
		if (hdr->continues) {
			hdr->use_full_value = TRUE;
			continue;
		}
		for (i = 0; i < N_ELEMENTS(names); i++) {
			if (strcasecmp(hdr->name, names[i]) == 0) {
				hash_loop(&ctx, hdr->name, strlen(hdr->name));
				hash_text(&ctx, hdr->full_value, hdr->full_value_len);
			}
		}
	}
	message_parse_header_deinit(&parser);
	i_stream_seek(input, hdr_size.physical_size);
	while (i_stream_read_more(input, &data, &size) > 0) {
		hash_text(&ctx, data, size);
		i_stream_skip(input, size);
	}
	hash_result(&ctx, digest);
	return binary_to_hex(digest, 16);
}

static void message_close(void)
{
	if (message.row != NULL)
		array_push_back(&committable, &message);
	i_zero(&message);
}

/* With the ledger left out, a message's row is dropped, not queued. */
static void message_close_uncommitted(void)
{
	struct floor_message *msg;

	array_foreach_modifiable(&committable, msg)
		pool_unref(&msg->pool);
	array_clear(&committable);
}

static void message_open(struct mail_deliver_context *ctx, struct floor_user *fuser)
{
	const char *value;

	message_close();
	message.pool = pool_alloconly_create("recall floor message", 1024);
	message.session = ctx->session;
	message.sender = p_strdup(message.pool, smtp_address_encode(ctx->mail_from));
	/* lmtp parsed the incoming header already: these come from its parse. */
	if (mail_get_first_header(ctx->src_mail, "Message-ID", &value) > 0)
		message.message_id = p_strdup(message.pool, value);
	if (mail_get_first_header_utf8(ctx->src_mail, "Subject", &value) > 0)
		message.subject = p_strdup(message.pool, value);
	message.digest = leave_out_digest ? "" :
		p_strdup(message.pool, content_digest(ctx->src_mail));
	message.key = p_strdup(message.pool, hash_hex(t_str_lcase(message.sender),
						       message.message_id == NULL ? "" : message.message_id));
	message.expires_at = ioloop_time + fuser->window_secs;
	message.row = str_new(message.pool, 256);
	str_printfa(message.row, "%s\t%s\t%ld\t%s", message.sender,
		    message.message_id == NULL ? "" : message.message_id,
		    (long)message.expires_at, message.digest);
}

static void spool_open(const char *base_dir)
{
	const char *path = t_strdup_printf("%s/recall-floor.%ld", base_dir, (long)getpid());
	uid_t euid = geteuid();
	gid_t egid = getegid();

	if (getuid() == 0 && euid != 0 && seteuid(0) < 0)
		i_fatal("seteuid(0): %m");
	spool_fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC, 0600);
	if (getuid() == 0 && euid != 0 && (setegid(egid) < 0 || seteuid(euid) < 0))
		i_fatal("seteuid(%ld): %m", (long)euid);
	if (spool_fd == -1)
		i_error("open(%s): %m", path);
}

/* One line per copy, one write: the message's first copy names it. */
static void spool_copy(struct mail_user *user)
{
	const char *line = strchr(str_c(message.row), '\n') == NULL ?
		t_strdup_printf("%s\t%s\t%s\n", message.key, str_c(message.row), user->username) :
		t_strdup_printf("+%s\n", user->username);

	if (!leave_out_spool && spool_fd == -1)
		spool_open(user->set->base_dir);
	if (spool_fd != -1 && write(spool_fd, line, strlen(line)) < 0)
		i_error("write(spool): %m");
	str_printfa(message.row, "\n%s", user->username);
}

static void epoch_looked_up(const struct dict_lookup_result *result ATTR_UNUSED,
			    void *context ATTR_UNUSED)
{
}

static void committed(const struct dict_commit_result *result, void *context ATTR_UNUSED)
{
	if (result->ret < 0)
		i_error("ledger commit: %s", result->error);
	else
		dict_lookup_async(ledger, &ledger_op_set, "shared/recall/r/epoch", epoch_looked_up, NULL);
}

/* As the shipped ledger writes a commit: a row per message, and the
   messages of each expiry bucket listed in one group row (messages of one
   commit share a bucket unless it turns over). */
static void flush(void *unused ATTR_UNUSED)
{
	struct dict_transaction_context *trans;
	struct floor_message *msg;
	string_t *group = t_str_new(1024);
	guid_128_t group_id;
	const char *bucket = NULL;

	timeout_remove(&to_flush);
	message_close();
	trans = dict_transaction_begin(ledger, &ledger_op_set);
	array_foreach_modifiable(&committable, msg) {
		bucket = dec2str(msg->expires_at / FLOOR_BUCKET_SECS);
		dict_set(trans, t_strdup_printf("shared/recall/d/%s/recipients", msg->key),
			 str_c(msg->row));
		str_printfa(group, "%s%s", str_len(group) == 0 ? "" : " ", msg->key);
		pool_unref(&msg->pool);
	}
	array_clear(&committable);
	if (bucket != NULL) {
		guid_128_generate(group_id);
		dict_set(trans, t_strdup_printf("shared/recall/g/%s/%s", bucket,
						guid_128_to_string(group_id)), str_c(group));
		dict_set(trans, t_strconcat("shared/recall/b/", bucket, NULL), "1");
	}
	dict_transaction_commit_async(&trans, committed, NULL);
}

static void ledger_open(struct mail_user *user, const char *uri)
{
	struct dict_settings set;
	const char *error;

	i_zero(&set);
	set.base_dir = user->set->base_dir;
	if (dict_init(uri, &set, &ledger, &error) < 0)
		i_error("recall_dict: %s", error);
}

static void record_in_copy(struct mail_save_context *ctx, struct floor_mailbox *fbox)
{
	struct floor_record record;
	struct mail_cache_field field;

	if (ctx->dest_mail == NULL || ctx->dest_mail->seq == 0)
		return;
	if (!fbox->field_registered) {
		i_zero(&field);
		field.name = "recall-delivery";
		field.type = MAIL_CACHE_FIELD_FIXED_SIZE;
		field.field_size = sizeof(record);
		field.decision = MAIL_CACHE_DECISION_YES;
		mail_cache_register_fields(ctx->transaction->box->cache, &field, 1);
		fbox->field_idx = field.idx;
		fbox->field_registered = TRUE;
	}
	memcpy(record.message, message.key, sizeof(record.message));
	record.delivered_at = ioloop_time;
	record.expires_at = message.expires_at;
	mail_cache_add(ctx->transaction->cache_trans, ctx->dest_mail->seq, fbox->field_idx,
		       &record, sizeof(record));
}

static int floor_copy(struct mail_save_context *ctx, struct mail *mail)
{
	struct mailbox *box = ctx->transaction->box;
	struct floor_mailbox *fbox = MODULE_CONTEXT(box, floor_storage_module);
	struct mail_user *user = mailbox_get_namespace(box)->user;
	struct floor_user *fuser = MODULE_CONTEXT(user, floor_user_module);

	if (fbox->module_ctx.super.copy(ctx, mail) < 0)
		return -1;
	if (fuser != NULL && fuser->delivering && message.row != NULL) {
		fuser->delivering = FALSE;
		if (!leave_out_cache)
			record_in_copy(ctx, fbox);
		spool_copy(user);
		if (leave_out_ledger)
			message_close_uncommitted();
		else if (ledger == NULL)
			ledger_open(user, fuser->dict_uri);
		if (ledger != NULL && to_flush == NULL)
			to_flush = timeout_add_short_to(io_loop_get_root(), FLOOR_GROUP_COMMIT_MSECS,
							flush, NULL);
	}
	return 0;
}

static void floor_mailbox_allocated(struct mailbox *box)
{
	struct mailbox_vfuncs *v = box->vlast;
	struct floor_mailbox *fbox;

	if (MODULE_CONTEXT(mailbox_get_namespace(box)->user, floor_user_module) == NULL)
		return;
	fbox = p_new(box->pool, struct floor_mailbox, 1);
	fbox->module_ctx.super = *v;
	box->vlast = &fbox->module_ctx.super;
	v->copy = floor_copy;
	MODULE_CONTEXT_SET(box, floor_storage_module, fbox);
}

static void read_leave_out(struct mail_user *user)
{
	const char *value;
	const char *const *part;

	if (leave_out_read)
		return;
	leave_out_read = TRUE;
	value = mail_user_plugin_getenv(user, "recallfloor_sha256");
	sha256_openssl = value != NULL && strcmp(value, "openssl") == 0;
	value = mail_user_plugin_getenv(user, "recallfloor_leave_out");
	for (part = t_strsplit_spaces(value == NULL ? "" : value, " ,"); *part != NULL; part++) {
		leave_out_digest |= strcmp(*part, "digest") == 0;
		leave_out_cache |= strcmp(*part, "cache") == 0;
		leave_out_spool |= strcmp(*part, "spool") == 0;
		leave_out_ledger |= strcmp(*part, "ledger") == 0;
	}
}

static void floor_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct floor_user *fuser;
	const char *window = mail_user_plugin_getenv(user, "recall_window");
	const char *error;

	if (user->autocreated || strcmp(user->service, "lmtp") != 0)
		return;
	read_leave_out(user);
	fuser = p_new(user->pool, struct floor_user, 1);
	if (window == NULL || settings_get_time(window, &fuser->window_secs, &error) < 0)
		fuser->window_secs = 3600;
	fuser->dict_uri = mail_user_plugin_getenv(user, "recall_dict");
	if (fuser->dict_uri == NULL)
		return;
	fuser->module_ctx.super = *v;
	user->vlast = &fuser->module_ctx.super;
	MODULE_CONTEXT_SET(user, floor_user_module, fuser);
}

static int floor_deliver_mail(struct mail_deliver_context *ctx, struct mail_storage **storage_r)
{
	struct floor_user *fuser = MODULE_CONTEXT(ctx->rcpt_user, floor_user_module);

	if (fuser != NULL) {
		if (message.row == NULL || message.session != ctx->session ||
		    strcmp(mailbox_get_storage(ctx->src_mail->box)->name, "raw") == 0)
			message_open(ctx, fuser);
		fuser->delivering = TRUE;
	}
	return next_deliver_mail != NULL ? next_deliver_mail(ctx, storage_r) : 0;
}

static struct mail_storage_hooks floor_hooks = {
	.mail_user_created = floor_user_created,
	.mailbox_allocated = floor_mailbox_allocated,
};

void recallfloor_plugin_init(struct module *module)
{
	i_array_init(&committable, 16);
	mail_storage_hooks_add(module, &floor_hooks);
	next_deliver_mail = mail_deliver_hook_set(floor_deliver_mail);
}

void recallfloor_plugin_deinit(void)
{
	mail_deliver_hook_set(next_deliver_mail);
	mail_storage_hooks_remove(&floor_hooks);
	if (ledger != NULL) {
		if (to_flush != NULL)
			flush(NULL);
		dict_wait(ledger);
		dict_deinit(&ledger);
	}
	message_close();
	array_free(&committable);
	if (spool_fd != -1)
		i_close_fd(&spool_fd);
}
