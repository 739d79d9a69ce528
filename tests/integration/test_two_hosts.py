"""Two Dovecot backends sharing one PostgreSQL ledger (issue 7): each has
its own base dir, ports, mail storage and users; host A's recall reaches
recipients on host B through B's doveadm HTTP API (doveadm recall step,
Basic auth with doveadm_password), and gives the same per-recipient states
as for local copies. B down: its recipients are FAILED with the reason,
A's are recalled, and the next recall completes B's (rule 12). Without the
right password (or any) nothing of B's is touched."""

import base64
import http.client
import json
import socket
import time
import unittest

from harness import DOVEADM_PASSWORD, Dovecot, find, parse_rows, send, sent_xrecall
from postgres import Postgres

ALICE, CAROL = "alice@example.com", "carol@example.com"  # mail on host A
HOLDER = "holder@example.com"  # a sender on host A whose recalls hold copies
BOB, ERIN = "bob@example.com", "mallory@example.com"     # mail on host B

postgres = host_a = host_b = None


def setUpModule():
    global postgres, host_a, host_b
    postgres = Postgres().start()
    host_a = Dovecot(ledger="pgsql", postgres=postgres, backend=True,
                     users={HOLDER: "userdb_recall_hold=1d"},
                     plugin_settings={"recall_backends": lambda: host_b.host()})
    host_b = Dovecot(ledger="pgsql", postgres=postgres, backend=True,
                     plugin_settings={"recall_backends": lambda: host_a.host()})
    chosen = host_b.host()
    host_a.start()
    host_b.start()
    if host_b.host() != chosen:  # a port was taken meanwhile: B chose again
        host_a.reconfigure()


def tearDownModule():
    for d in (host_a, host_b):
        d.stop()
    postgres.stop()


def send_across(subject, sender=ALICE):
    """alice (A) to carol (A) and bob (B): A's MTA hands bob's copy to B."""
    mid, uid = send(host_a, sender, [CAROL, BOB], deliver_to=[CAROL], subject=subject)
    raw = host_a.message_raw(sender, "Sent", uid)
    replies = host_b.lmtp_deliver(sender, [BOB], raw)
    assert {code for code, _ in replies.values()} == {250}, replies
    return mid, uid


def recall(uid, *words):
    return sent_xrecall(host_a, ALICE, uid, *words)


