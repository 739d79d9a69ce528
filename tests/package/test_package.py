"""The Debian package (issue 12, point 12): dpkg-buildpackage -us -uc builds
dovecot-recall_<version>_amd64.deb, lintian finds no error, and in a fresh
Debian made with debootstrap (12 for Dovecot 2.3, 13 for 2.4: the release
this one runs), apt installs it beside Debian's Dovecot: conffiles, the
ledger created by postinst (owner dovecot, 0600), the prune timer enabled;
Dovecot delivers and recalls; apt remove leaves Dovecot working (on 2.4
with 90-recall.conf set aside), installing again brings the configuration
back; apt purge removes the ledger."""

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import (DOVECOT_24, PASSWORD, Dovecot, free_ports, listeners_conf,  # noqa: E402
                     make_message, spool_name)

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def mirror():
    """The Debian mirror this machine's apt uses."""
    for path in glob.glob("/etc/apt/sources.list.d/*.sources"):
        with open(path) as f:
            for line in f:
                if line.startswith("URIs:") and "security" not in line:
                    return line.split()[1]
    with open("/etc/apt/sources.list") as f:
        for line in f:
            if line.startswith("deb ") and "security" not in line:
                return line.split()[1]
    raise RuntimeError("no Debian mirror in apt's sources")


def source_archive():
    """HEAD's files as a tar. RECALL_SOURCE_TAR: a tar of them made
    beforehand (tests/dovecot24/run, whose copy in its chroot has no .git)."""
    export = os.environ.get("RECALL_SOURCE_TAR")
    if export:
        with open(export, "rb") as f:
            return f.read()
    return subprocess.run(["git", "-C", REPO, "archive", "HEAD"], capture_output=True,
                          check=True).stdout


def run(*args, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    assert r.returncode == 0, (args, r.stdout[-3000:], r.stderr[-3000:])
    return r.stdout


SUITE = "trixie" if DOVECOT_24 else "bookworm"
CONF = "/etc/dovecot/conf.d/90-recall.conf"


class Chroot:
    """A fresh Debian of SUITE (debootstrap, minbase) sharing the network."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="recall-debian-")
        os.chmod(self.root, 0o755)  # its "/": every service user walks through it
        run("debootstrap", "--variant=minbase", SUITE, self.root, mirror())
        # Services are not started by postinst in a chroot; the test does.
        with open(self.root + "/usr/sbin/policy-rc.d", "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
        os.chmod(self.root + "/usr/sbin/policy-rc.d", 0o755)
        run("mount", "-t", "proc", "proc", self.root + "/proc")

    def sh(self, command):
        return run("chroot", self.root, "sh", "-c", command,
                   env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))

    def remove(self):
        subprocess.run(["chroot", self.root, "doveadm", "stop"], capture_output=True)
        time.sleep(1)
        subprocess.run(["umount", self.root + "/proc"], capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)


class ChrootDovecot(Dovecot):
    """The chroot's own Dovecot (Debian's configuration tree plus a
    local.conf for loopback ports and passwd-file users), reached from
    here over its ports; doveadm runs inside the chroot."""

    def __init__(self, chroot):
        super().__init__()
        self.chroot = chroot
        self.ports = free_ports(("imap", "pop3", "lmtp"))

    def configure(self):
        users = "".join("%s:{PLAIN}%s:5000:5000::/home/%s::\n" % (u, PASSWORD, u)
                        for u in (ALICE, BOB, CAROL))
        self.chroot.sh("groupadd -g 5000 vmail; useradd -u 5000 -g 5000 -M vmail; "
                       "mkdir -p /home && chown 5000:5000 /home")
        with open(self.chroot.root + "/etc/dovecot/users", "w") as f:
            f.write(users)
        with open(self.chroot.root + "/etc/dovecot/local.conf", "w") as f:
            f.write(f"""
