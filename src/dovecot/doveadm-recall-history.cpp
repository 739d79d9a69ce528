/* doveadm recall history [-u <sender>] [-s <since>] (recallHistory): the
   recalls and restores the ledger remembers, newest first. */
#include "doveadm-recall-commands.h"
#include "doveadm-recall-compat.h"
#include "doveadm-recall-ledger.h"

#include "../core/recall-history.hpp"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "time-util.h"
#include "doveadm.h"
#include "doveadm-print.h"
#include <sysexits.h>
}

namespace {

void print_entry(const recall::HistoryEntry &entry)
{
    doveadm_print(t_strfgmtime("%Y-%m-%dT%H:%M:%SZ", entry.at));
    doveadm_print(entry.action.c_str());
    doveadm_print(entry.sender.c_str());
    doveadm_print(entry.message_id.c_str());
    doveadm_print(entry.client.c_str());
    doveadm_print(entry.result.c_str());
    doveadm_print(entry.counts.c_str());
}

void cmd_recall_history(struct doveadm_cmd_context *cctx) noexcept
{
    const char *sender = "", *since_text = NULL;
    (void)doveadm_cmd_param_str(cctx, "user", &sender);
    int64_t since = 0;
    if (doveadm_cmd_param_str(cctx, "since", &since_text)) {
        std::optional<int64_t> parsed = recall::parse_since(since_text, ioloop_time);
        if (!parsed) {
            i_error("recall history: -s %s: expected a UNIX time, a date (2026-12-01, "
                    "2026-12-01T10:30) or an age (90 mins, 2 hours, 7 days)",
                    since_text);
            doveadm_exit_code = EX_USAGE;
            return;
        }
        since = *parsed;
    }
    CommandLedger command;
    if (!command.open("recall history"))
        return;
    std::vector<recall::HistoryEntry> entries;
    std::string error;
    if (!command.ledger().history(entries, error)) {
        i_error("recall history: %s", error.c_str());
        doveadm_exit_code = EX_TEMPFAIL;
        return;
    }
    doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
    for (const char *field :
         {"time", "action", "sender", "message-id", "client", "result", "counts"})
        doveadm_print_header_simple(field);
    for (const recall::HistoryEntry &entry :
         recall::select_history(std::move(entries), sender, since, ioloop_time))
        print_entry(entry);
}

const struct doveadm_cmd_param history_params[] = {
    RECALL_CMD_PARAM('u', "user", CMD_PARAM_STR, CMD_PARAM_FLAG_NONE),
    RECALL_CMD_PARAM('s', "since", CMD_PARAM_STR, CMD_PARAM_FLAG_NONE),
    RECALL_CMD_PARAMS_END};

struct doveadm_cmd_ver2 history_command = {cmd_recall_history, NULL, "recall history",
                                           "[-u <sender>] [-s <since>]", (doveadm_cmd_flag_t)0,
                                           history_params};

} // namespace

void doveadm_recall_history_register(void)
{
    doveadm_cmd_register_ver2(&history_command);
}
