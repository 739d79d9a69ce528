"""recall runs without Dovecot's notify module in every process (issue 13):
notify's hooks on every transaction and mail cost each delivery and each
session CPU, and recall watches users' COPY and MOVE through its own
mailbox hook (test_copies.py and the doveadm and notify-loaded tests
here prove that watch). lmtp's and lda's own copies are all deliveries,
which the watch leaves alone."""

import smtplib
import unittest

from harness import DOVECOT_24, Dovecot, make_message, parse_rows, send, send_raw, sent_xrecall

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def modules_mapped(pid):
    """The Dovecot modules in the process's address space."""
    with open("/proc/%d/maps" % pid) as f:
        return {line.split("/")[-1].strip() for line in f if "/modules/" in line}


# Each lmtp process ends after its connection, so its deinit runs (and a
# crash there is logged) while the test looks.
ONE_CONNECTION_PER_LMTP = "service lmtp {\n  %s = 1\n}\n" % (
    "restart_request_count" if DOVECOT_24 else "service_count")


def session_processes(dovecot, service):
    """The PIDs of the service's session processes (not its login's)."""
    pids = []
    for pid in dovecot.pids(service):
        with open("/proc/%d/comm" % pid) as f:
            if f.read().strip() == service:
                pids.append(pid)
    return pids


class WithoutNotifyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dovecot = Dovecot(extra_conf=ONE_CONNECTION_PER_LMTP).start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()

    def tearDown(self):
        log = self.dovecot.log_text()
        self.assertNotIn("killed with signal", log)
        self.assertNotIn("Fatal", log)

    def assert_recall_without_notify(self, service):
        pids = session_processes(self.dovecot, service)
        self.assertTrue(pids, service)
        for pid in pids:
            modules = modules_mapped(pid)
            self.assertIn("lib90_recall_plugin.so", modules, service)
            self.assertNotIn("lib15_notify_plugin.so", modules, service)

    def test_lmtp_loads_recall_but_not_notify(self):
        lmtp = smtplib.LMTP("127.0.0.1", self.dovecot.ports["lmtp"])
        try:
            lmtp.ehlo("test")
            lmtp.mail(ALICE)
            self.assertEqual(250, lmtp.rcpt(BOB)[0])  # the user and its plugins loaded
            self.assert_recall_without_notify("lmtp")
        finally:
            lmtp.quit()

    def test_imap_and_pop3_load_recall_but_not_notify(self):
        imap = self.dovecot.imap(BOB)
        try:
            self.assert_recall_without_notify("imap")
        finally:
            imap.logout()
        pop3 = self.dovecot.pop3(BOB)
        try:
            self.assert_recall_without_notify("pop3")
        finally:
            pop3.quit()

    def assert_recalled(self, uid, mid, recipient):
        _, text, lines = sent_xrecall(self.dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({recipient: "RECALLED"}, parse_rows(lines)[0])
        self.assertNotIn(mid, self.dovecot.message_ids(recipient))

    def test_lmtp_and_lda_copies_are_recalled(self):
        mid, uid = send(self.dovecot, ALICE, [BOB])
        self.assert_recalled(uid, mid, BOB)
        mid, raw = make_message(ALICE, [CAROL])
        uid = send_raw(self.dovecot, ALICE, raw, deliver_to=[])  # the Sent copy only
        lda = self.dovecot.lda_deliver(ALICE, CAROL, raw)
        self.assertEqual(0, lda.returncode, lda.stderr)
        self.assertIn(mid, self.dovecot.message_ids(CAROL))
        self.assert_recalled(uid, mid, CAROL)

    def test_doveadm_move_keeps_the_download_mark(self):
        """doveadm's own mail commands copy through the same watch: a copy
        downloaded by POP3, then moved by doveadm, stays FETCHED."""
        mid, uid = send(self.dovecot, ALICE, [BOB, CAROL])
        self.dovecot.pop3_retr_newest(BOB)
        self.dovecot.doveadm("mailbox", "create", "-u", BOB, "Filed")
        moved = self.dovecot.doveadm("move", "-u", BOB, "Filed", "mailbox", "INBOX",
                                     "header", "Message-ID", mid)
        self.assertEqual(0, moved.returncode, moved.stderr)
        self.assertIn(mid, self.dovecot.message_ids(BOB, "Filed"))
        _, text, lines = sent_xrecall(self.dovecot, ALICE, uid)
        self.assertEqual({BOB: "FETCHED", CAROL: "RECALLED"}, parse_rows(lines)[0], text)
        self.assertIn(mid, self.dovecot.message_ids(BOB, "Filed"))


# notify loaded in every protocol, as SPEC section 8 says to load recall,
# and in imap an admin's own plugin that needs it (mail_log).
NOTIFY_EVERYWHERE = "".join(
    ("protocol %s {\n  mail_plugins {\n    notify = yes\n%s  }\n}\n" %
     (p, "    mail_log = yes\n" if p == "imap" else "")) if DOVECOT_24 else
    ("protocol %s {\n  mail_plugins = $mail_plugins notify%s\n}\n" %
     (p, " mail_log" if p == "imap" else ""))
    for p in ("imap", "pop3", "lmtp", "lda"))


class NotifyLoadedTest(unittest.TestCase):
    def test_copy_of_a_downloaded_copy_stays_fetched(self):
        """notify loaded everywhere, and mail_log in imap, change nothing:
        delivered by LMTP, downloaded by POP3, copied over IMAP, the copy
        stays FETCHED, and mail_log logs the copy as it would without
        recall."""
        dovecot = Dovecot(extra_conf=NOTIFY_EVERYWHERE).start()
        try:
            mid, uid = send(dovecot, ALICE, [BOB, CAROL])
            dovecot.pop3_retr_newest(BOB)
            conn = dovecot.imap(BOB)
            try:
                conn.create("Filed")
                conn.select("INBOX")
                found = conn.uid("SEARCH", "HEADER", "Message-ID", mid)[1][0].split()
                self.assertEqual("OK", conn.uid("COPY", found[-1], "Filed")[0])
                self.assert_maps("imap", dovecot)
            finally:
                conn.logout()
            _, text, lines = sent_xrecall(dovecot, ALICE, uid)
            self.assertEqual({BOB: "FETCHED", CAROL: "RECALLED"}, parse_rows(lines)[0], text)
            self.assertIn("copy from INBOX", dovecot.log_text())
        finally:
            dovecot.stop()

    def assert_maps(self, service, dovecot):
        for pid in session_processes(dovecot, service):
            modules = modules_mapped(pid)
            self.assertTrue({"lib15_notify_plugin.so", "lib20_mail_log_plugin.so",
                             "lib90_recall_plugin.so"} <= modules, modules)


if __name__ == "__main__":
    unittest.main()
