/* Waiting for a ledger dict without letting a slow or hung dict server
   hold up delivery (SPEC rule 13). Dovecot's dict_wait() waits as long as
   the dict client's own request timeout (30 s per request). */
#pragma once

struct dict;

/* How long a user's end (delivery's end), and the process's end, wait for
   ledger operations. */
constexpr unsigned int kRecallDictWaitMsecs = 1000;

/* Runs the dict's pending operations for at most msecs, and returns as
   soon as none is left (true); false when some still are (their callbacks
   fire later). */
bool recall_dict_wait_bounded(struct dict *dict, unsigned int msecs);
/* Closes the dict now if it is idle, else when it is (checked on later
   calls) or at the latest by recall_dict_close_all(). */
void recall_dict_close(struct dict **dict);
/* Plugin deinit: waits for every dict still draining, each at most
   kRecallDictWaitMsecs, and closes it (what is left fails). */
void recall_dict_close_all(void);
