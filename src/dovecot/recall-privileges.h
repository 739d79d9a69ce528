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
