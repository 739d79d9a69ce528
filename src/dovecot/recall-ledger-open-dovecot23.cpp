/* Dovecot 2.3: recall_dict is a dict URI. An fs: dict cannot iterate its
   keys itself: the same fs lists them (recall-ledger-dict.cpp). */
#include "recall-ledger-open.h"

extern "C" {
#include "lib.h"
#include "dict.h"
#include "fs-api.h"
}

namespace {

int open_listing_fs(const char *uri, struct event *event, struct fs **fs_r, const char **error_r)
{
    *fs_r = NULL;
    if (strncmp(uri, "fs:", 3) != 0)
        return 0;
    struct fs_settings set;
    i_zero(&set);
    set.event_parent = event;
    if (fs_init_from_string(uri + 3, &set, fs_r, error_r) < 0) {
        *error_r = t_strdup_printf("recall_dict %s: %s", uri, *error_r);
        return -1;
    }
    return 0;
}

} // namespace

int recall_ledger_open(const char *uri, struct event *event, const char *base_dir,
                       struct dict **dict_r, struct fs **listing_fs_r, const char **error_r)
{
    if (open_listing_fs(uri, event, listing_fs_r, error_r) < 0)
        return -1;
    struct dict_settings set;
    i_zero(&set);
    set.base_dir = base_dir;
    set.event_parent = event;
    const char *error;
    if (dict_init(uri, &set, dict_r, &error) < 0) {
        *error_r = t_strdup_printf("recall_dict: %s", error);
        if (*listing_fs_r != NULL)
            fs_deinit(listing_fs_r);
        return -1;
    }
    return 0;
}
