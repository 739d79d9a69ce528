"""The ledger in PostgreSQL (issue 7, part 1): the shipped maps and schema
behind Dovecot's dict server, against a real PostgreSQL server started
here. Recall, download marks, late arrivals, expiry and an outage behave
as with SQLite; and every statement a recall sends is answered from an
index when the tables hold a million rows each."""

import re
import time
import unittest

from harness import Dovecot, find, parse_rows, send, sent_xrecall
from postgres import DATABASE, ROLE, Postgres

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
SHORT = "short@example.com"
LEDGER_TABLES = ("recall_delivery", "recall_expiry", "recall_expiry_group", "recall_fetched",
                 "recall_shared", "recall_mark_expiry", "recall_marker")

postgres = dovecot = None


def setUpModule():
    global postgres, dovecot
    postgres = Postgres().start()
    dovecot = Dovecot(ledger="pgsql", postgres=postgres).start()


def tearDownModule():
    dovecot.stop()
    postgres.stop()


def recall(uid, *words):
    return sent_xrecall(dovecot, ALICE, uid, *words)


def download(user):
    """POP3 RETR of the newest message; returns once its download mark is in
    the ledger (marks are written asynchronously, after the RETR)."""
    marks = postgres.count("recall_fetched")
    dovecot.pop3_retr_newest(user)
    postgres.wait_for_more_rows("recall_fetched", marks)


class PgsqlLedgerTest(unittest.TestCase):
    def test_partial_recall_after_a_download(self):
        before = postgres.count("recall_delivery")
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        self.assertEqual(before + 2, postgres.count("recall_delivery"))
        download(BOB)
        typ, text, lines = recall(uid, "CHECK")
        self.assertEqual({BOB: "FETCHED", CAROL: "RECALLABLE"}, parse_rows(lines)[0], text)
        typ, text, lines = recall(uid)
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        self.assertIn(mid, dovecot.message_ids(BOB))
        self.assertNotIn(mid, dovecot.message_ids(CAROL))
        self.assertEqual(1, len(find(dovecot.messages(CAROL), "X-Recall-Of", mid)))

    def test_copy_delivered_after_the_recall_is_recalled_on_arrival(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL], deliver_to=[BOB])
        typ, text, _ = recall(uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        raw = dovecot.message_raw(ALICE, "Sent", uid)
        replies = dovecot.lmtp_deliver(ALICE, [CAROL], raw)
        self.assertEqual({250}, {code for code, _ in replies.values()})
        self.assertNotIn(mid, dovecot.message_ids(CAROL))
        self.assertEqual(1, len(find(dovecot.messages(CAROL), "X-Recall-Of", mid)))

    def test_prune_deletes_only_expired_records(self):
        # Records live as long as the longest (global) window plus the
        # recipient's retention: 3 s + 1 s for short, 3 s + 1 day for bob.
        brief = Dovecot(ledger="pgsql", postgres=postgres, plugin_settings={"recall_window": "3s"},
                        users={SHORT: "userdb_recall_retention=1s"}).start()
        try:
            send(brief, ALICE, [SHORT])
            mid_long, _ = send(brief, ALICE, [BOB])
            before = postgres.count("recall_delivery")
            time.sleep(5)
            r, counts = brief.prune()
            self.assertEqual(0, r.returncode, r.stderr)
            pruned = counts["pruned"]
            self.assertGreaterEqual(pruned, 1)
            self.assertEqual(before - pruned, postgres.count("recall_delivery"))
            r = brief.doveadm("recall", "check", "-u", ALICE, mid_long)
            self.assertEqual(77, r.returncode, r.stderr)  # EXPIRED: the record is there
        finally:
            brief.stop()

    def test_server_down_then_back(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        postgres.stop(keep=True)
        try:
            started = time.time()
            late_mid, _ = send(dovecot, ALICE, [CAROL], committed=False)
            self.assertLess(time.time() - started, 3.0, "the outage held delivery up")
            self.assertIn(late_mid, dovecot.message_ids(CAROL))
            dovecot.wait_for_log("recall: ledger write failed, retrying in 5 s")
            typ, text, _ = recall(uid)
            self.assertEqual("NO", typ, text)
            self.assertTrue(text.startswith("[UNAVAILABLE]"), text)
            self.assertIn(mid, dovecot.message_ids(BOB))
        finally:
            postgres.restart()
        # dict-sql reconnects by itself; the recall then completes.
        deadline = time.time() + 15
        while True:
            typ, text, _ = recall(uid)
            if text.startswith("[RECALL-COMPLETE]") or time.time() > deadline:
                break
            time.sleep(0.5)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertNotIn(mid, dovecot.message_ids(BOB))


class QueryPlanTest(unittest.TestCase):
    """Every statement of a delivery, a download, a recall and a prune,
    as the dict server sends them, is planned on an index with a million
    rows in each table (SPEC section 7: cost by recipients, not by size),
    but one: an lmtp process lists the recall markers (one row per message
    recalled within the retention) after a recall, restore or prune
    changed them, and keeps no listing of more than 10,000 (README, "Late
    arrivals")."""
    MARKER_LISTING = re.compile(r"SELECT \w+,\w+ FROM recall_marker$")

    def statements_of(self, action):
        # Server-wide and reloaded: the dict server's open sessions log too.
        postgres.set_statement_log(True)
        log_start = postgres.log_size()
        try:
            action()
        finally:
            postgres.set_statement_log(False)
        text = postgres.log_text(log_start)
        # Only the ledger role's (the dict server's), not this test's own.
        return [m.group(1).strip() for m in
                re.finditer(r"\] %s: LOG:  statement: (.*?)(?=\n\S|\Z)" % ROLE, text, re.S)]

    def exercise(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        download(BOB)
        recall(uid)
        dovecot.doveadm("recall", "prune")

    def test_every_statement_uses_an_index_at_a_million_rows(self):
        statements = self.statements_of(self.exercise)
        self.assertTrue(statements, "no statement logged")
        postgres.fill_ledger(1_000_000)
        plans = {}
        self.assertIn(True, [bool(self.MARKER_LISTING.match(s)) for s in statements],
                      "the lmtp process's marker listing")
        for statement in set(statements):
            if self.MARKER_LISTING.match(statement):
                continue
            if not re.match(r"(SELECT|UPDATE|DELETE)\b.*\brecall_", statement, re.I | re.S):
                continue  # INSERTs (a key lookup in the primary key) or not the ledger's
            plan = postgres.sql("EXPLAIN " + statement, database=DATABASE, user=ROLE)
            plans[statement] = plan
        self.assertTrue(plans)
        for statement, plan in plans.items():
            scanned = re.findall(r"Seq Scan on (\w+)", plan)
            self.assertEqual([], [t for t in scanned if t in LEDGER_TABLES],
                             "%s\n%s" % (statement, plan))


if __name__ == "__main__":
    unittest.main()
