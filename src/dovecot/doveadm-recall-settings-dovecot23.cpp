/* Dovecot 2.3: doveadm's plugin { } settings. */
#include "doveadm-recall-compat.h"

extern "C" {
#include "array.h"
#include "doveadm-settings.h"
}

static const char *plugin_setting(const char *name)
{
    unsigned int count;
    const char *const *envs = array_get(&doveadm_settings->plugin_envs, &count);
    for (unsigned int i = 0; i + 1 < count; i += 2) {
        if (strcmp(envs[i], name) == 0)
            return *envs[i + 1] != '\0' ? envs[i + 1] : NULL;
    }
    return NULL;
}

const char *doveadm_recall_sqlite_ledger(void)
{
    return plugin_setting("recall_sqlite_ledger");
}

const char *doveadm_recall_ledger_name(void)
{
    return plugin_setting("recall_dict");
}
