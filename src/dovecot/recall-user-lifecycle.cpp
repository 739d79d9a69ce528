/* When a recall user begins and ends: its settings read once and its
   state hung on the user; at its end, each surface's work in the one order
   it needs (marks flushed, deliveries recorded, the ledger's answers
   awaited, late copies recalled: deinit_pre; the ledger closed: deinit). */
#include "recall-user-lifecycle.h"
#include "recall-access-hook.h"
#include "recall-delivery-record.h"
#include "recall-dict-wait.h"
#include "recall-dovecot-compat.h"
#include "recall-log.h"
#include "recall-settings-read.h"
#include "recall-user.h"
#include "recall-vfuncs.h"

#include "../core/recall-access.hpp"

extern "C" {
#include "lib.h"
#include "fs-api.h"
#include "mail-user.h"
}

/* Before any plugin's user deinit: recording reads the delivered copies'
   mailboxes, and a late copy is recalled from them, while every plugin of
   the user (quota, acl) still has its context. */
static void recall_user_deinit_pre(struct mail_user *user) noexcept
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
    }
    ruser->module_ctx.super.deinit_pre(user);
}

static void recall_user_deinit(struct mail_user *user) noexcept
{
    struct recall_user *ruser = RECALL_USER_CONTEXT(user);

    if (ruser->state->dict != NULL)
        recall_dict_close(&ruser->state->dict);
    if (ruser->state->listing_fs != NULL)
        fs_deinit(&ruser->state->listing_fs);
    event_unref(&ruser->state->event);
    delete ruser->state;
    ruser->module_ctx.super.deinit(user);
}

static bool tracks_downloads(struct mail_user *user, const struct recall_user *ruser)
{
    const struct ip_addr *client = recall_user_remote_ip(user);
    return recall::counts_downloads(user->service, client != NULL,
                                    client != NULL && recall_user_is_webmail(ruser, client));
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
    struct recall_user *ruser;
    struct mail_user_vfuncs *v = recall_override_vfuncs(user, ruser);
    ruser->state = state;
    state->access.tracks_downloads = tracks_downloads(user, ruser);
    v->deinit_pre = recall_user_deinit_pre;
    v->deinit = recall_user_deinit;
    MODULE_CONTEXT_SET(user, recall_user_module, ruser);
}

