"""lmtp and lda run recall without Dovecot's notify module (issue 13's
P1): notify's hooks on every transaction and mail cost each delivery CPU,
and the copies that delivery makes are all deliveries, which the copy
watch leaves alone. Every other process still needs notify (COPY and MOVE
of downloaded copies, copies into shared mailboxes): without it, it fails
as Dovecot's own dependency check would, naming the fix."""

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


class DeliveryWithoutNotifyTest(unittest.TestCase):
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

    def test_lmtp_loads_recall_but_not_notify(self):
        lmtp = smtplib.LMTP("127.0.0.1", self.dovecot.ports["lmtp"])
        try:
            lmtp.ehlo("test")
            lmtp.mail(ALICE)
            self.assertEqual(250, lmtp.rcpt(BOB)[0])  # the user and its plugins loaded
            pids = self.dovecot.pids("lmtp")
            self.assertTrue(pids)
            for pid in pids:
                modules = modules_mapped(pid)
                self.assertIn("lib90_recall_plugin.so", modules)
                self.assertNotIn("lib15_notify_plugin.so", modules)
        finally:
            lmtp.quit()

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


IMAP_WITHOUT_NOTIFY = ("protocol imap {\n  mail_plugins {\n    notify = no\n  }\n}\n"
                       if DOVECOT_24 else
                       "protocol imap {\n  mail_plugins = recall imap_recall\n}\n")


class ImapWithoutNotifyTest(unittest.TestCase):
    def test_imap_fails_and_names_notify(self):
        dovecot = Dovecot(extra_conf=IMAP_WITHOUT_NOTIFY).start()
        try:
            with self.assertRaises(Exception):
                dovecot.imap(BOB).logout()
            log = dovecot.wait_for_log("needs the plugin 'notify'")
            self.assertIn("Plugin 'recall' needs the plugin 'notify' loaded before it in imap",
                          log)
        finally:
            dovecot.stop()


if __name__ == "__main__":
    unittest.main()
