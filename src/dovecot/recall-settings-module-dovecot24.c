/* Dovecot 2.4: librecall_settings.so, in $moduledir/settings. The config
   process and doveconf load every module there (never mail plugins) and
   learn the recall settings from <name>_set_infos. */
#include "recall-settings-dovecot24.h"

/* Built with hidden visibility like the other modules: these two are
   what it exports. */
#define RECALL_SETTINGS_EXPORT __attribute__((visibility("default")))
extern RECALL_SETTINGS_EXPORT const char *recall_settings_version;
extern RECALL_SETTINGS_EXPORT const struct setting_parser_info *recall_settings_set_infos[];

const char *recall_settings_version = DOVECOT_ABI_VERSION;
const struct setting_parser_info *recall_settings_set_infos[] = {
	&recall_setting_parser_info, NULL
};
