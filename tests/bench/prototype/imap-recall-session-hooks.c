/* Prototype, benchmarks only: the IMAP half of recall-session-hooks.c,
   built into one module with it (./build), so that an IMAP process maps
   one object for the plugin, as one that loads notify alone does: a second
   module costs its mapping and faults, which instructions do not count
   (docs/BENCHMARKS.md, sixteenth session). The XRECALL commands registered
   and the webmail check of each new client, in C; the command itself
   would load the C++ engine. */
#include "lib.h"
#include "net.h"
#include "imap-common.h"
#include "imap-commands.h"

const char *imap_recallproto_plugin_version = DOVECOT_ABI_VERSION;
void imap_recallproto_plugin_init(struct module *module);
void imap_recallproto_plugin_deinit(void);
/* recall-session-hooks.c's, linked into this module. */
void recallproto_plugin_init(struct module *module);
void recallproto_plugin_deinit(void);

static imap_client_created_func_t *next_client_created;

static bool proto_cmd_xrecall(struct client_command_context *cmd)
{
	client_send_command_error(cmd, "prototype: no recall here");
	return TRUE;
}

static bool proto_is_webmail(struct mail_user *user)
{
	const char *value = mail_user_plugin_getenv(user, "recall_webmail_networks");
	const char *const *cidr;
	struct ip_addr ip;
	unsigned int bits;

	if (value == NULL || user->conn.remote_ip == NULL)
		return FALSE;
	for (cidr = t_strsplit_spaces(value, " ,"); *cidr != NULL; cidr++) {
		if (net_parse_range(*cidr, &ip, &bits) == 0 &&
		    net_is_in_network(user->conn.remote_ip, &ip, bits))
			return TRUE;
	}
	return FALSE;
}

static void proto_client_created(struct client **clientp)
{
	if (proto_is_webmail((*clientp)->user))
		client_add_capability(*clientp, "XRECALL");
	if (next_client_created != NULL)
		next_client_created(clientp);
}

void imap_recallproto_plugin_init(struct module *module)
{
	recallproto_plugin_init(module);
	command_register("XRECALL", proto_cmd_xrecall, COMMAND_FLAG_USES_SEQS);
	command_register("UID XRECALL", proto_cmd_xrecall, COMMAND_FLAG_BREAKS_SEQS);
	next_client_created = imap_client_created_hook_set(proto_client_created);
}

void imap_recallproto_plugin_deinit(void)
{
	command_unregister("XRECALL");
	command_unregister("UID XRECALL");
	imap_client_created_hook_set(next_client_created);
	recallproto_plugin_deinit();
}
