/* doveadm recall prune (recallPrune): commits the delivery records that
   killed lmtp processes left in the spool, deletes the ledger's records
   and history past their expiry, and purges every hold that has passed
   from its recipient's mail (recall_hold). Prints the three counts. */
#include "doveadm-recall-commands.h"
#include "doveadm-recall-compat.h"
#include "doveadm-recall-ledger.h"
#include "recall-plugin-api.h"
#include "recall-privileges.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "master-service.h"
#include "mail-storage-service.h"
#include "mail-user.h"
#include "doveadm.h"
#include "doveadm-print.h"
#include "doveadm-settings.h"
#include <sysexits.h>
}

#include <set>

namespace {

struct mail_storage_service_ctx *storage_init(void)
{
    return recall_doveadm_storage_init(
        (enum mail_storage_service_flags)(MAIL_STORAGE_SERVICE_FLAG_USERDB_LOOKUP |
                                          MAIL_STORAGE_SERVICE_FLAG_TEMP_PRIV_DROP |
                                          MAIL_STORAGE_SERVICE_FLAG_NO_LOG_INIT |
                                          MAIL_STORAGE_SERVICE_FLAG_NO_CHDIR));
}

/* Records that lmtp processes killed before their group commit left in
   the spool: committed, and their late copies recalled. */
unsigned int replay_spool(void)
{
    struct mail_storage_service_ctx *storage = storage_init();
    unsigned int replayed = recall_plugin_api.delivery_batch_replay(
        storage, "doveadm", doveadm_settings->base_dir, doveadm_recall_ledger_name());
    mail_storage_service_deinit(&storage);
    return replayed;
}

/* Opens the user with a temporary privilege drop, purges, and comes back
   to root for the next user. */
bool purge_user(struct mail_storage_service_ctx *storage, const std::string &username,
                std::string &error)
{
    struct mail_storage_service_input input;
    i_zero(&input);
    input.username = username.c_str();
    input.service = "doveadm";
    const recall_saved_ids ids = recall_save_ids();
    struct mail_user *user;
    const char *lookup_error;
    int ret = recall_doveadm_user_open(storage, &input, &user, &lookup_error);
    if (ret <= 0) {
        recall_restore_ids(ids);
        /* A recipient that no longer exists has no hold left to purge. */
        if (ret == 0)
            return true;
        error = lookup_error;
        return false;
    }
    bool waiting = false;
    bool ok = recall_plugin_api.hold_purge(user, ioloop_time, waiting, error);
    mail_user_deinit(&user);
    recall_restore_ids(ids);
    return ok;
}

/* The holds that have passed: each recipient's are purged, then their
   entries go. A recipient that fails keeps its entries for the next run. */
bool purge_holds(DictLedger &ledger, unsigned int &purged)
{
    std::vector<DictLedger::HeldCopy> held, done;
    std::string error;
    if (!ledger.held_copies(held, error)) {
        i_error("recall prune: %s", error.c_str());
        return false;
    }
    std::set<std::string> users, failed;
    for (const DictLedger::HeldCopy &copy : held) {
        if (copy.until <= ioloop_time)
            users.insert(copy.user);
    }
    if (users.empty())
        return true;
    struct mail_storage_service_ctx *storage = storage_init();
    for (const std::string &user : users) {
        if (!purge_user(storage, user, error)) {
            i_error("recall prune: the hold of %s: %s", user.c_str(), error.c_str());
            failed.insert(user);
        }
    }
    mail_storage_service_deinit(&storage);
    for (const DictLedger::HeldCopy &copy : held) {
        if (copy.until <= ioloop_time && failed.count(copy.user) == 0)
            done.push_back(copy);
    }
    purged = done.size();
    if (!done.empty() && !ledger.forget_held(done, error)) {
        i_error("recall prune: %s", error.c_str());
        return false;
    }
    return failed.empty();
}

void cmd_recall_prune(struct doveadm_cmd_context *) noexcept
{
    CommandLedger command;
    if (!command.open("recall prune"))
        return;
    unsigned int replayed = replay_spool(), pruned = 0, purged = 0;
    std::string error;
    if (command.ledger().prune(ioloop_time, pruned, error) < 0) {
        i_error("recall prune: %s", error.c_str());
        doveadm_exit_code = EX_TEMPFAIL;
        return;
    }
    if (!purge_holds(command.ledger(), purged))
        doveadm_exit_code = EX_TEMPFAIL;
    doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
    doveadm_print_header_simple("pruned");
    doveadm_print_header_simple("purged");
    doveadm_print_header_simple("replayed");
    doveadm_print(dec2str(pruned));
    doveadm_print(dec2str(purged));
    doveadm_print(dec2str(replayed));
}

const struct doveadm_cmd_param prune_params[] = {
    RECALL_CMD_PARAMS_END};

struct doveadm_cmd_ver2 prune_command = {cmd_recall_prune, NULL, "recall prune", "",
                                         (doveadm_cmd_flag_t)0, prune_params};

} // namespace

void doveadm_recall_prune_register(void)
{
    doveadm_cmd_register_ver2(&prune_command);
}
