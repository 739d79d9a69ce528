/* doveadm runs as root and works as each user with a temporary privilege
   drop (seteuid): a recipient is then opened with its own uid, and the
   caller's effective ids come back afterwards. An IMAP process has dropped
   privileges for good and opens recipients with the uid it has. */
#pragma once

#include <sys/types.h>

struct recall_saved_ids {
    bool can_switch; /* running as root: ids can be switched and back */
    uid_t euid;
    gid_t egid;
};

recall_saved_ids recall_save_ids();
/* Back to the saved effective ids (fatal if that fails: the process
   would go on as another user). */
void recall_restore_ids(const recall_saved_ids &ids);

#include <functional>

/* Runs fn with root's effective ids where the process may switch (real
   uid 0: lmtp, doveadm), else with the ids it has; the caller's effective
   ids are back afterwards. fn's result. */
bool recall_as_root(const std::function<bool()> &fn);
/* Runs fn with the effective ids saved in ids (a recipient's, for a ledger
   written in this process: fs, file), then with the caller's again. */
void recall_with_ids(const recall_saved_ids &ids, const std::function<void()> &fn);
