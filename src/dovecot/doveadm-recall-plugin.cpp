/* lib10_doveadm_recall_plugin: doveadm recall check|run|prune (SPEC
   section 4), also exposed over doveadm's HTTP API as recallCheck,
   recallRun and recallPrune; and recall copy, a step of another backend's
   recall (doveadm-recall-copy.cpp). */
#include "doveadm-recall-copy.h"
#include "recall-ledger-dict.h"
#include "recall-ledger-schema.h"
#include "recall-plugin.h"

extern "C" {
#include "lib.h"
#include "array.h"
#include "ioloop.h"
#include "dict.h"
#include "fs-api.h"
#include "mail-namespace.h"
#include "mail-storage.h"
#include "mail-storage-service.h"
#include "mailbox-list-iter.h"
#include "doveadm-mail.h"
#include "doveadm-print.h"
#include "doveadm-settings.h"
#include <sysexits.h>

const char *doveadm_recall_plugin_version = DOVECOT_ABI_VERSION;
void doveadm_recall_plugin_init(struct module *module);
void doveadm_recall_plugin_deinit(void);
}

namespace {

struct recall_cmd_context {
    struct doveadm_mail_cmd_context ctx;
    bool check_only;
    const char *message_id;
};

/* The sender's copy: the message with this Message-ID in a \Sent mailbox. */
class SentCopy {
public:
    SentCopy(struct mail_user *user, const std::string &message_id)
    {
        static const char *const patterns[] = {"*", NULL};
        struct mailbox_list_iterate_context *iter = mailbox_list_iter_init_namespaces(
            user->namespaces, patterns, MAIL_NAMESPACE_TYPE_PRIVATE,
            (enum mailbox_list_iter_flags)(MAILBOX_LIST_ITER_SELECT_SPECIALUSE |
                                           MAILBOX_LIST_ITER_RETURN_SPECIALUSE));
        const struct mailbox_info *info;
        while (mail_ == NULL && (info = mailbox_list_iter_next(iter)) != NULL) {
            if (info->special_use != NULL &&
                str_array_icase_find(t_strsplit_spaces(info->special_use, " "), "\\Sent"))
                search(info->ns, info->vname, message_id);
        }
        (void)mailbox_list_iter_deinit(&iter);
    }

    ~SentCopy()
    {
        if (mail_ != NULL) {
            mail_free(&mail_);
            (void)mailbox_transaction_commit(&trans_);
        }
        if (box_ != NULL)
            mailbox_free(&box_);
    }

    struct mail *mail() const { return mail_; }

private:
    void search(struct mail_namespace *ns, const char *vname, const std::string &message_id)
    {
        struct mailbox *box = mailbox_alloc(ns->list, vname, (enum mailbox_flags)0);
        uint32_t uid = 0;
        if (mailbox_open(box) < 0 || recall_find_message_id(box, message_id, &uid) < 0 ||
            uid == 0) {
            mailbox_free(&box);
            return;
        }
        box_ = box;
        trans_ = mailbox_transaction_begin(box, (enum mailbox_transaction_flags)0, "recall");
        mail_ = mail_alloc(trans_, (enum mail_fetch_field)0, NULL);
        mail_set_uid(mail_, uid);
    }

