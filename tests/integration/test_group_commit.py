"""The lmtp process's group commit (issue 13): a delivery's record reaches
the ledger a moment after LMTP replied, so what must still hold is tested
here: a recall racing deliveries of its message leaves no readable copy
(rule 11), on SQLite and PostgreSQL; an lmtp process killed before its
commit loses no record (the next lmtp process or doveadm recall prune
commits its spool and recalls a late copy); a record lost for good makes
its recipient NOT-DELIVERED, never RECALLED; an lmtp process that keeps
the recall markers it listed lists them again after every recall, restore
and prune (the recall epoch)."""

import os
import signal
import sqlite3
import subprocess
import threading
import time
import unittest

from harness import (Dovecot, eventually, find, make_message, parse_rows,
                     send_raw, sent_xrecall)
from postgres import Postgres

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
RACERS = ["racer%d@example.com" % n for n in range(12)]
BENCH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools",
                     "recall-bench", "recall-bench")


def notices(dovecot, user, mid):
    return find(dovecot.messages(user), "X-Recall-Of", mid)


class RaceTest:
    """A recall while the same message is still being delivered to the
    other recipients, each in its own LMTP transaction."""
    dovecot = None

    def test_recall_racing_deliveries_leaves_no_readable_copy(self):
        d = self.dovecot
        for attempt in range(3):
            mid, raw = make_message(ALICE, RACERS)
            uid = send_raw(d, ALICE, raw, RACERS[:1])
            answer = []
            recall = threading.Thread(target=lambda: answer.append(sent_xrecall(d, ALICE, uid)))
            recall.start()
            # One LMTP transaction per recipient, 25 ms apart, while the
            # recall lists its records; the last ones just after it answered,
            # their records committed after its marker.
            deliveries = []
            for user in RACERS[1:7]:
                deliveries.append(threading.Thread(target=d.lmtp_deliver,
                                                   args=(ALICE, [user], raw, False)))
                deliveries[-1].start()
                time.sleep(0.025)
            for t in deliveries + [recall]:
                t.join()
            typ, text, _ = answer[0]
            self.assertEqual("OK", typ, text)
            for user in RACERS[7:]:
                d.lmtp_deliver(ALICE, [user], raw, committed=False)
            d.wait_committed()
            for user in RACERS:
                self.assertNotIn(mid, d.message_ids(user), (attempt, user))
                self.assertEqual(1, len(notices(d, user, mid)), (attempt, user))
            rows, result = parse_rows(sent_xrecall(d, ALICE, uid, "CHECK")[2])
            self.assertEqual({"RECALLED"}, set(rows.values()), attempt)


