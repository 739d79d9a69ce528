"""doveadm recall check|run|prune, on the command line and over the HTTP API."""

import json
import os
import subprocess
import sqlite3
import time
import unittest

from harness import (Dovecot, find, in_memory_index_fields, make_message, metric_conf, send,
                     send_raw, xrecall)

METRICS = (metric_conf("recall_finished", "recall_finished", group_by="result") +
           metric_conf("recall_checked", "recall_checked"))

dovecot = None
ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def setUpModule():
    global dovecot
    dovecot = Dovecot(extra_conf=METRICS).start()


def tearDownModule():
    dovecot.stop()


class DoveadmTest(unittest.TestCase):
    def test_check_and_run_table(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL, "dave@other.org", "x@remote.example"],
                        deliver_to=[BOB, CAROL, "dave@other.org"])
        r = dovecot.doveadm("recall", "check", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        lines = r.stdout.split("\n")
        self.assertEqual(["recipient", "state", "result"], lines[0].split())
        rows = [line.split() for line in lines[1:] if line.strip()]
        self.assertEqual([[BOB, "RECALLABLE", "RECALLABLE"], [CAROL, "RECALLABLE", "RECALLABLE"],
                          ["dave@other.org", "EXTERNAL", "RECALLABLE"],
                          ["x@remote.example", "EXTERNAL", "RECALLABLE"]], rows)
        self.assertIn(mid, dovecot.message_ids(BOB))

        r = dovecot.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        rows = [line.split() for line in r.stdout.split("\n")[1:] if line.strip()]
        self.assertEqual([BOB, "RECALLED", "COMPLETE"], rows[0])
        self.assertNotIn(mid, dovecot.message_ids(BOB))
        self.assertEqual(1, len(find(dovecot.messages(BOB), "X-Recall-Of", mid)))
        # dave is of another organization: his copy stays (EXTERNAL).
        self.assertEqual([mid], dovecot.message_ids("dave@other.org"))
        # doveadm's recall also tags the sender's copy in Sent and reports.
        sent = [m for m in dovecot.messages(ALICE, "Sent") if m[0] == uid][0]
        self.assertIn("$Recalled", sent[1])
        self.assertEqual(1, len(find(dovecot.messages(ALICE), "In-Reply-To", mid)))

        r = dovecot.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode)
        self.assertIn("RECALLED", r.stdout)
        self.assertEqual(1, len(find(dovecot.messages(BOB), "X-Recall-Of", mid)))

    def test_json(self):
        mid, _ = send(dovecot, ALICE, [BOB])
        r = dovecot.doveadm("recall", "check", "-u", ALICE, mid, fmt="json")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual([{"recipient": BOB, "state": "RECALLABLE", "result": "RECALLABLE"}],
                         json.loads(r.stdout))

    def test_http_api(self):
        mid, _ = send(dovecot, ALICE, [BOB, CAROL])
        reply = dovecot.doveadm_http("recallCheck", {"user": ALICE, "messageId": mid})
        self.assertEqual("doveadmResponse", reply[0][0], reply)
        self.assertEqual({BOB: "RECALLABLE", CAROL: "RECALLABLE"},
                         {row["recipient"]: row["state"] for row in reply[0][1]})
        reply = dovecot.doveadm_http("recallRun", {"user": ALICE, "messageId": mid})
        self.assertEqual({"COMPLETE"}, {row["result"] for row in reply[0][1]})
        self.assertNotIn(mid, dovecot.message_ids(CAROL))
        reply = dovecot.doveadm_http("recallRun", {"user": ALICE, "messageId": "<never@x>"})
        self.assertEqual("error", reply[0][0], reply)
        self.assertEqual(68, reply[0][1]["exitCode"])

    def test_exit_codes(self):
        self.assertEqual(68, dovecot.doveadm("recall", "run", "-u", ALICE, "<never@x>").returncode)
        r = dovecot.doveadm("recall", "check", "-u", ALICE, "no-brackets")
        self.assertEqual(64, r.returncode)
        self.assertIn("not a Message-ID", r.stderr)
        mid, _ = send(dovecot, "quick@example.com", [BOB])  # 2s window
        time.sleep(3)
        r = dovecot.doveadm("recall", "run", "-u", "quick@example.com", mid)
        self.assertEqual(77, r.returncode)
        self.assertIn("RECALL-EXPIRED", r.stderr)
        self.assertIn(mid, dovecot.message_ids(BOB))

    def test_admin_skips_account_rule(self):
        # A free user cannot recall from webmail, but an admin can for them.
        mid, _ = send(dovecot, "frank@example.com", [BOB])
        r = dovecot.doveadm("recall", "run", "-u", "frank@example.com", mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("COMPLETE", r.stdout)
        self.assertNotIn(mid, dovecot.message_ids(BOB))

    def test_audit_events_in_log_and_metrics(self):
        # Over the HTTP API: its doveadm server logs into Dovecot's log (the
        # doveadm command line logs to its own stderr).
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        dovecot.doveadm_http("recallCheck", {"user": ALICE, "messageId": mid})
        conn = dovecot.imap(ALICE)
        conn.select("Sent")
        xrecall(conn, str(uid))
        conn.logout()
        dovecot.doveadm_http("recallRun", {"user": ALICE, "messageId": "<never@x>"})
        log = dovecot.wait_for_log("recall: recall of <never@x>")
        self.assertIn("recall: check of %s by %s: RECALLABLE (2 internal, 0 recalled)"
                      % (mid, ALICE), log)
        self.assertIn("recall: recall of %s by %s: COMPLETE (2 internal, 2 recalled)"
                      % (mid, ALICE), log)
        self.assertIn("recall: recall of <never@x> by %s: RECALL-NOT-SENT" % ALICE, log)
        stats = dovecot.doveadm("stats", "dump").stdout
        counts = {}
        for line in stats.splitlines()[1:]:
            name, field, count = line.split("\t")[:3]
            counts[name] = counts.get(name, 0) + int(count)
        self.assertGreaterEqual(counts.get("recall_checked", 0), 1, stats)
        self.assertGreaterEqual(counts.get("recall_finished_COMPLETE", 0), 1, stats)
        self.assertGreaterEqual(counts.get("recall_finished_RECALL-NOT-SENT", 0), 1, stats)

    def test_help_opens_the_man_page(self):
        env = dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="100")
        r = subprocess.run(["doveadm", "help", "recall"], capture_output=True, text=True,
                           env=env, timeout=30)
        self.assertEqual(0, r.returncode, r.stderr)
        for section in ("doveadm-recall - recall a sent message", "EXIT STATUS", "NOT-DELIVERED",
                        "recallCheck"):
            self.assertIn(section, r.stdout)

    def test_prune_deletes_only_expired_records(self):
        # Records live as long as the longest (global) window plus the
        # recipient's retention: 3 s + 1 s for short, 3 s + 1 day for bob.
        # short's index is in memory: its download marks go to the ledger.
        brief = Dovecot(plugin_settings={"recall_window": "3s"},
                        users={"short@example.com": "userdb_recall_retention=1s " +
                               in_memory_index_fields()}).start()
        try:
            db = sqlite3.connect(brief.ledger_dir + "/ledger.db")
            send(brief, ALICE, ["short@example.com"])
            brief.pop3_retr_newest("short@example.com")  # a download mark, living as long
            mid_long, _ = send(brief, ALICE, [BOB])
            count = lambda: db.execute("select count(*) from recall_delivery").fetchone()[0]
            marks = lambda: db.execute("select count(*) from recall_fetched").fetchone()[0]
            before = count()
            deadline = time.time() + 5
            while marks() == 0 and time.time() < deadline:
                time.sleep(0.05)
            self.assertEqual(1, marks())
            time.sleep(5)
            r, counts = brief.prune()
            self.assertEqual(0, r.returncode, r.stderr)
            pruned = counts["pruned"]
            self.assertEqual(1, pruned)
            self.assertEqual(before - pruned, count())
            self.assertEqual(0, marks())
            # The long-lived record is still there (its window, 3 s, is over).
            r = brief.doveadm("recall", "check", "-u", ALICE, mid_long)
            self.assertEqual(77, r.returncode, r.stderr)
            self.assertEqual({"pruned": 0, "purged": 0, "replayed": 0}, brief.prune()[1])
        finally:
            brief.stop()

    def test_prune_takes_grouped_and_earlier_index_entries(self):
        # Each group commit (and each dovecot-lda delivery) indexes its
        # messages in one group row; earlier versions wrote one row per
        # message. A message in two commits is in two groups: its records
        # are pruned and counted once.
        short = ["short%d@example.com" % n for n in range(3)]
        brief = Dovecot(plugin_settings={"recall_window": "1s", "recall_retention": "1s"},
                        users={user: "" for user in short}).start()
        try:
            db = sqlite3.connect(brief.ledger_dir + "/ledger.db")
            rows = lambda table: db.execute("select count(*) from %s" % table).fetchone()[0]
            mid, raw = make_message(ALICE, short)
            send_raw(brief, ALICE, raw, short[:2])
            brief.lmtp_deliver(ALICE, [short[2]], raw)  # the same message, a later commit
            r = brief.lda_deliver(ALICE, short[0], make_message(ALICE, [short[0]])[1])
            self.assertEqual(0, r.returncode, r.stderr)
            self.assertEqual(4, rows("recall_delivery"))
            self.assertEqual(3, rows("recall_expiry_group"))
            # The dovecot-lda message as the previous version indexed it.
            bucket, group, msgkey = db.execute(
                "select bucket, groupkey, msgkeys from recall_expiry_group g"
                " where (select count(*) from recall_expiry_group h"
                "        where instr(h.msgkeys, g.msgkeys) > 0) = 1").fetchone()
            db.execute("delete from recall_expiry_group where groupkey = ?", (group,))
            db.execute("insert into recall_expiry values (?, ?, '1')", (bucket, msgkey))
            db.commit()
            time.sleep(3)
            r, counts = brief.prune()
            self.assertEqual(0, r.returncode, r.stderr)
            self.assertEqual(4, counts["pruned"])
            for table in ("recall_delivery", "recall_expiry_group", "recall_expiry",
                          "recall_bucket"):
                self.assertEqual(0, rows(table), table)
        finally:
            brief.stop()


if __name__ == "__main__":
    unittest.main()
