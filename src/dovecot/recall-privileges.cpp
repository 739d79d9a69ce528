#include "recall-privileges.h"

extern "C" {
#include "lib.h"
}

#include <unistd.h>

recall_saved_ids recall_save_ids()
{
    return recall_saved_ids{getuid() == 0, geteuid(), getegid()};
}

void recall_restore_ids(const recall_saved_ids &ids)
{
    if (!ids.can_switch || (geteuid() == ids.euid && getegid() == ids.egid))
        return;
    if (seteuid(0) < 0 || setegid(ids.egid) < 0 || seteuid(ids.euid) < 0)
        i_fatal("recall: cannot restore effective uid %ld: %m", (long)ids.euid);
}