def recall_copy_http(dovecot, params, password):
    """B's recallStep as any HTTP client would call it: (status, body).
    (http.client: urllib does not return from Dovecot's 401.)"""
    body = json.dumps([["recallStep", params, "t"]])
    headers = {"Content-Type": "application/json"}
    if password is not None:
        token = base64.b64encode(("doveadm:" + password).encode()).decode()
        headers["Authorization"] = "Basic " + token
    conn = http.client.HTTPConnection("127.0.0.1", dovecot.ports["http"], timeout=30)
    try:
        conn.request("POST", "/doveadm/v1", body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


class TwoHostsTest(unittest.TestCase):
    def assert_recalled(self, dovecot, user, mid):
        self.assertNotIn(mid, dovecot.message_ids(user))
        self.assertEqual(1, len(find(dovecot.messages(user), "X-Recall-Of", mid)))

    def assert_untouched(self, dovecot, user, mid):
        self.assertIn(mid, dovecot.message_ids(user))
        self.assertEqual([], find(dovecot.messages(user), "X-Recall-Of", mid))

    def test_recall_reaches_both_hosts(self):
        mid, uid = send_across("Across hosts")
        typ, text, lines = recall(uid, "CHECK")
        self.assertEqual({CAROL: "RECALLABLE", BOB: "RECALLABLE"}, parse_rows(lines)[0], text)
        typ, text, lines = recall(uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({CAROL: "RECALLED", BOB: "RECALLED"}, parse_rows(lines)[0])
        self.assert_recalled(host_a, CAROL, mid)
        self.assert_recalled(host_b, BOB, mid)
        # bob also exists on A (one passwd-file for the test): his mail there is untouched.
        self.assertEqual([], find(host_a.messages(BOB), "X-Recall-Of", mid))
        # Again: nothing recalled twice, no second notice (rule 12).
        typ, text, lines = recall(uid)
        self.assertEqual({CAROL: "RECALLED", BOB: "RECALLED"}, parse_rows(lines)[0])
        self.assert_recalled(host_b, BOB, mid)

    def test_hold_and_restore_on_the_other_host(self):
        mid, _ = send_across("Held on B", sender=HOLDER)
        r = host_a.doveadm("recall", "run", "-u", HOLDER, mid, fmt="tab")
        self.assertIn("%s\tRECALLED\tCOMPLETE" % BOB, r.stdout, r.stderr)
        self.assert_recalled(host_b, BOB, mid)
        r = host_a.doveadm("recall", "restore", "-u", HOLDER, mid, fmt="tab")
        self.assertIn("%s\tRESTORED\tCOMPLETE" % BOB, r.stdout, r.stderr)
        self.assertIn("%s\tRESTORED\tCOMPLETE" % CAROL, r.stdout)
        self.assert_untouched(host_b, BOB, mid)
        self.assert_untouched(host_a, CAROL, mid)
        # The history is the shared ledger's: either host lists both.
        for host in (host_a, host_b):
            lines = host.doveadm("recall", "history", "-u", HOLDER, fmt="tab").stdout.split("\n")
            self.assertEqual([["restore", "COMPLETE"], ["recall", "COMPLETE"]],
                             [line.split("\t")[1::4] for line in lines[1:] if mid in line])

    def test_copy_downloaded_on_the_other_host_is_fetched(self):
        mid, uid = send_across("Downloaded on B")
        marks = postgres.count("recall_fetched")
        host_b.pop3_retr_newest(BOB)
        typ, text, lines = recall(uid)
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        self.assertEqual({CAROL: "RECALLED", BOB: "FETCHED"}, parse_rows(lines)[0])
        # B's answer to the step said so: the mark is in B's copy, not in
        # the shared ledger.
        self.assertEqual(marks, postgres.count("recall_fetched"))
        self.assert_untouched(host_b, BOB, mid)
        self.assert_recalled(host_a, CAROL, mid)

    def test_other_host_down_then_back(self):
        mid, uid = send_across("While B is down")
        host_b.halt()
        try:
            started = time.time()
            typ, text, lines = recall(uid)
            self.assertLess(time.time() - started, 15)
        finally:
            host_b.resume()
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        self.assertEqual({CAROL: "RECALLED", BOB: "FAILED"}, parse_rows(lines)[0])
        log = host_a.wait_for_log("%s: backend %s" % (BOB, host_b.host()))
        self.assertIn("%s: backend %s: 9003 connect(%s) failed: Connection refused"
                      % (BOB, host_b.host(), host_b.host()), log)
        self.assert_untouched(host_b, BOB, mid)
        # B is back: the same recall completes (rule 12).
        typ, text, lines = recall(uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({CAROL: "RECALLED", BOB: "RECALLED"}, parse_rows(lines)[0])
        self.assert_recalled(host_b, BOB, mid)

    def recall_from_a_with_password(self, password, expected_log):
        """From another backend A whose recall_host_password is `password`:
        bob's copy on B is FAILED with expected_log, carol's is recalled."""
        other_a = Dovecot(ledger="pgsql", postgres=postgres, backend=True,
                          plugin_settings={"recall_host_password": password,
                                           "recall_backends": host_b.host()}).start()
        try:
            mid, uid = send(other_a, ALICE, [CAROL, BOB], deliver_to=[CAROL])
            raw = other_a.message_raw(ALICE, "Sent", uid)
            host_b.lmtp_deliver(ALICE, [BOB], raw)
            typ, text, lines = sent_xrecall(other_a, ALICE, uid)
            self.assertEqual({CAROL: "RECALLED", BOB: "FAILED"}, parse_rows(lines)[0], text)
            self.assertIn(expected_log, other_a.wait_for_log(expected_log))
            self.assert_untouched(host_b, BOB, mid)
        finally:
            other_a.stop()

    def test_wrong_password_fails_the_remote_recipients_only(self):
        self.recall_from_a_with_password(
            "not-the-password", "%s: backend %s: 401 Authentication required" % (BOB, host_b.host()))

    def test_no_password_sends_nothing(self):
        self.recall_from_a_with_password(
            "", "%s: the copy is on backend %s, and recall_host_password is not set"
            % (BOB, host_b.host()))

    def test_a_host_outside_recall_backends_gets_nothing(self):
        # A record naming a listener that is not one of recall_backends
        # (written by anyone who reaches the ledger): no request, no
        # credential, the record is ignored.
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        listener.settimeout(0.5)
        rogue = "127.0.0.1:%d" % listener.getsockname()[1]
        try:
            mid, uid = send_across("Rogue host")
            postgres.sql("UPDATE recall_delivery SET record = replace(record, 'host=%s', 'host=%s') "
                         "WHERE record LIKE '%%%s%%' AND record LIKE '%%user=%s%%'"
                         % (host_b.host(), rogue, mid, BOB), database="recall")
            for words in (("CHECK",), ()):
                typ, text, lines = recall(uid, *words)
                self.assertEqual({CAROL, BOB}, set(parse_rows(lines)[0]), text)
                self.assertEqual("NOT-DELIVERED", parse_rows(lines)[0][BOB], text)
            with self.assertRaises(socket.timeout):
                listener.accept()
            host_a.wait_for_log("is not one of recall_backends")
            self.assert_untouched(host_b, BOB, mid)
        finally:
            listener.close()

    def test_nothing_expunged_without_the_password_or_for_another_user(self):
        mid, uid = send_across("Guarded")
        record = postgres.sql("SELECT record FROM recall_delivery WHERE record LIKE '%%user=%s%%' "
                              "AND record LIKE '%%%s%%'" % (BOB, mid), database="recall").strip()
        self.assertIn("host=%s" % host_b.host(), record)
        params = {"user": BOB, "operation": "expunge", "record": record}
        for password in (None, "wrong"):
            status, body = recall_copy_http(host_b, params, password)
            self.assertEqual(401, status, body)
        # Authenticated, but for another user than the record's recipient.
        status, body = recall_copy_http(host_b, dict(params, user=ERIN), DOVEADM_PASSWORD)
        self.assertIn('"exitCode":77', body.replace(" ", ""))
        self.assert_untouched(host_b, BOB, mid)
        # The real thing works: inspect answers about the copy.
        status, body = recall_copy_http(host_b, dict(params, operation="inspect"),
                                        DOVEADM_PASSWORD)
        self.assertIn("present=1 seen=0 shared=0 genuine=1", body)


if __name__ == "__main__":
    unittest.main()
