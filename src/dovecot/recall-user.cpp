#include "recall-user.h"
#include "recall-ledger-open.h"
#include "recall-log.h"

extern "C" {
#include "module-context.h"
}

struct recall_user_module recall_user_module =
    MODULE_CONTEXT_INIT(&mail_user_module_register);

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

struct dict *recall_user_dict(struct mail_user *user, struct recall_user *ruser,
                              const char **error_r)
{
    recall_user_state &state = *ruser->state;
    if (state.dict != NULL)
        return state.dict;

    if (recall_ledger_open(state.dict_uri.c_str(), state.event, user->set->base_dir, &state.dict,
                           &state.listing_fs, error_r) < 0)
        return NULL;
    return state.dict;
}

struct recall_user *recall_user_get(struct mail_user *user) noexcept
{
    return RECALL_USER_CONTEXT(user);
}

const recall_templates *recall_user_templates(struct recall_user *ruser,
                                              std::string &error) noexcept
{
    recall_user_state &state = *ruser->state;
    if (!state.templates) {
        recall_templates templates;
        if (!recall_templates_load(state.settings, templates, error))
            return NULL;
        state.templates = std::move(templates);
    }
    return &*state.templates;
}

struct event *recall_user_event(struct mail_user *user) noexcept
{
    struct recall_user *ruser = RECALL_USER_CONTEXT(user);
    return ruser != NULL ? ruser->state->event : user->event;
}

const char *recall_user_sqlite_ledger(struct mail_user *user) noexcept
{
    struct recall_user *ruser = RECALL_USER_CONTEXT(user);
    return ruser != NULL && !ruser->state->sqlite_ledger.empty()
               ? ruser->state->sqlite_ledger.c_str()
               : NULL;
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
        ruser->state->delivery.envelope = envelope;
}
