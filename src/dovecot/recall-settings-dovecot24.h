/* Dovecot 2.4: SPEC section 6's settings as typed settings the config
   process knows (librecall_settings.so declares them to it), so doveconf
   lists them and refuses a malformed value at startup. C, because
   Dovecot's SETTING_DEFINE_* macros do not compile as C++. */
#ifndef RECALL_SETTINGS_DOVECOT24_H
#define RECALL_SETTINGS_DOVECOT24_H

#include "lib.h"
#include "array.h"
#include "settings-parser.h"

struct event;

struct recall_settings {
	pool_t pool;
	const char *recall_sqlite_ledger;
	const char *recall_domain;
	const char *recall_address;
	const char *recall_org;
	const char *recall_upgrade_url;
	const char *recall_notice_template;
	const char *recall_report_template;
	unsigned int recall_window;    /* seconds */
	unsigned int recall_retention; /* seconds */
	unsigned int recall_hold;      /* seconds; 0 = off */
	const char *recall_account;    /* paid:free:personal */
	bool recall_read_messages;
	bool recall_report;
	bool recall_protected;
	const char *recall_notify_recipients; /* yes:no:read */
	ARRAY_TYPE(const_string) recall_webmail_networks;
	const char *recall_host;
	const char *recall_host_password;
	ARRAY_TYPE(const_string) recall_backends;
};

extern const struct setting_parser_info recall_setting_parser_info;

/* The recall settings as seen from event (a user's: userdb applied);
   -1 with error_r when they cannot be read. Free with settings_free(). */
int recall_settings_get(struct event *event, const struct recall_settings **set_r,
			const char **error_r);

#endif
