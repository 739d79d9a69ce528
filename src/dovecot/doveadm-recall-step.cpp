/* doveadm recall step: one step of a recall on the backend that holds the
   recipient's mail, asked by the backend where the recall runs (over this
   backend's doveadm HTTP API as recallStep, with its doveadm_password; see
   recall-remote-mailbox.cpp). The work is recall_plugin_api.remote_step() in lib90. */
#include "doveadm-recall-step.h"
#include "doveadm-recall-compat.h"
#include "recall-plugin-api.h"

extern "C" {
#include "lib.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
}

namespace {

struct step_cmd_context {
    struct doveadm_mail_cmd_context ctx;
    const char *operation;
    const char *record;
};

int cmd_step_run(struct doveadm_mail_cmd_context *_ctx, struct mail_user *user) noexcept
{
    auto *ctx = (struct step_cmd_context *)_ctx;
    std::string answer, error;
    int exit_code = recall_plugin_api.remote_step(user, ctx->operation, ctx->record, answer, error);
    if (exit_code != 0) {
        i_error("recall step: %s", error.c_str());
        _ctx->exit_code = exit_code;
        return -1;
    }
    doveadm_print(answer.c_str());
    return 0;
}

RECALL_DOVEADM_MAIL_INIT(cmd_step_init)
{
    auto *ctx = (struct step_cmd_context *)_ctx;
    const char *operation, *record;
    if (!doveadm_cmd_param_str(_ctx->cctx, "operation", &operation) ||
        !doveadm_cmd_param_str(_ctx->cctx, "record", &record))
        doveadm_mail_help_name("recall step");
    ctx->operation = p_strdup(_ctx->pool, operation);
    ctx->record = p_strdup(_ctx->pool, record);
    doveadm_print_header_simple("answer");
}

struct doveadm_mail_cmd_context *cmd_step_alloc(void) noexcept
{
    struct step_cmd_context *ctx = doveadm_mail_cmd_alloc(struct step_cmd_context);
    ctx->ctx.v.init = cmd_step_init;
    ctx->ctx.v.run = cmd_step_run;
    doveadm_print_init(DOVEADM_PRINT_TYPE_FLOW);
    return &ctx->ctx;
}

const struct doveadm_cmd_param step_params[] = {
    RECALL_CMD_PARAM('u', "user", CMD_PARAM_STR, CMD_PARAM_FLAG_NONE),
    RECALL_CMD_PARAM('S', "socket-path", CMD_PARAM_STR, CMD_PARAM_FLAG_NONE),
    RECALL_CMD_PARAM('\0', "operation", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL),
    RECALL_CMD_PARAM('\0', "record", CMD_PARAM_STR, CMD_PARAM_FLAG_POSITIONAL),
    RECALL_CMD_PARAMS_END};

struct doveadm_cmd_ver2 step_command = {
    NULL, cmd_step_alloc, "recall step",
    "-u <recipient> inspect|expunge|hold|restore|has-notice|save-notice|remove-notice <delivery record>",
    (doveadm_cmd_flag_t)0, step_params};

} // namespace

void doveadm_recall_step_register(void)
{
    doveadm_cmd_register_ver2(&step_command);
}
