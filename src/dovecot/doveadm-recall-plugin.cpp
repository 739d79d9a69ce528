/* lib10_doveadm_recall_plugin: doveadm recall check|run|restore (SPEC
   section 4), also exposed over doveadm's HTTP API as recallCheck,
   recallRun and recallRestore; prune and history (doveadm-recall-prune.cpp,
   doveadm-recall-history.cpp); and recall step, a step of another
   backend's recall (doveadm-recall-step.cpp). */
#include "doveadm-recall-commands.h"
#include "doveadm-recall-compat.h"
#include "doveadm-recall-step.h"
#include "doveadm-recall-ledger.h"
#include "doveadm-recall-sent-copy.h"
#include "recall-boundary.h"
#include "recall-plugin-api.h"

extern "C" {
#include "lib.h"
#include "mail-storage.h"
#include "mail-storage-service.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
#include <sysexits.h>

RECALL_EXPORT const char *doveadm_recall_plugin_version = DOVECOT_ABI_VERSION;
RECALL_EXPORT void doveadm_recall_plugin_init(struct module *module) noexcept;
RECALL_EXPORT void doveadm_recall_plugin_deinit(void) noexcept;
}

namespace {

enum class Action { Check, Run, Restore };

struct recall_cmd_context {
    struct doveadm_mail_cmd_context ctx;
    Action action;
    const char *message_id;
};

const char *command_name(Action action)
{
    switch (action) {
    case Action::Check: return "recall check";
    case Action::Run: return "recall run";
    case Action::Restore: return "recall restore";
    }
    return "recall";
}

int refusal_exit_code(recall::Refusal refusal)
{
    switch (refusal) {
    case recall::Refusal::NotSent: return DOVEADM_EX_NOTFOUND;
    case recall::Refusal::Expired: return EX_NOPERM;
    default: return EX_TEMPFAIL;
    }
}

int fail(struct doveadm_mail_cmd_context *ctx, int exit_code, const char *message)
{
    i_error("recall: %s", message);
    ctx->exit_code = exit_code;
    return -1;
}

int cmd_recall_run(struct doveadm_mail_cmd_context *_ctx, struct mail_user *user) noexcept
{
    auto *ctx = (struct recall_cmd_context *)_ctx;
    struct recall_user *ruser = recall_plugin_api.user_get(user);
    if (ruser == NULL)
        return fail(_ctx, EX_CONFIG, "recall is disabled for this user (see the error log)");
    std::string message_id = recall_plugin_api.normalize_message_id(ctx->message_id);
    if (message_id.empty())
        return fail(_ctx, EX_USAGE, "not a Message-ID (expected <id@domain>)");

    const recall::Settings &settings = recall_plugin_api.user_settings(ruser);
    SentCopy sent(user, message_id);
    recall_sender_copy copy;
    if (sent.mail() != NULL)
        (void)recall_plugin_api.sender_copy_read(sent.mail(), copy);
    recall::Request request{settings.address, settings.org, message_id, copy.recipients,
                            ctx->action == Action::Check};
    recall::Outcome outcome =
        ctx->action == Action::Restore
            ? recall_plugin_api.restore_execute(user, ruser, request, sent.mail())
            : recall_plugin_api.execute(user, ruser, request, sent.mail());
    if (outcome.refusal != recall::Refusal::None)
        return fail(_ctx, refusal_exit_code(outcome.refusal),
                    t_strdup_printf("%s: %s", message_id.c_str(),
                                    recall::refusal_code(outcome.refusal)));
    for (const recall::Row &row : outcome.rows) {
        doveadm_print(row.address.c_str());
        doveadm_print(recall::state_name(row.state));
        doveadm_print(recall::result_name(outcome.result));
    }
    return 0;
}

RECALL_DOVEADM_MAIL_INIT(cmd_recall_init)
{
    auto *ctx = (struct recall_cmd_context *)_ctx;
    const char *message_id;
    if (!doveadm_cmd_param_str(_ctx->cctx, "message-id", &message_id))
        doveadm_mail_help_name(command_name(ctx->action));
    ctx->message_id = p_strdup(_ctx->pool, message_id);
    doveadm_recall_ensure_ledger();
    doveadm_print_header_simple("recipient");
    doveadm_print_header_simple("state");
    doveadm_print_header_simple("result");
}

struct doveadm_mail_cmd_context *recall_cmd_alloc(Action action)
{
    struct recall_cmd_context *ctx = doveadm_mail_cmd_alloc(struct recall_cmd_context);
    ctx->action = action;
    /* A recall opens every recipient's mail: stay able to become each of
       them (system users have a uid each). doveadm gives a single -u user
       its uid for good, unless asked so. */
    ctx->ctx.service_flags = (enum mail_storage_service_flags)(
        ctx->ctx.service_flags | MAIL_STORAGE_SERVICE_FLAG_TEMP_PRIV_DROP);
    ctx->ctx.v.init = cmd_recall_init;
    ctx->ctx.v.run = cmd_recall_run;
    doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
    return &ctx->ctx;
}

struct doveadm_mail_cmd_context *cmd_recall_check_alloc(void) noexcept
{
    return recall_cmd_alloc(Action::Check);
}
struct doveadm_mail_cmd_context *cmd_recall_run_alloc(void) noexcept
{
    return recall_cmd_alloc(Action::Run);
}
struct doveadm_mail_cmd_context *cmd_recall_restore_alloc(void) noexcept
{
    return recall_cmd_alloc(Action::Restore);
}

const struct doveadm_cmd_param recall_mail_params[] = {
    RECALL_CMD_MAIL_COMMON,
    RECALL_CMD_PARAM('\0', "message-id", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL),
    RECALL_CMD_PARAMS_END};

struct doveadm_cmd_ver2 recall_commands[] = {
    {NULL, cmd_recall_check_alloc, "recall check",
     "[-u <user>|-A] [-S <socket_path>] <message-id>", (doveadm_cmd_flag_t)0, recall_mail_params},
    {NULL, cmd_recall_run_alloc, "recall run",
     "[-u <user>|-A] [-S <socket_path>] <message-id>", (doveadm_cmd_flag_t)0, recall_mail_params},
    {NULL, cmd_recall_restore_alloc, "recall restore",
     "[-u <user>|-A] [-S <socket_path>] <message-id>", (doveadm_cmd_flag_t)0, recall_mail_params},
};

} // namespace

void doveadm_recall_plugin_init(struct module *) noexcept
{
    recall_boundary_init();
    for (struct doveadm_cmd_ver2 &cmd : recall_commands)
        doveadm_cmd_register_ver2(&cmd);
    doveadm_recall_prune_register();
    doveadm_recall_history_register();
    doveadm_recall_step_register();
}

void doveadm_recall_plugin_deinit(void) noexcept
{
    recall_boundary_deinit();
}
