"""The LMTP load that instructions.py and process_cpu.py measure, and the
prototype settings that the bench tools add to the plugin's Dovecot."""

import grp
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools", "recall-bench",
                     "recall-bench")
USERS = 20


def bench_users():
    """The passwd-file users the load delivers to."""
    return {"u%d@example.com" % n: "" for n in range(USERS)}


def deliver(dovecot, messages, recipients, connections=1):
    """recall-bench delivers messages, each to recipients of the users, at
    connections LMTP connections."""
    cmd = [BENCH, "deliver", "-q", "--lmtp-port", str(dovecot.ports["lmtp"]),
           "--messages", str(messages), "--recipients", str(recipients),
           "--concurrency", str(connections),
           "--users", str(USERS), "--user-format", "u{n}@example.com",
           "--sender", "sender@example.com"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def prototype_conf(path):
    """A --with-conf file's settings ("" without one): added last to the
    plugin's Dovecot. @RECALL_GID@ in it stands for the number of the group
    dovecot-recall (mail_access_groups by number reads no /etc/group)."""
    if not path:
        return ""
    with open(path) as f:
        return f.read().replace("@RECALL_GID@", str(grp.getgrnam("dovecot-recall").gr_gid))
