"""Installing the plugin into Debian's stock configuration tree must not
break a working server (issue 12, point 1): with Sieve enabled in
20-lmtp.conf and 15-lda.conf, quota in 10-mail.conf and 20-imap.conf, and
a mail_plugins line in 20-pop3.conf, all read before 90-recall.conf,
delivery (LMTP and dovecot-lda), IMAP and POP3 logins and recall work."""

import subprocess
import unittest

from harness import DOVECOT_24, make_message, parse_rows, send, send_raw, sent_xrecall
from stock_conf import StockDovecot

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"

dovecot = None


def setUpModule():
    global dovecot
    dovecot = StockDovecot().start()
    # 15-mailboxes.conf marks Sent \Sent but does not create it: a mail
    # client does, as here.
    conn = dovecot.imap(ALICE)
    conn.create("Sent")
    conn.logout()


def tearDownModule():
    dovecot.stop()


def doveconf_mail_plugins(*args):
    r = subprocess.run(["doveconf", "-c", dovecot.conf] + list(args) + ["-h", "mail_plugins"],
                       capture_output=True, text=True, check=True)
    return r.stdout


def mail_plugins(protocol):
    """The plugins a protocol's processes load. 2.3: the protocol's
    mail_plugins string. 2.4: a boolean list, the global entries with the
    protocol block's added (or turned off) on top; doveconf -h prints the
    block's own "name = yes" lines only."""
    if not DOVECOT_24:
        return doveconf_mail_plugins("-f", "protocol=" + protocol).split()
    enabled = {}
    for text in (doveconf_mail_plugins(), doveconf_mail_plugins("-f", "protocol=" + protocol)):
        for line in text.splitlines():
            name, _, value = (part.strip() for part in line.partition("="))
            enabled[name] = value == "yes"
    return [name for name, on in enabled.items() if on]


class StockConfTest(unittest.TestCase):
    def test_config_has_no_warning(self):
        r = subprocess.run(["doveconf", "-c", dovecot.conf, "-n"], capture_output=True, text=True)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertNotIn("Warning", r.stderr)
        for protocol, plugins in (("imap", "imap_quota imap_recall"), ("pop3", ""),
                                  ("lmtp", "sieve recall_deliver"), ("lda", "sieve recall_deliver")):
            loaded = mail_plugins(protocol)
            for plugin in ["quota", "recall"] + plugins.split():
                self.assertIn(plugin, loaded, protocol)
            # recall watches copies itself: no process pays notify's hooks (issue 13).
            self.assertNotIn("notify", loaded, protocol)

    def test_deliver_log_in_and_recall(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])  # LMTP, with Sieve loaded
        lda = dovecot.lda_deliver(ALICE, CAROL, make_message(ALICE, [CAROL])[1])
        self.assertEqual(0, lda.returncode, lda.stderr)
        conn = dovecot.imap(BOB)
        try:
            self.assertIn(b"QUOTA", conn.capability()[1][0].split())
            self.assertIn(b"XRECALL", conn.capability()[1][0].split())
        finally:
            conn.logout()
        pop = dovecot.pop3(CAROL)
        self.assertEqual(2, len(pop.list()[1]))
        pop.quit()
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, parse_rows(lines)[0])
        self.assertNotIn(mid, dovecot.message_ids(BOB))
        r = dovecot.doveadm("recall", "check", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertNotIn("Fatal", dovecot.log_text())


if __name__ == "__main__":
    unittest.main()
