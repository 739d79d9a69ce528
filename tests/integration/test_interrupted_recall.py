"""SPEC rule 12: a recall killed part-way (SIGKILL of the IMAP process)
completes on the next try, with every copy recalled and notified once."""

import os
import signal
import sqlite3
import time
import unittest

from harness import Dovecot, find, parse_rows, send, xrecall

ALICE = "alice@example.com"
CREW = ["crew%03d@example.com" % i for i in range(200)]


class InterruptedRecallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dovecot = Dovecot(users={user: "" for user in CREW}).start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()

    def progress(self, db):
        rows = db.execute("select record from recall_delivery").fetchall()
        return sum("progress=recall" in record for (record,) in rows)

    def test_killed_recall_completes_on_next_try(self):
        d = self.dovecot
        mid, uid = send(d, ALICE, CREW)
        db = sqlite3.connect(os.path.join(d.ledger_dir, "ledger.db"))
        conn = d.imap(ALICE)
        conn.select("Sent")
        # The IMAP process of this session (alice's only one).
        who = d.doveadm("who", "-1", ALICE).stdout.split("\n")[1].split()
        self.assertEqual(["imap"], who[1:2])
        pid = int(who[2])
        conn._command("UID", "XRECALL", str(uid))  # sent; the answer never comes
        deadline = time.time() + 30
        while self.progress(db) < 20 and time.time() < deadline:
            time.sleep(0.005)
        os.kill(pid, signal.SIGKILL)
        done_before = self.progress(db)
        self.assertGreaterEqual(done_before, 20)
        self.assertLess(done_before, len(CREW), "killed too late to test anything")
        conn = d.imap(ALICE)
        conn.select("Sent")
        typ, text, lines = xrecall(conn, str(uid))
        conn.logout()
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({"RECALLED"}, set(parse_rows(lines)[0].values()))
        for user in CREW:
            messages = d.messages(user)
            self.assertEqual([], find(messages, "Message-ID", mid), user)
            self.assertEqual(1, len(find(messages, "X-Recall-Of", mid)), user)
        self.assertEqual(1, len(find(d.messages(ALICE), "In-Reply-To", mid)))


if __name__ == "__main__":
    unittest.main()