    struct mailbox *box_ = NULL;
    struct mailbox_transaction_context *trans_ = NULL;
    struct mail *mail_ = NULL;
};

const char *plugin_setting(const char *name)
{
    unsigned int count;
    const char *const *envs = array_get(&doveadm_settings->plugin_envs, &count);
    for (unsigned int i = 0; i + 1 < count; i += 2) {
        if (strcmp(envs[i], name) == 0)
            return envs[i + 1];
    }
    return NULL;
}

/* Commands start as root, before they become the user: the moment to
   create the default ledger if it is missing. */
void ensure_ledger()
{
    struct event *event = event_create(NULL);
    recall_ledger_schema_ensure(plugin_setting("recall_sqlite_ledger"), event);
    event_unref(&event);
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

int cmd_recall_run(struct doveadm_mail_cmd_context *_ctx, struct mail_user *user)
{
    auto *ctx = (struct recall_cmd_context *)_ctx;
    struct recall_user *ruser = recall_user_get(user);
    if (ruser == NULL)
        return fail(_ctx, EX_CONFIG, "recall is disabled for this user (see the error log)");
    std::string message_id = recall_normalize_message_id(ctx->message_id);
    if (message_id.empty())
        return fail(_ctx, EX_USAGE, "not a Message-ID (expected <id@domain>)");

    const recall::Settings &settings = recall_user_settings(ruser);
    SentCopy sent(user, message_id);
    recall_sender_copy copy;
    if (sent.mail() != NULL)
        (void)recall_sender_copy_read(sent.mail(), copy);
    recall::Request request{settings.address, settings.org, message_id, copy.recipients,
                            ctx->check_only};
    recall::Outcome outcome = recall_execute(user, ruser, request, sent.mail());
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

void cmd_recall_init(struct doveadm_mail_cmd_context *_ctx, const char *const args[])
{
    auto *ctx = (struct recall_cmd_context *)_ctx;
    if (args[0] == NULL || args[1] != NULL)
        doveadm_mail_help_name(ctx->check_only ? "recall check" : "recall run");
    ctx->message_id = p_strdup(_ctx->pool, args[0]);
    ensure_ledger();
    doveadm_print_header_simple("recipient");
    doveadm_print_header_simple("state");
    doveadm_print_header_simple("result");
}

struct doveadm_mail_cmd_context *recall_cmd_alloc(bool check_only)
{
    struct recall_cmd_context *ctx = doveadm_mail_cmd_alloc(struct recall_cmd_context);
    ctx->check_only = check_only;
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

struct doveadm_mail_cmd_context *cmd_recall_check_alloc(void) { return recall_cmd_alloc(true); }
struct doveadm_mail_cmd_context *cmd_recall_run_alloc(void) { return recall_cmd_alloc(false); }

void cmd_recall_prune(struct doveadm_cmd_context *)
{
    const char *uri = plugin_setting("recall_dict"), *error;
    if (uri == NULL || *uri == '\0') {
        i_error("recall prune: recall_dict is not set");
        doveadm_exit_code = EX_CONFIG;
        return;
    }
    struct dict_settings set;
    i_zero(&set);
    set.base_dir = doveadm_settings->base_dir;
    ensure_ledger();
    struct dict *dict;
    struct fs *listing_fs;
    if (recall_ledger_listing_fs(uri, NULL, &listing_fs, &error) < 0) {
        i_error("recall prune: %s", error);
        doveadm_exit_code = EX_CONFIG;
        return;
    }
    if (dict_init(uri, &set, &dict, &error) < 0) {
        i_error("recall prune: recall_dict: %s", error);
        doveadm_exit_code = EX_TEMPFAIL;
        if (listing_fs != NULL)
            fs_deinit(&listing_fs);
        return;
    }
    unsigned int pruned = 0;
    std::string prune_error;
    if (DictLedger(dict, listing_fs).prune(ioloop_time, pruned, prune_error) < 0) {
        i_error("recall prune: %s", prune_error.c_str());
        doveadm_exit_code = EX_TEMPFAIL;
    } else {
        doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
        doveadm_print_header_simple("pruned");
        doveadm_print(dec2str(pruned));
    }
    dict_deinit(&dict);
    if (listing_fs != NULL)
        fs_deinit(&listing_fs);
}

/* DOVEADM_CMD_MAIL_COMMON does not compile in C++: written out. */
#define RECALL_MAIL_PARAMS                                                          \
    {'A', "all-users", CMD_PARAM_BOOL, false, {}, CMD_PARAM_FLAG_NONE},             \
    {'S', "socket-path", CMD_PARAM_STR, false, {}, CMD_PARAM_FLAG_NONE},            \
    {'u', "user", CMD_PARAM_STR, false, {}, CMD_PARAM_FLAG_NONE},                   \
    {'\0', "trans-flags", CMD_PARAM_INT64, false, {}, CMD_PARAM_FLAG_NONE},         \
    {'F', "user-file", CMD_PARAM_ISTREAM, false, {}, CMD_PARAM_FLAG_NONE},          \
    {'\0', "message-id", CMD_PARAM_STR, false, {}, CMD_PARAM_FLAG_POSITIONAL},      \
    {'\0', NULL, CMD_PARAM_BOOL, false, {}, CMD_PARAM_FLAG_NONE}

const struct doveadm_cmd_param recall_mail_params[] = {RECALL_MAIL_PARAMS};
const struct doveadm_cmd_param recall_prune_params[] = {
    {'\0', NULL, CMD_PARAM_BOOL, false, {}, CMD_PARAM_FLAG_NONE}};

struct doveadm_cmd_ver2 recall_commands[] = {
    {NULL, cmd_recall_check_alloc, "recall check",
     "[-u <user>|-A] [-S <socket_path>] <message-id>", (doveadm_cmd_flag_t)0, recall_mail_params},
    {NULL, cmd_recall_run_alloc, "recall run",
     "[-u <user>|-A] [-S <socket_path>] <message-id>", (doveadm_cmd_flag_t)0, recall_mail_params},
    {cmd_recall_prune, NULL, "recall prune", "", (doveadm_cmd_flag_t)0, recall_prune_params},
};

} // namespace

void doveadm_recall_plugin_init(struct module *)
{
    for (struct doveadm_cmd_ver2 &cmd : recall_commands)
        doveadm_cmd_register_ver2(&cmd);
    doveadm_recall_copy_register();
}

void doveadm_recall_plugin_deinit(void)
{
}
