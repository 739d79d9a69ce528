/* Dovecot 2.4: the declaration of the recall settings, linked into
   lib90_recall_plugin and doveadm's module (which read them) and into
   librecall_settings.so (the config process and doveconf, which check
   them). Defaults are SPEC section 6's, as recall::Settings has them. */
#include "recall-settings-dovecot24.h"
#include "settings.h"

#undef DEF
#define DEF(type, name) SETTING_DEFINE_STRUCT_##type(#name, name, struct recall_settings)

static const struct setting_define recall_setting_defines[] = {
	/* recall { ... } holds the ledger's dict, and these without the
	   recall_ prefix. */
	{ .type = SET_FILTER_NAME, .key = "recall" },
	DEF(STR, recall_sqlite_ledger),
	DEF(STR, recall_domain),
	DEF(STR, recall_address),
	DEF(STR, recall_org),
	DEF(STR, recall_upgrade_url),
	DEF(STR, recall_notice_template),
	DEF(STR, recall_report_template),
	DEF(TIME, recall_window),
	DEF(TIME, recall_retention),
	DEF(TIME, recall_hold),
	DEF(ENUM, recall_account),
	DEF(BOOL, recall_read_messages),
	DEF(BOOL, recall_report),
	DEF(BOOL, recall_protected),
	DEF(ENUM, recall_notify_recipients),
	DEF(BOOLLIST, recall_webmail_networks),
	DEF(STR, recall_host),
	DEF(STR, recall_host_password),
	DEF(BOOLLIST, recall_backends),
	SETTING_DEFINE_LIST_END
};

static const struct recall_settings recall_default_settings = {
	.recall_sqlite_ledger = "",
	.recall_domain = "",
	.recall_address = "",
	.recall_org = "",
	.recall_upgrade_url = "",
	.recall_notice_template = "",
	.recall_report_template = "",
	.recall_window = 30 * 60,
	.recall_retention = 24 * 60 * 60,
	.recall_hold = 0,
	.recall_account = "paid:free:personal", /* the first is the default */
	.recall_read_messages = TRUE,
	.recall_report = TRUE,
	.recall_protected = FALSE,
	.recall_notify_recipients = "yes:no:read",
	.recall_webmail_networks = ARRAY_INIT,
	.recall_host = "",
	.recall_host_password = "",
	.recall_backends = ARRAY_INIT,
};

const struct setting_parser_info recall_setting_parser_info = {
	.name = "recall",
	.defines = recall_setting_defines,
	.defaults = &recall_default_settings,
	.struct_size = sizeof(struct recall_settings),
	.pool_offset1 = 1 + offsetof(struct recall_settings, pool),
};

int recall_settings_get(struct event *event, const struct recall_settings **set_r,
			const char **error_r)
{
	/* The filter name lets recall { } apply too. */
	struct event *lookup = event_create(event);
	settings_event_add_filter_name(lookup, "recall");
	int ret = settings_get(lookup, &recall_setting_parser_info, 0, set_r, error_r);
	event_unref(&lookup);
	return ret;
}
