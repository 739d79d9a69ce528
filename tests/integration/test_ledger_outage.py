"""The ledger goes away and comes back (SPEC rule 13, issue 4 point 5):
delivery goes on at full speed and says why in the log, recall answers
UNAVAILABLE and touches nothing, and once the ledger is back the copies
delivered meanwhile are recorded, new deliveries are tracked and the
earlier recall completes."""

import os
import pwd
import smtplib
import subprocess
import time
import unittest

from harness import (DOVECOT_24, Dovecot, dovecot_23_only, find, make_message, parse_rows, send,
                     sent_xrecall)

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


BACKLOG = 1100  # deliveries during an outage: more than one commit's 1,000


def recall(dovecot, uid, *words):
    return sent_xrecall(dovecot, ALICE, uid, *words)


def deliver_each(dovecot, sender, recipient, count):
    """count messages, each delivered on its own, over one LMTP connection
    (one lmtp process, one group commit queue)."""
    with smtplib.LMTP("127.0.0.1", dovecot.ports["lmtp"]) as lmtp:
        lmtp.ehlo("test")
        for _ in range(count):
            _, raw = make_message(sender, [recipient])
            refused = lmtp.sendmail(sender, [recipient], raw)
            assert not refused, refused


def ledger_copies(dovecot):
    """How many delivered copies the SQLite ledger records."""
    out = subprocess.run(["sqlite3", os.path.join(dovecot.ledger_dir, "ledger.db"),
                          "SELECT count(*) FROM recall_delivery"],
                         capture_output=True, text=True, check=True).stdout
    return int(out)


class OutageTest(unittest.TestCase):
    def setUp(self):
        self.dovecot = None

    def tearDown(self):
        if self.dovecot:
            self.dovecot.stop()

    def start(self, ledger):
        self.dovecot = Dovecot(ledger=ledger).start()
        return self.dovecot

    def deliver_during_outage(self, cause):
        """A delivery while the ledger is away: fast, delivered, logged
        with its cause."""
        d = self.dovecot
        started = time.time()
        mid, uid = send(d, ALICE, [CAROL], committed=False)
        self.assertLess(time.time() - started, 2.0, "the outage held delivery up")
        self.assertIn(mid, d.message_ids(CAROL))
        expected = ("recall: ledger write failed, retrying in 5 s "
                    "(delivery records kept: 1, 1 in this commit): ")
        log = d.wait_for_log(cause)
        self.assertTrue([line for line in log.splitlines() if expected in line and cause in line],
                        log)
        return uid

    def assert_refused_and_untouched(self, mid, uid):
        d = self.dovecot
        typ, text, _ = recall(d, uid)
        self.assertEqual("NO", typ, text)
        self.assertTrue(text.startswith("[UNAVAILABLE]"), text)
        self.assertIn(mid, d.message_ids(BOB))
        self.assertEqual([], find(d.messages(BOB), "X-Recall-Of", mid))

    def assert_back(self, mid, uid, outage_uid):
        """The earlier recall completes; the copy delivered during the
        outage is recorded then (the group commit tries again), and a new
        delivery is tracked."""
        d = self.dovecot
        if DOVECOT_24:
            # 2.4's lmtp process ended with its client, its records still
            # in the spool: the next lmtp process takes them over.
            send(d, BOB, [BOB])
        d.wait_committed()
        typ, text, lines = recall(d, outage_uid, "CHECK")
        self.assertEqual({CAROL: "RECALLABLE"}, parse_rows(lines)[0], text)
        typ, text, lines = recall(d, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertNotIn(mid, d.message_ids(BOB))
        self.assertEqual(1, len(find(d.messages(BOB), "X-Recall-Of", mid)))
        _, new_uid = send(d, ALICE, [BOB])
        typ, text, lines = recall(d, new_uid, "CHECK")
        self.assertEqual({BOB: "RECALLABLE"}, parse_rows(lines)[0], text)

    def test_dict_server_gone_then_back(self):
        d = self.start("sqlite")
        mid, uid = send(d, ALICE, [BOB])
        socket_path = os.path.join(d.dir, "run", "dict")
        os.rename(socket_path, socket_path + ".away")  # nothing listens there now
        try:
            outage_uid = self.deliver_during_outage("net_connect_unix(%s) failed" % socket_path)
            self.assert_refused_and_untouched(mid, uid)
            r = d.doveadm("recall", "run", "-u", ALICE, mid)
            self.assertEqual(75, r.returncode, r.stderr)
            self.assertIn(mid, d.message_ids(BOB))
        finally:
            os.rename(socket_path + ".away", socket_path)
        self.assert_back(mid, uid, outage_uid)

    def test_download_while_the_ledger_is_away_still_counts(self):
        """Rule 5 needs no ledger: the download mark is in the copy."""
        d = self.start("sqlite")
        mid, uid = send(d, ALICE, [BOB, CAROL])
        socket_path = os.path.join(d.dir, "run", "dict")
        os.rename(socket_path, socket_path + ".away")
        try:
            d.pop3_retr_newest(BOB)
        finally:
            os.rename(socket_path + ".away", socket_path)
        typ, text, lines = recall(d, uid)
        self.assertEqual({BOB: "FETCHED", CAROL: "RECALLED"}, parse_rows(lines)[0], text)
        self.assertIn(mid, d.message_ids(BOB))

    @dovecot_23_only("2.4's lmtp process ends with its client; the next one takes the spool over")
    def test_long_outage_backlog_goes_in_bounded_commits(self):
        """However long the ledger is away, neither a retry nor the commit
        after it carries more than 1,000 records (the spool holds the rest),
        and every record arrives once it is back."""
        d = self.start("sqlite")
        socket_path = os.path.join(d.dir, "run", "dict")
        os.rename(socket_path, socket_path + ".away")
        try:
            deliver_each(d, ALICE, CAROL, BACKLOG)
            retry = "(delivery records kept: %d, 1000 in this commit)" % BACKLOG
            failed = "\n".join(line for line in d.wait_for_log(retry, 12.0).splitlines()
                                if "ledger write failed" in line)
            self.assertIn(retry, failed)
            self.assertNotIn("%d in this commit" % BACKLOG, failed)
        finally:
            os.rename(socket_path + ".away", socket_path)
        d.wait_committed(20.0)
        self.assertEqual(BACKLOG, ledger_copies(d))

    @dovecot_23_only("2.4 has no dict URIs, and its ledger is the dict server's SQL dict")
    def test_fs_ledger_not_writable(self):
        d = self.start("fs")
        mid, uid = send(d, ALICE, [BOB])
        fs = os.path.join(d.ledger_dir, "fs")
        nobody = pwd.getpwnam("nobody")
        tree = [root for root, _, _ in os.walk(fs)]
        for path in tree:  # root's, read-only: mail processes (nobody) cannot write
            os.chown(path, 0, 0)
            os.chmod(path, 0o555)
        try:
            outage_uid = self.deliver_during_outage("Permission denied")
            self.assert_refused_and_untouched(mid, uid)
        finally:
            for path in tree:
                os.chown(path, nobody.pw_uid, nobody.pw_gid)
                os.chmod(path, 0o755)
        self.assert_back(mid, uid, outage_uid)


if __name__ == "__main__":
    unittest.main()
