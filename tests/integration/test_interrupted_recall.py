"""SPEC rule 12 (issue 4 point 6): a recall of one message to 300
recipients killed part-way with SIGKILL, of the IMAP process or of doveadm,
completes on the next try: every copy recalled once, one notice per
recipient, one report, and nothing else touched."""

import os
import signal
import sqlite3
import subprocess
import time
import unittest

from harness import Dovecot, find, parse_rows, send, xrecall

ALICE, BOB = "alice@example.com", "bob@example.com"
CREW = ["crew%03d@example.com" % i for i in range(300)]


class InterruptedRecallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dovecot = Dovecot(users={user: "" for user in CREW}).start()
        # Something in every mailbox that no recall may touch.
        cls.bystander, _ = send(cls.dovecot, BOB, CREW)

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()

    def recalling(self, mid):
        """How many copies of mid the ledger shows as being recalled."""
        db = sqlite3.connect(os.path.join(self.dovecot.ledger_dir, "ledger.db"))
        try:
            rows = db.execute("select record from recall_delivery").fetchall()
        finally:
            db.close()
        return sum("progress=recall" in record and mid in record for (record,) in rows)

    def kill_part_way(self, pid, mid):
        deadline = time.time() + 60
        while self.recalling(mid) < 30 and time.time() < deadline:
            time.sleep(0.005)
        os.kill(pid, signal.SIGKILL)
        done = self.recalling(mid)
        self.assertGreaterEqual(done, 30)
        self.assertLess(done, len(CREW), "killed too late to test anything")
        # A recipient whose mailbox it had locked would fail alone until
        # Dovecot's stale-lock timeout (test_hold_restore tests that part).
        self.dovecot.remove_stale_uidlist_locks(CREW)

    def counts(self):
        return {user: len(self.dovecot.messages(user)) for user in CREW}

    def assert_recalled_once(self, mid, before):
        """before: each mailbox's count before mid was sent."""
        d = self.dovecot
        for user in CREW:
            messages = d.messages(user)
            self.assertEqual([], find(messages, "Message-ID", mid), user)
            self.assertEqual(1, len(find(messages, "X-Recall-Of", mid)), user)
            self.assertEqual(1, len(find(messages, "Message-ID", self.bystander)), user)
            self.assertEqual(before[user] + 1, len(messages), user)  # only the notice added
        self.assertEqual(1, len(find(d.messages(ALICE), "In-Reply-To", mid)))

    def rerun_over_imap(self, uid):
        conn = self.dovecot.imap(ALICE)
        conn.select("Sent")
        typ, text, lines = xrecall(conn, str(uid))
        conn.logout()
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({"RECALLED"}, set(parse_rows(lines)[0].values()))

    def test_killed_imap_process(self):
        d = self.dovecot
        before = self.counts()
        mid, uid = send(d, ALICE, CREW)
        conn = d.imap(ALICE)
        conn.select("Sent")
        # The IMAP process of this session (alice's only one).
        who = d.doveadm("who", "-1", ALICE).stdout.split("\n")[1].split()
        self.assertEqual(["imap"], who[1:2])
        conn._command("UID", "XRECALL", str(uid))  # sent; the answer never comes
        self.kill_part_way(int(who[2]), mid)
        self.rerun_over_imap(uid)
        self.assert_recalled_once(mid, before)

    def test_killed_doveadm(self):
        d = self.dovecot
        before = self.counts()
        mid, uid = send(d, ALICE, CREW)
        doveadm = subprocess.Popen(["doveadm", "-c", d.conf, "recall", "run", "-u", ALICE, mid],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            self.kill_part_way(doveadm.pid, mid)
        finally:
            doveadm.wait()
        r = d.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(len(CREW), r.stdout.count("RECALLED"), r.stdout)
        self.assert_recalled_once(mid, before)


if __name__ == "__main__":
    unittest.main()
