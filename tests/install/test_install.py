"""Install, upgrade and remove like a well-behaved Dovecot plugin (issue 12,
points 2, 3 and 9): a second `make install` keeps the admin's edited
configuration (the new version goes beside it as .dist) and the ledger's
records; `make uninstall` removes every module and leaves the edited
configuration alone, and Dovecot then still delivers and logs in."""

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import DOVECOT_24, make_message  # noqa: E402
from stock_conf import StockDovecot  # noqa: E402

MODULES = ["lib90_recall_plugin.so", "lib91_recall_deliver_plugin.so",
           "lib95_imap_recall_plugin.so", "doveadm/lib10_doveadm_recall_plugin.so"]
if DOVECOT_24:  # the settings' declaration, for the config process
    MODULES.append("settings/librecall_settings.so")
# The admin's edit of 90-recall.conf, in the syntax of this Dovecot.
ADMIN_EDIT = ("recall_webmail_networks = 192.0.2.10/32\n" if DOVECOT_24 else
              "plugin {\n  recall_webmail_networks = 192.0.2.10/32\n}\n")


def left_by_uninstall(conf):
    """Where uninstall leaves an edited 90-recall.conf: in place (2.3), or
    set aside where conf.d/*.conf does not include it (2.4, which rejects
    the settings of a removed plugin)."""
    return conf + ".uninstalled" if DOVECOT_24 else conf


def make(*targets, destdir=None):
    args = ["make", "-C", REPO] + list(targets) + (["DESTDIR=" + destdir] if destdir else [])
    r = subprocess.run(args, capture_output=True, text=True)
    assert r.returncode == 0, (targets, r.stdout[-2000:], r.stderr[-2000:])
    return r.stdout


def make_var(name):
    return make("-s", "print-" + name).strip()


class StagedInstallTest(unittest.TestCase):
    """make install / install again / uninstall into DESTDIR."""

    def setUp(self):
        self.stage = tempfile.mkdtemp(prefix="recall-stage-")
        self.moduledir = self.stage + make_var("recall_moduledir")
        self.confd = self.stage + make_var("dovecot_confdir") + "/conf.d"
        self.ledger = self.stage + make_var("ledger_dir") + "/ledger.db"
        self.plugins = self.stage + make_var("recall_datadir") + "/recall-plugins.conf.ext"
        self.units = self.stage + make_var("systemdsystemunitdir")
        self.timer_wants = (self.stage +
                            "/etc/systemd/system/timers.target.wants/dovecot-recall-prune.timer")

    def tearDown(self):
        shutil.rmtree(self.stage, ignore_errors=True)

    def test_install_upgrade_uninstall(self):
        make("install", destdir=self.stage)
        for module in MODULES:
            self.assertTrue(os.path.exists(os.path.join(self.moduledir, module)), module)
        self.assertTrue(os.path.exists(self.plugins))
        conf = os.path.join(self.confd, "90-recall.conf")
        with open(conf) as f:
            self.assertIn("!include_try " + self.plugins[len(self.stage):], f.read())
        # Pruning runs by itself: the hourly timer is installed and enabled.
        for unit in ("dovecot-recall-prune.service", "dovecot-recall-prune.timer"):
            self.assertTrue(os.path.exists(os.path.join(self.units, unit)), unit)
        self.assertTrue(os.path.islink(self.timer_wants), "timer not enabled")
        r = subprocess.run(["systemd-analyze", "verify",
                            os.path.join(self.units, "dovecot-recall-prune.timer")],
                           capture_output=True, text=True)
        self.assertEqual(0, r.returncode, r.stderr)
        # The ledger holds who mailed whom: the dict server's alone.
        self.assertEqual(0o600, stat.S_IMODE(os.stat(self.ledger).st_mode))
        self.assertEqual(0o700, stat.S_IMODE(os.stat(os.path.dirname(self.ledger)).st_mode))

        # The admin edits the configuration; a record is in the ledger.
        with open(conf, "a") as f:
            f.write(ADMIN_EDIT)
        with open(conf) as f:
            edited = f.read()
        db = sqlite3.connect(self.ledger)
        db.execute("INSERT INTO recall_delivery VALUES ('m', 'c', 'a record')")
        db.commit()
        db.close()

        out = make("install", destdir=self.stage)  # the upgrade
        self.assertIn("kept your", out)
        with open(conf) as f:
            self.assertEqual(edited, f.read())
        self.assertTrue(os.path.exists(conf + ".dist"))
        db = sqlite3.connect(self.ledger)
        self.assertEqual([("a record",)], db.execute("SELECT record FROM recall_delivery").fetchall())
        db.close()

        make("uninstall", destdir=self.stage)
        for module in MODULES:
            self.assertFalse(os.path.exists(os.path.join(self.moduledir, module)), module)
        self.assertFalse(os.path.exists(self.plugins))
        self.assertFalse(os.path.exists(conf + ".dist"))
        self.assertFalse(os.path.lexists(self.timer_wants))
        self.assertFalse(os.path.exists(os.path.join(self.units, "dovecot-recall-prune.timer")))
        with open(left_by_uninstall(conf)) as f:
            self.assertEqual(edited, f.read(), "the edited configuration stays")
        self.assertFalse(os.path.exists(self.stage + make_var("dovecot_confdir") +
                                        "/dovecot-dict-recall-sqlite.conf.ext"),
                         "an unchanged file goes")
        self.assertTrue(os.path.exists(self.ledger), "the records stay")

        make("install", destdir=self.stage)  # back again: with the admin's edits
        with open(conf) as f:
            self.assertEqual(edited, f.read())
        self.assertFalse(os.path.exists(conf + ".uninstalled"))


class SystemUninstallTest(unittest.TestCase):
    """The real thing: uninstalled from the system, an edited 90-recall.conf
    left behind, Dovecot still delivers and logs in; then installed again."""

    def test_dovecot_works_after_uninstall(self):
        confdir = make_var("dovecot_confdir")
        system_conf = confdir + "/conf.d/90-recall.conf"
        saved = tempfile.mktemp(prefix="recall-conf-")
        shutil.copy(system_conf, saved)
        try:
            with open(system_conf, "a") as f:
                f.write(ADMIN_EDIT)
            make("uninstall")
            left = left_by_uninstall(system_conf)
            self.assertTrue(os.path.exists(left))
            dovecot = StockDovecot(recall_conf=left, plugin=False).start()
            try:
                replies = dovecot.lmtp_deliver("alice@example.com", ["bob@example.com"],
                                               make_message("alice@example.com",
                                                            ["bob@example.com"])[1])
                self.assertEqual({250}, {code for code, _ in replies.values()})
                conn = dovecot.imap("bob@example.com")
                self.assertNotIn(b"XRECALL", conn.capability()[1][0].split())
                conn.logout()
                dovecot.pop3("bob@example.com").quit()
                log = dovecot.log_text()
                self.assertNotIn("Fatal", log)
                self.assertNotIn("Error", log)
            finally:
                dovecot.stop()
        finally:
            if os.path.exists(system_conf + ".uninstalled"):
                os.unlink(system_conf + ".uninstalled")
            shutil.copy(saved, system_conf)
            os.unlink(saved)
            make("install")
        for module in MODULES:
            self.assertTrue(os.path.exists(make_var("recall_moduledir") + "/" + module))


if __name__ == "__main__":
    unittest.main()
