"""doveadm recall history (issue 15 point 4): every recall and restore,
from webmail, the doveadm CLI or its HTTP API, newest first, with time,
sender, Message-ID, client address, result and counts per state; -u and
-s narrow it; -f json and recallHistory give the same; prune removes what
has outlived the ledger's records."""

import json
import os
import sqlite3
import time
import unittest

from harness import Dovecot, send, sent_xrecall

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
MALLORY = "mallory@example.com"
FIELDS = ["time", "action", "sender", "message-id", "client", "result", "counts"]


def table(result):
    """The rows of doveadm's history in -f tab, as dicts."""
    lines = [line for line in result.stdout.split("\n") if line.strip()]
    header = lines[0].split("\t")
    assert header == FIELDS, header
    return [dict(zip(header, line.split("\t"))) for line in lines[1:]]


class HistoryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Dovecot(plugin_settings={"recall_hold": "1 day"}).start()
        d = cls.d
        cls.webmail_mid, uid = send(d, ALICE, [BOB, CAROL, "x@remote.example"],
                                   deliver_to=[BOB, CAROL])
        time.sleep(1.1)  # one second apart: -s with a printed (whole second) time parts them
        assert sent_xrecall(d, ALICE, uid)[0] == "OK"
        time.sleep(1.1)
        cls.cli_mid, _ = send(d, MALLORY, [BOB])
        d.doveadm("recall", "run", "-u", MALLORY, cls.cli_mid)
        time.sleep(1.1)
        cls.http_mid, _ = send(d, ALICE, [CAROL])
        d.doveadm_http("recallRun", {"user": ALICE, "messageId": cls.http_mid})
        time.sleep(1.1)
        d.doveadm("recall", "restore", "-u", ALICE, cls.webmail_mid)
        # A check leaves no entry; a refused recall does.
        d.doveadm("recall", "check", "-u", ALICE, cls.http_mid)
        time.sleep(1.1)
        d.doveadm("recall", "run", "-u", ALICE, "<never-sent@example.com>")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def history(self, *args, fmt="tab"):
        r = self.d.doveadm("recall", "history", *args, fmt=fmt)
        self.assertEqual(0, r.returncode, r.stderr)
        return r

    def test_everything_newest_first(self):
        rows = table(self.history())
        self.assertEqual([("recall", "RECALL-NOT-SENT", "<never-sent@example.com>"),
                          ("restore", "COMPLETE", self.webmail_mid),
                          ("recall", "COMPLETE", self.http_mid),
                          ("recall", "COMPLETE", self.cli_mid),
                          ("recall", "COMPLETE", self.webmail_mid)],
                         [(r["action"], r["result"], r["message-id"]) for r in rows])
        webmail = rows[-1]
        self.assertEqual(ALICE, webmail["sender"])
        self.assertEqual("127.0.0.1", webmail["client"])
        self.assertEqual("RECALLED=2 EXTERNAL=1", webmail["counts"])
        self.assertEqual("EXTERNAL=1 RESTORED=2", rows[1]["counts"])
        self.assertEqual("", rows[-2]["client"], "the CLI has no client address")
        self.assertEqual(MALLORY, rows[-2]["sender"])
        self.assertRegex(webmail["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        times = [r["time"] for r in rows]
        self.assertEqual(sorted(times, reverse=True), times)

    def test_by_sender_and_since(self):
        self.assertEqual([self.cli_mid],
                         [r["message-id"] for r in table(self.history("-u", MALLORY.upper()))])
        everything = table(self.history())
        http_time = [r["time"] for r in everything if r["message-id"] == self.http_mid][0]
        rows = table(self.history("-u", ALICE, "-s", http_time))
        self.assertEqual(["<never-sent@example.com>", self.webmail_mid, self.http_mid],
                         [r["message-id"] for r in rows])
        self.assertEqual(5, len(table(self.history("-s", "1 hour"))))
        self.assertEqual([], table(self.history("-s", str(int(time.time()) + 60))))
        self.assertEqual(5, len(table(self.history("-s", "2000-01-01"))))

    def test_table_for_people(self):
        r = self.history(fmt=None)
        self.assertEqual(FIELDS, r.stdout.split("\n")[0].split())
        self.assertIn(self.cli_mid, r.stdout)

    def test_bad_since_is_refused(self):
        r = self.d.doveadm("recall", "history", "-s", "last tuesday")
        self.assertNotEqual(0, r.returncode)
        self.assertIn("-s last tuesday: expected", r.stderr)

    def test_json_and_http(self):
        entries = json.loads(self.history("-u", MALLORY, fmt="json").stdout)
        self.assertEqual(1, len(entries))
        self.assertEqual({"action": "recall", "sender": MALLORY, "message-id": self.cli_mid,
                          "client": "", "result": "COMPLETE", "counts": "RECALLED=1"},
                         {k: v for k, v in entries[0].items() if k != "time"})
        reply = self.d.doveadm_http("recallHistory", {"user": ALICE})
        self.assertEqual("doveadmResponse", reply[0][0], reply)
        self.assertEqual(4, len(reply[0][1]))
        http = [e for e in reply[0][1] if e["message-id"] == self.http_mid][0]
        self.assertEqual("127.0.0.1", http["client"])


class HistoryExpiryTest(unittest.TestCase):
    def test_entries_live_as_long_as_the_records(self):
        # Records live recall_window + recall_retention: 3 s here.
        d = Dovecot(plugin_settings={"recall_window": "2s", "recall_retention": "1s"}).start()
        try:
            mid, _ = send(d, ALICE, [BOB])
            d.doveadm("recall", "run", "-u", ALICE, mid)
            self.assertEqual(1, len(table(d.doveadm("recall", "history", fmt="tab"))))
            time.sleep(3.5)
            self.assertEqual([], table(d.doveadm("recall", "history", fmt="tab")))
            self.assertEqual(0, d.doveadm("recall", "prune").returncode)
            db = sqlite3.connect(os.path.join(d.ledger_dir, "ledger.db"))
            try:
                self.assertEqual(0, db.execute("select count(*) from recall_history").fetchone()[0])
            finally:
                db.close()
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()
