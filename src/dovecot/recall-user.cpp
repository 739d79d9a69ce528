#include "recall-user.h"
#include "recall-plugin.h"
#include "recall-settings-read.h"
#include "recall-access-hook.h"
#include "recall-delivery-hook.h"
#include "recall-dict-wait.h"
#include "recall-log.h"

extern "C" {
#include "dict.h"
#include "fs-api.h"
#include "module-context.h"
}

struct recall_user_module recall_user_module =
    MODULE_CONTEXT_INIT(&mail_user_module_register);

static void recall_user_deinit(struct mail_user *user) noexcept
{
    struct recall_user *ruser = RECALL_USER_CONTEXT(user);

    recall_access_flush(user);
    recall_delivery_record(user, ruser);
    if (ruser->state->dict != NULL) {
        /* Let asynchronous ledger writes and lookups finish, but never hold
           the user (a delivery) longer than the bound: what is left goes on
           in the background. */
        if (!recall_dict_wait_bounded(ruser->state->dict, kRecallDictWaitMsecs))
            e_warning(ruser->state->event, "ledger did not answer within %u ms",
                      kRecallDictWaitMsecs);
        recall_delivery_recall_late(user, ruser);
        recall_dict_close(&ruser->state->dict);
    }
    if (ruser->state->listing_fs != NULL)
        fs_deinit(&ruser->state->listing_fs);
    event_unref(&ruser->state->event);
    delete ruser->state;
    ruser->module_ctx.super.deinit(user);
}

static bool is_webmail(const recall_user_state &state, const struct ip_addr *ip)
{
    if (ip == NULL)
        return false;
    for (const recall_network &net : state.webmail_networks) {
        if (net_is_in_network(ip, &net.ip, net.bits))
            return true;
    }
    return false;
}

/* Rule 5 counts downloads by POP3 clients and by IMAP clients other than
   the webmail. A user without a client address is one that a recall or
   doveadm opened: its reads are nobody's downloads. */
static bool tracks_downloads(struct mail_user *user, const recall_user_state &state)
{
    if (strcmp(user->service, "pop3") == 0)
        return true;
    return strcmp(user->service, "imap") == 0 && user->conn.remote_ip != NULL &&
           !is_webmail(state, user->conn.remote_ip);
}

void recall_user_created(struct mail_user *user) noexcept
{
    /* dovecot-lda's raw mail user is not a person: nothing to track. */
    if (user->autocreated)
        return;

    auto *state = new recall_user_state();
    state->event = recall_event_create(user->event);
    const char *error;
    if (!recall_settings_read(user, *state, &error)) {
        e_error(state->event, "disabled for this user: %s", error);
        event_unref(&state->event);
        delete state;
        return;
    }
    state->tracks_downloads = tracks_downloads(user, *state);
    struct mail_user_vfuncs *v = user->vlast;
    struct recall_user *ruser = p_new(user->pool, struct recall_user, 1);
    ruser->state = state;
    ruser->module_ctx.super = *v;
    user->vlast = &ruser->module_ctx.super;
    v->deinit = recall_user_deinit;
    MODULE_CONTEXT_SET(user, recall_user_module, ruser);
}

struct dict *recall_user_dict(struct mail_user *user, struct recall_user *ruser,
                              const char **error_r)
{
    recall_user_state &state = *ruser->state;
    if (state.dict != NULL)
        return state.dict;

    struct dict_settings set;
    i_zero(&set);
    set.base_dir = user->set->base_dir;
    set.event_parent = state.event;
    const char *error;
    if (recall_ledger_listing_fs(state.dict_uri.c_str(), state.event, &state.listing_fs,
                                 error_r) < 0)
        return NULL;
    if (dict_init(state.dict_uri.c_str(), &set, &state.dict, &error) < 0) {
        *error_r = t_strdup_printf("recall_dict: %s", error);
        if (state.listing_fs != NULL)
            fs_deinit(&state.listing_fs);
        return NULL;
    }
    return state.dict;
}

struct recall_user *recall_user_get(struct mail_user *user) noexcept
{
    return RECALL_USER_CONTEXT(user);
}

struct event *recall_user_event(struct mail_user *user) noexcept
{
    struct recall_user *ruser = RECALL_USER_CONTEXT(user);
    return ruser != NULL ? ruser->state->event : user->event;
}

const recall::Settings &recall_user_settings(const struct recall_user *ruser) noexcept
{
    return ruser->state->settings;
}

bool recall_user_is_webmail(const struct recall_user *ruser, const struct ip_addr *ip) noexcept
{
    return is_webmail(*ruser->state, ip);
}

void recall_user_set_envelope(struct mail_user *rcpt_user, const recall_envelope &envelope) noexcept
{
    struct recall_user *ruser = RECALL_USER_CONTEXT(rcpt_user);
    if (ruser != NULL)
        ruser->state->envelope = envelope;
}
