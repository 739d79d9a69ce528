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

bool recall_as_root(const std::function<bool()> &fn)
{
    const recall_saved_ids ids = recall_save_ids();
    if (ids.can_switch && ids.euid != 0 && seteuid(0) < 0)
        i_fatal("recall: cannot switch to effective uid 0: %m");
    bool ok = fn();
    recall_restore_ids(ids);
    return ok;
}

void recall_with_ids(const recall_saved_ids &ids, const std::function<void()> &fn)
{
    const recall_saved_ids own = recall_save_ids();
    recall_restore_ids(ids);
    fn();
    recall_restore_ids(own);
}
