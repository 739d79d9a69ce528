"""CPU time of a whole private Dovecot: its master and every process the
master forked (lmtp, dict, auth, imap, pop3, login, log, config, stats),
read from /proc. The load generator is not a descendant, so it is left out.

cgroup accounting is not available everywhere (a hybrid cgroup v1/v2 host
reports 0), /proc is: a live process's own time comes from schedstat
(nanoseconds), and the time of children that ended comes from the cutime
and cstime of the process that reaped them (the master, for the
service_count = 1 processes), which the kernel sums exactly and reports in
clock ticks: the error of one reading is under two ticks per live parent."""

import os

TICK = 1.0 / os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    # The command name is in parentheses and may hold spaces.
    return text[text.rindex(")") + 2:].split()


def own_seconds(pid):
    """CPU seconds pid itself has used so far (all its threads)."""
    total = 0
    for task in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/schedstat" % (pid, task)) as f:
            total += int(f.read().split()[0])
    return total / 1e9


def _children_seconds(fields):
    # Fields after the name: state=0, ppid=1 ... cutime=13, cstime=14.
    return (int(fields[13]) + int(fields[14])) * TICK


def _parents():
    parents = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                parents[int(name)] = int(_stat_fields(int(name))[1])
            except (OSError, ValueError, IndexError):
                pass  # ended while listed
    return parents


def descendants(root):
    """root and the pids of its living descendants."""
    parents = _parents()
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        for pid, ppid in parents.items():
            if ppid == parent and pid not in tree:
                tree.add(pid)
                frontier.append(pid)
    return tree


def process_seconds(pid):
    """(CPU seconds pid itself has used, those of its children that ended);
    OSError, ValueError or IndexError if pid ended meanwhile."""
    return own_seconds(pid), _children_seconds(_stat_fields(pid))


def tree_seconds(master_pid):
    """CPU seconds used so far by master_pid and all its descendants,
    living or ended."""
    total = 0.0
    for pid in descendants(master_pid):
        try:
            total += sum(process_seconds(pid))
        except (OSError, ValueError, IndexError):
            pass  # ended between the listing and the read: its parent counts it
    return total


def master_pid(dovecot):
    with open(os.path.join(dovecot.dir, "run", "master.pid")) as f:
        return int(f.read().split()[0])


def measured(dovecot, work):
    """(work(), CPU seconds the whole Dovecot spent while it ran)."""
    pid = master_pid(dovecot)
    before = tree_seconds(pid)
    result = work()
    return result, tree_seconds(pid) - before
