/* Records each delivered copy in the ledger (notify plugin hooks). */
#pragma once

struct notify_context;

struct notify_context *recall_delivery_hook_register(void);
