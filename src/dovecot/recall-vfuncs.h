/* Dovecot's way to override some of an object's functions (a user's, a
   mailbox list's, a mailbox's, a mail's), as its own plugins do: a
   context allocated from the object's pool keeps the functions below in
   module_ctx.super. The caller sets its overrides in the table returned,
   then registers the context (MODULE_CONTEXT_SET, or _SET_SELF). */
#pragma once

extern "C" {
#include "lib.h"
}

template <typename Context, typename Object>
auto *recall_override_vfuncs(Object *obj, Context *&ctx)
{
    auto *v = obj->vlast;
    ctx = p_new(obj->pool, Context, 1);
    ctx->module_ctx.super = *v;
    obj->vlast = &ctx->module_ctx.super;
    return v;
}