listen = 127.0.0.1
log_path = /var/log/dovecot.log
ssl = no
first_valid_uid = 1000
{self._users_conf()}
namespace inbox {{
  mailbox Sent {{
    auto = subscribe
  }}
}}
{listeners_conf(self.ports)}
""")
        self.chroot.sh("sed -i 's/^!include auth-system.conf.ext/#&/' /etc/dovecot/conf.d/10-auth.conf")

    @staticmethod
    def _users_conf():
        """Maildir and the passwd-file users, in this Dovecot's syntax."""
        if DOVECOT_24:  # and LMTP keeps the domain that 20-lmtp.conf strips
            return """auth_allow_cleartext = yes
mail_driver = maildir
mail_path = ~/Maildir
mail_inbox_path =
passdb passwd-file {
  passwd_file_path = /etc/dovecot/users
}
userdb passwd-file {
  passwd_file_path = /etc/dovecot/users
}
protocol lmtp {
  auth_username_format = %{user | lower}
}"""
        return """disable_plaintext_auth = no
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u /etc/dovecot/users
}
userdb {
  driver = passwd-file
  args = username_format=%u /etc/dovecot/users
}"""

    def start(self):
        # Not through a pipe: the daemonized master would keep it open.
        subprocess.run(["chroot", self.chroot.root, "dovecot"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.started = True
        self._wait_listening()
        return self

    def reload(self):
        subprocess.run(["chroot", self.chroot.root, "doveadm", "reload"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1)
        self._wait_listening()

    def spool_dir(self):
        # Debian's base_dir and the shipped recall_dict.
        return os.path.join(self.chroot.root, "run", "dovecot", "recall-spool",
                            spool_name("recall" if DOVECOT_24 else "proxy::recall"))

    def doveadm(self, *args, fmt=None):
        command = "doveadm " + ("-f %s " % fmt if fmt else "") + " ".join(
            "'%s'" % a for a in args)
        return subprocess.run(["chroot", self.chroot.root, "sh", "-c", command],
                              capture_output=True, text=True)

    def log_text(self):
        r = subprocess.run(["chroot", self.chroot.root, "sh", "-c",
                            "cat /var/log/dovecot.log 2>/dev/null; true"],
                           capture_output=True, text=True)
        return r.stdout

    def stop(self, keep=False):
        pass


def send_and_recall(dovecot, test):
    mid, raw = make_message(ALICE, [BOB, CAROL])
    conn = dovecot.imap(ALICE)
    try:
        test.assertEqual("OK", conn.append("Sent", r"(\Seen)", None, raw)[0])
    finally:
        conn.logout()
    replies = dovecot.lmtp_deliver(ALICE, [BOB, CAROL], raw)
    test.assertEqual({250}, {code for code, _ in replies.values()}, replies)
    test.assertIn(mid, dovecot.message_ids(BOB))
    return mid


class PackageTest(unittest.TestCase):
    def test_build_lint_install_remove_purge(self):
        build = tempfile.mkdtemp(prefix="recall-deb-")
        chroot = None
        try:
            src = os.path.join(build, "dovecot-recall")
            os.makedirs(src)
            subprocess.run(["tar", "-x", "-C", src], input=source_archive(), check=True)
            run("dpkg-buildpackage", "-us", "-uc", "-b", cwd=src)
            debs = glob.glob(os.path.join(build, "dovecot-recall_*_amd64.deb"))
            self.assertEqual(1, len(debs), os.listdir(build))
            lint = subprocess.run(["lintian", "--allow-root", debs[0]], capture_output=True,
                                  text=True)
            self.assertNotIn("E:", lint.stdout, lint.stdout)

            chroot = Chroot()
            shutil.copy(debs[0], chroot.root + "/tmp/")
            chroot.sh("apt-get update -q && apt-get install -y -q dovecot-imapd dovecot-pop3d "
                      "dovecot-lmtpd /tmp/" + os.path.basename(debs[0]))
            root = chroot.root
            st = os.stat(root + "/var/lib/dovecot/recall/ledger.db")
            self.assertEqual(0o600, st.st_mode & 0o777)
            self.assertEqual(run("chroot", root, "id", "-u", "dovecot").strip(), str(st.st_uid))
            self.assertTrue(os.path.islink(
                root + "/etc/systemd/system/timers.target.wants/dovecot-recall-prune.timer"))
            conffiles = chroot.sh("cat /var/lib/dpkg/info/dovecot-recall.conffiles")
            self.assertIn("/etc/dovecot/conf.d/90-recall.conf", conffiles)

            dovecot = ChrootDovecot(chroot)
            dovecot.configure()
            dovecot.start()
            mid = send_and_recall(dovecot, self)
            self.assertNotIn("created the ledger", dovecot.log_text(), "postinst made it")
            r = dovecot.doveadm("recall", "run", "-u", ALICE, mid, fmt="tab")
            self.assertEqual(0, r.returncode, r.stderr)
            self.assertIn("COMPLETE", r.stdout)
            self.assertNotIn(mid, dovecot.message_ids(BOB))
            self.assertEqual(1, len([m for m in dovecot.messages(BOB)
                                     if m[2]["X-Recall-Of"] == mid]))

            chroot.sh("apt-get remove -y -q dovecot-recall")
            dovecot.reload()  # fails if Dovecot refuses the configuration left
            mid = send_and_recall(dovecot, self)  # delivery and IMAP still work
            conn = dovecot.imap(BOB)
            self.assertNotIn(b"XRECALL", conn.capability()[1][0].split())
            conn.logout()
            self.assertNotIn("Fatal", dovecot.log_text())
            self.assertTrue(os.path.exists(root + "/var/lib/dovecot/recall/ledger.db"))
            self.assertEqual(DOVECOT_24, os.path.exists(root + CONF + ".uninstalled"))
            self.assertEqual(not DOVECOT_24, os.path.exists(root + CONF))

            chroot.sh("apt-get install -y -q /tmp/" + os.path.basename(debs[0]))
            self.assertTrue(os.path.exists(root + CONF), "the configuration is back")
            self.assertFalse(os.path.exists(root + CONF + ".uninstalled"))
            dovecot.reload()
            send_and_recall(dovecot, self)
            chroot.sh("apt-get purge -y -q dovecot-recall")
            self.assertFalse(os.path.exists(root + "/var/lib/dovecot/recall"))
            self.assertFalse(os.path.exists(root + CONF + ".uninstalled"))
        finally:
            if chroot is not None:
                chroot.remove()
            shutil.rmtree(build, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
