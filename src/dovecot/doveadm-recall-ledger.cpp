#include "doveadm-recall-ledger.h"
#include "recall-ledger-schema.h"
#include "recall-log.h"

extern "C" {
#include "lib.h"
#include "array.h"
#include "dict.h"
#include "fs-api.h"
#include "doveadm-settings.h"
#include "doveadm.h"
#include <sysexits.h>
}

const char *doveadm_recall_setting(const char *name)
{
    unsigned int count;
    const char *const *envs = array_get(&doveadm_settings->plugin_envs, &count);
    for (unsigned int i = 0; i + 1 < count; i += 2) {
        if (strcmp(envs[i], name) == 0)
            return envs[i + 1];
    }
    return NULL;
}

void doveadm_recall_ensure_ledger(void)
{
    struct event *event = recall_event_create(NULL);
    recall_ledger_schema_ensure(doveadm_recall_setting("recall_sqlite_ledger"), event);
    event_unref(&event);
}

bool CommandLedger::open(const char *command)
{
    const char *uri = doveadm_recall_setting("recall_dict"), *error;
    if (uri == NULL || *uri == '\0') {
        i_error("%s: recall_dict is not set", command);
        doveadm_exit_code = EX_CONFIG;
        return false;
    }
    doveadm_recall_ensure_ledger();
    if (recall_ledger_listing_fs(uri, NULL, &listing_fs_, &error) < 0) {
        i_error("%s: %s", command, error);
        doveadm_exit_code = EX_CONFIG;
        return false;
    }
    struct dict_settings set;
    i_zero(&set);
    set.base_dir = doveadm_settings->base_dir;
    if (dict_init(uri, &set, &dict_, &error) < 0) {
        i_error("%s: recall_dict: %s", command, error);
        doveadm_exit_code = EX_TEMPFAIL;
        return false;
    }
    event_ = recall_event_create(NULL);
    ledger_ = std::make_unique<DictLedger>(dict_, event_, listing_fs_);
    return true;
}

CommandLedger::~CommandLedger()
{
    ledger_.reset();
    if (event_ != nullptr)
        event_unref(&event_);
    if (dict_ != nullptr)
        dict_deinit(&dict_);
    if (listing_fs_ != nullptr)
        fs_deinit(&listing_fs_);
}
