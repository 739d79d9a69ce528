/* Prototype, benchmarks only (docs/BENCHMARKS.md, issue 13's P2): what a
   POP3 or IMAP session that downloads nothing would cost if the plugin's
   per-session hooks lived in a small C module and the C++ engine were
   loaded only when a recall, a delivery or a download needs it. It
   hooks the same surfaces as lib90_recall_plugin and makes the same
   per-session decisions (the settings a session reads, whether it tracks
   downloads, the hold folder's wrappers, the download and copy hooks,
   the copy one on the mailbox's own vfunc, as the plugin has done since
   the thirteenth session instead of notify's); it records nothing. Built
   by ./build, never installed by make. */
#include "lib.h"
#include "net.h"
#include "module-context.h"
#include "mail-user.h"
#include "mail-namespace.h"
#include "mail-storage-private.h"
#include "mailbox-list-private.h"
#include "mail-storage-hooks.h"

struct proto_network {
	struct ip_addr ip;
	unsigned int bits;
};

struct proto_user {
	union mail_user_module_context module_ctx;
	ARRAY(struct proto_network) webmail_networks;
	bool tracks_downloads;
};

struct proto_mail {
	union mail_module_context module_ctx;
};

static MODULE_CONTEXT_DEFINE_INIT(proto_user_module, &mail_user_module_register);
static MODULE_CONTEXT_DEFINE_INIT(proto_mail_module, &mail_module_register);
static MODULE_CONTEXT_DEFINE_INIT(proto_list_module, &mailbox_list_module_register);
static MODULE_CONTEXT_DEFINE_INIT(proto_box_module, &mail_storage_module_register);

static const char *const session_settings[] = {
	"recall_window", "recall_retention", "recall_hold", "recall_read_messages",
	"recall_report", "recall_protected", "recall_org", "recall_domain",
	"recall_account", "recall_dict", "recall_host", "recall_upgrade_url", NULL
};

const char *recallproto_plugin_version = DOVECOT_ABI_VERSION;
void recallproto_plugin_init(struct module *module);
void recallproto_plugin_deinit(void);

static bool proto_is_webmail(struct proto_user *puser, const struct ip_addr *ip)
{
	const struct proto_network *net;

	if (ip == NULL)
		return FALSE;
	array_foreach(&puser->webmail_networks, net) {
		if (net_is_in_network(ip, &net->ip, net->bits))
			return TRUE;
	}
	return FALSE;
}

static void proto_read_networks(struct mail_user *user, struct proto_user *puser)
{
	const char *value = mail_user_plugin_getenv(user, "recall_webmail_networks");
	const char *const *cidr;
	struct proto_network net;

	p_array_init(&puser->webmail_networks, user->pool, 2);
	for (cidr = t_strsplit_spaces(value == NULL ? "" : value, " ,"); *cidr != NULL; cidr++) {
		if (net_parse_range(*cidr, &net.ip, &net.bits) == 0)
			array_push_back(&puser->webmail_networks, &net);
	}
}

static void proto_user_created(struct mail_user *user)
{
	struct mail_user_vfuncs *v = user->vlast;
	struct proto_user *puser;
	unsigned int i;

	if (user->autocreated)
		return;
	puser = p_new(user->pool, struct proto_user, 1);
	for (i = 0; session_settings[i] != NULL; i++)
		(void)mail_user_plugin_getenv(user, session_settings[i]);
	proto_read_networks(user, puser);
	puser->tracks_downloads = strcmp(user->service, "lmtp") != 0 &&
		!proto_is_webmail(puser, user->conn.remote_ip);
	puser->module_ctx.super = *v;
	user->vlast = &puser->module_ctx.super;
	MODULE_CONTEXT_SET(user, proto_user_module, puser);
}

static int proto_get_stream(struct mail *_mail, bool get_body, struct message_size *hdr_size,
			    struct message_size *body_size, struct istream **stream_r)
{
	struct mail_private *mail = (struct mail_private *)_mail;
	struct proto_mail *pmail = MODULE_CONTEXT(mail, proto_mail_module);

	/* The real hook marks a download here; no session of P2's
	   sessions-only figure gets this far. */
	return pmail->module_ctx.super.get_stream(_mail, get_body, hdr_size, body_size, stream_r);
}

static void proto_mail_allocated(struct mail *_mail)
{
	struct mail_namespace *ns = mailbox_get_namespace(_mail->box);
	struct proto_user *puser = MODULE_CONTEXT(ns->user, proto_user_module);
	struct mail_private *mail = (struct mail_private *)_mail;
	struct mail_vfuncs *v = mail->vlast;
	struct proto_mail *pmail;

	if (puser == NULL || !puser->tracks_downloads)
		return;
	pmail = p_new(mail->pool, struct proto_mail, 1);
	pmail->module_ctx.super = *v;
	mail->vlast = &pmail->module_ctx.super;
	v->get_stream = proto_get_stream;
	MODULE_CONTEXT_SET(mail, proto_mail_module, pmail);
}

static void proto_list_created(struct mailbox_list *list)
{
	struct mailbox_list_vfuncs *v = list->vlast;
	union mailbox_list_module_context *ctx = p_new(list->pool, union mailbox_list_module_context, 1);

	ctx->super = *v;
	list->vlast = &ctx->super;
	MODULE_CONTEXT_SET_SELF(list, proto_list_module, ctx);
}

static int proto_copy(struct mail_save_context *ctx, struct mail *mail)
{
	union mailbox_module_context *pbox =
		MODULE_CONTEXT(ctx->transaction->box, proto_box_module);

	/* The real watch marks the new copy FETCHED or SHARED here. */
	return pbox->super.copy(ctx, mail);
}

static void proto_mailbox_allocated(struct mailbox *box)
{
	struct mailbox_vfuncs *v = box->vlast;
	union mailbox_module_context *ctx = p_new(box->pool, union mailbox_module_context, 1);

	ctx->super = *v;
	box->vlast = &ctx->super;
	if ((box->flags & MAILBOX_FLAG_POST_SESSION) == 0)
		v->copy = proto_copy;
	MODULE_CONTEXT_SET_SELF(box, proto_box_module, ctx);
}

static struct mail_storage_hooks proto_hooks = {
	.mail_user_created = proto_user_created,
	.mailbox_list_created = proto_list_created,
	.mailbox_allocated = proto_mailbox_allocated,
	.mail_allocated = proto_mail_allocated,
};

void recallproto_plugin_init(struct module *module)
{
	mail_storage_hooks_add(module, &proto_hooks);
}

void recallproto_plugin_deinit(void)
{
	mail_storage_hooks_remove(&proto_hooks);
}
