#include "doveadm-recall-ledger.h"
#include "doveadm-recall-compat.h"
#include "recall-ledger-open.h"
#include "recall-ledger-schema.h"
#include "recall-log.h"

extern "C" {
#include "lib.h"
#include "dict.h"
#include "fs-api.h"
#include "doveadm-settings.h"
#include "doveadm.h"
#include <sysexits.h>
}

void doveadm_recall_ensure_ledger(void)
{
    struct event *event = recall_event_create(NULL);
    recall_ledger_schema_ensure(doveadm_recall_sqlite_ledger(), event);
    event_unref(&event);
}

bool CommandLedger::open(const char *command)
{
    const char *name = doveadm_recall_ledger_name(), *error;
    if (name == NULL) {
        i_error("%s: recall_dict is not set", command);
        doveadm_exit_code = EX_CONFIG;
        return false;
    }
    doveadm_recall_ensure_ledger();
    event_ = recall_event_create(NULL);
    if (recall_ledger_open(name, event_, doveadm_settings->base_dir, &dict_, &listing_fs_,
                           &error) < 0) {
        i_error("%s: %s", command, error);
        doveadm_exit_code = EX_TEMPFAIL;
        return false;
    }
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