class SqliteRaceTest(RaceTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dovecot = Dovecot(users={user: "" for user in RACERS}).start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()


class PgsqlRaceTest(RaceTest, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.postgres = Postgres().start()
        cls.dovecot = Dovecot(users={user: "" for user in RACERS}, ledger="pgsql",
                              postgres=cls.postgres).start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()
        cls.postgres.stop()


class ManyDeliveriesTest(unittest.TestCase):
    """Group commits back to back, with their marker lookups in flight:
    8,000 pipelined LMTP deliveries over 4 connections (recall-bench). No
    lmtp process dies, every record arrives. (The dict client must not be
    given a command from inside its own callback: it was, and an lmtp
    process died within 2,000 to 7,000 deliveries.)"""

    def test_eight_thousand_deliveries_over_four_connections(self):
        users = {"bulk%d@example.com" % n: "" for n in range(20)}
        d = Dovecot(users=users).start()
        try:
            r = subprocess.run([BENCH, "deliver", "--messages", "8000", "--users", "20",
                                "--user-format", "bulk{n}@example.com", "--concurrency", "4",
                                "-q", "--lmtp-port", str(d.ports["lmtp"])],
                               capture_output=True, text=True)
            self.assertEqual(0, r.returncode, r.stdout + r.stderr)
            d.wait_committed()
            self.assertNotIn("killed with signal", d.log_text())
            db = sqlite3.connect(d.ledger_dir + "/ledger.db")
            self.assertEqual(8000, db.execute("select count(*) from recall_delivery").fetchone()[0])
            # The records of a connection's deliveries share their commits
            # (one expiry index row per commit and minute), also where each
            # connection has an lmtp process of its own (Dovecot 2.4).
            commits = db.execute("select count(*) from recall_expiry_group").fetchone()[0]
            self.assertLess(commits, 8000 / 4)
        finally:
            d.stop()


class KilledBeforeCommitTest(unittest.TestCase):
    def setUp(self):
        self.dovecot = Dovecot().start()

    def tearDown(self):
        self.dovecot.stop()

    def deliver_and_kill(self, sender, recipients, raw):
        """Delivers with the dict server stopped, so the group commit cannot
        finish, and kills the lmtp process (kill -9) after its reply, before
        the client quits (2.4's lmtp commits when its client is gone): the
        records are only in its spool file then. Returns that file."""
        d = self.dovecot
        dicts = d.pids("dict")
        self.assertTrue(dicts)
        spooled = []

        def kill_lmtp():
            spooled.extend(d.spool_files())
            for pid in d.pids("lmtp"):
                os.kill(pid, signal.SIGKILL)

        for pid in dicts:
            os.kill(pid, signal.SIGSTOP)
        try:
            replies = d.lmtp_deliver(sender, recipients, raw, committed=False,
                                     before_quit=kill_lmtp)
            self.assertEqual({250}, {code for code, _ in replies.values()})
            self.assertEqual(1, len(spooled))
        finally:
            for pid in dicts:
                os.kill(pid, signal.SIGCONT)
        self.assertTrue(eventually(lambda: not d.pids("lmtp")))
        self.assertEqual(spooled, d.spool_files())
        return spooled[0]

    def recalled_with_carol_pending(self):
        """Bob's copy is recorded; carol's delivery is killed before its
        commit; then the message is recalled."""
        d = self.dovecot
        mid, raw = make_message(ALICE, [BOB, CAROL])
        uid = send_raw(d, ALICE, raw, [BOB])
        self.deliver_and_kill(ALICE, [CAROL], raw)
        typ, text, lines = sent_xrecall(d, ALICE, uid)
        self.assertEqual("OK", typ, text)
        self.assertEqual({BOB: "RECALLED", CAROL: "NOT-DELIVERED"}, parse_rows(lines)[0])
        self.assertIn(mid, d.message_ids(CAROL))  # not yet: its record is in the spool
        return mid, uid

    def assert_late_copy_recalled(self, mid, uid):
        d = self.dovecot
        self.assertNotIn(mid, d.message_ids(CAROL))
        self.assertEqual(1, len(notices(d, CAROL, mid)))
        rows, _ = parse_rows(sent_xrecall(d, ALICE, uid, "CHECK")[2])
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, rows)

    def test_next_lmtp_process_commits_the_spool_and_recalls(self):
        d = self.dovecot
        mid, uid = self.recalled_with_carol_pending()
        _, other = make_message(BOB, [BOB])
        d.lmtp_deliver(BOB, [BOB], other)  # a new lmtp process: it takes the spool over
        self.assertIn("delivery records of an ended lmtp process taken over",
                      d.wait_for_log("taken over"))
        self.assert_late_copy_recalled(mid, uid)

    def test_prune_commits_the_spool_and_recalls(self):
        d = self.dovecot
        mid, uid = self.recalled_with_carol_pending()
        r, counts = d.prune()
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(1, counts["replayed"])
        self.assertEqual([], d.spool_files())
        self.assert_late_copy_recalled(mid, uid)

    def test_a_lost_record_is_not_delivered_never_recalled(self):
        # An OS crash may lose a spool file that was never fsynced.
        d = self.dovecot
        mid, raw = make_message(ALICE, [BOB, CAROL])
        uid = send_raw(d, ALICE, raw, [BOB])
        spooled = self.deliver_and_kill(ALICE, [CAROL], raw)
        os.unlink(os.path.join(d.spool_dir(), spooled))
        typ, text, lines = sent_xrecall(d, ALICE, uid)
        self.assertEqual({BOB: "RECALLED", CAROL: "NOT-DELIVERED"}, parse_rows(lines)[0])
        self.assertIn(mid, d.message_ids(CAROL))
        self.assertEqual([], notices(d, CAROL, mid))


class MarkerListingTest(unittest.TestCase):
    """One lmtp process (process_limit = 1) keeps the markers it listed
    while the recall epoch stays: each change of a marker must reach it."""
    FRANK, GRACE = "frank@example.com", "grace@example.com"

    @classmethod
    def setUpClass(cls):
        cls.dovecot = Dovecot(users={cls.FRANK: "", cls.GRACE: ""},
                              plugin_settings={"recall_hold": "7 days"},
                              extra_conf="service lmtp {\n  process_limit = 1\n}\n").start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()

    def late_copy(self, raw, user):
        d = self.dovecot
        self.assertEqual(250, d.lmtp_deliver(ALICE, [user], raw)[user][0])

    def test_after_a_restore_a_late_copy_is_delivered(self):
        d = self.dovecot
        mid, raw = make_message(ALICE, [BOB, CAROL, self.FRANK])
        send_raw(d, ALICE, raw, [BOB])
        r = d.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.late_copy(raw, CAROL)  # the process lists the markers: this one among them
        self.assertNotIn(mid, d.message_ids(CAROL))
        pids = d.pids("lmtp")
        r = d.doveadm("recall", "restore", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.late_copy(raw, self.FRANK)
        self.assertEqual(pids, d.pids("lmtp"), "the same lmtp process")
        self.assertIn(mid, d.message_ids(self.FRANK))
        self.assertEqual([], notices(d, self.FRANK, mid))

    def test_a_recall_after_the_listing_reaches_the_next_late_copy(self):
        d = self.dovecot
        _, first = make_message(ALICE, [BOB])
        send_raw(d, ALICE, first, [BOB])  # the process lists the markers
        mid, raw = make_message(ALICE, [BOB, self.GRACE])
        send_raw(d, ALICE, raw, [BOB])
        pids = d.pids("lmtp")
        r = d.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.late_copy(raw, self.GRACE)
        self.assertEqual(pids, d.pids("lmtp"), "the same lmtp process")
        self.assertEqual(1, len(notices(d, self.GRACE, mid)))
        self.assertNotIn(mid, d.message_ids(self.GRACE))


class ManyMarkersTest(unittest.TestCase):
    """Beyond 10,000 recall markers an lmtp process keeps no listing and
    asks for each message's marker: late copies are still recalled."""

    def test_late_copy_recalled_without_a_listing(self):
        d = Dovecot().start()
        try:
            mid, raw = make_message(ALICE, [BOB, CAROL])
            send_raw(d, ALICE, raw, [BOB])
            r = d.doveadm("recall", "run", "-u", ALICE, mid)
            self.assertEqual(0, r.returncode, r.stderr)
            db = sqlite3.connect(d.ledger_dir + "/ledger.db")
            db.executemany("INSERT INTO recall_marker (msgkey, marker) VALUES (?, 'v=1')",
                           [("%032x" % n,) for n in range(10001)])
            db.commit()
            db.close()
            self.assertEqual(250, d.lmtp_deliver(ALICE, [CAROL], raw)[CAROL][0])
            self.assertNotIn(mid, d.message_ids(CAROL))
            self.assertEqual(1, len(notices(d, CAROL, mid)))
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()
