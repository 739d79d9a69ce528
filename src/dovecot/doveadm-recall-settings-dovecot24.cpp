/* Dovecot 2.4: the recall settings as doveadm's configuration gives them. */
#include "doveadm-recall-compat.h"

extern "C" {
#include "settings.h"
#include "master-service.h"
#include "recall-settings-dovecot24.h"
}

const char *doveadm_recall_sqlite_ledger(void)
{
    const struct recall_settings *set;
    const char *error;
    if (recall_settings_get(master_service_get_event(master_service), &set, &error) < 0) {
        i_error("recall: %s", error);
        return NULL;
    }
    const char *path = t_strdup(set->recall_sqlite_ledger);
    settings_free(set);
    return *path != '\0' ? path : NULL;
}

const char *doveadm_recall_ledger_name(void)
{
    /* The dict { } of recall { } (recall-ledger-open-dovecot24.cpp). */
    return "recall";
}
