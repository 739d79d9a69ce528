/* Dovecot 2.4: the ledger is the dict { } of the recall filter
   (conf.d/90-recall.conf), usually a proxy to the dict server's SQL dict.
   The dict server's socket comes from the settings too, the global ones
   (recall-ledger-open.h says why). */
#include "recall-ledger-open.h"

extern "C" {
#include "lib.h"
#include "dict.h"
#include "settings.h"
#include "master-service.h"
}

int recall_ledger_open(const char *name, struct event *, const char *, struct dict **dict_r,
                       struct fs **listing_fs_r, const char **error_r)
{
    *listing_fs_r = NULL;
    struct event *lookup = event_create(master_service_get_event(master_service));
    settings_event_add_filter_name(lookup, name);
    const char *error;
    int ret = dict_init_auto(lookup, dict_r, &error);
    event_unref(&lookup);
    if (ret <= 0) {
        *error_r = ret == 0
            ? t_strdup_printf("%s { dict { } } is not set (see conf.d/90-recall.conf)", name)
            : t_strdup_printf("%s { dict }: %s", name, error);
        return -1;
    }
    return 0;
}
