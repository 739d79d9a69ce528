#include "recall-dict-wait.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "dict.h"
}

#include <vector>

namespace {

/* Dicts whose operations outlived their user. */
std::vector<struct dict *> draining;

void wait_timed_out(bool *timed_out) noexcept
{
    *timed_out = true;
}

/* Closes the draining dicts that have finished. */
void close_finished(void)
{
    for (auto it = draining.begin(); it != draining.end();) {
        if (dict_switch_ioloop(*it)) {
            ++it;
        } else {
            dict_deinit(&*it);
            it = draining.erase(it);
        }
    }
}

} // namespace

/* One ioloop pass at a time, asking the dict after each, so that a callback
   ending the dict's last operation need not know that somebody waits.
   (Waits that ran until a callback stopped them outlived callbacks that
   did not: each delivery of Dovecot 2.4's one-client lmtp waited out the
   whole bound twice.) */
bool recall_dict_wait_bounded(struct dict *dict, unsigned int msecs)
{
    struct ioloop *prev_ioloop = current_ioloop;
    struct ioloop *ioloop = io_loop_create();
    bool pending = dict_switch_ioloop(dict);
    if (pending) {
        bool timed_out = false;
        struct timeout *to = timeout_add(msecs, wait_timed_out, &timed_out);
        while (pending && !timed_out) {
            /* One pass: io_loop_run() also sets up an ioloop that has no
               I/O yet (a dict that cannot connect), which running a
               bare io_loop_handler_run() would not. */
            io_loop_stop_delayed(ioloop);
            io_loop_run(ioloop);
            pending = dict_switch_ioloop(dict);
        }
        timeout_remove(&to);
    }
    io_loop_set_current(prev_ioloop);
    (void)dict_switch_ioloop(dict);
    io_loop_set_current(ioloop);
    io_loop_destroy(&ioloop);
    return !pending;
}

void recall_dict_close(struct dict **dict)
{
    close_finished();
    if (dict_switch_ioloop(*dict))
        draining.push_back(*dict);
    else
        dict_deinit(dict);
    *dict = nullptr;
}

/* Bounded like a user's end: dict_wait() would keep a process whose ledger
   hangs for the dict client's timeout, 30 s per pending operation, and
   dovecot-lda's MTA waits for it to exit. A dict still busy then cannot be
   closed (dict_deinit() asserts that no commit is in flight): the process
   ends with it, and its operations are lost, as the user's end logged. */
void recall_dict_close_all(void)
{
    for (struct dict *&dict : draining) {
        if (recall_dict_wait_bounded(dict, kRecallDictWaitMsecs))
            dict_deinit(&dict);
    }
    draining.clear();
}
