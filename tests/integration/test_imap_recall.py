"""XRECALL over IMAP, inside a real Dovecot: SPEC sections 1-3 and 5."""

import threading
import time
import unittest

from harness import (Dovecot, OTHER_IP, find, message_text, parse_rows, send, xrecall)

dovecot = None
ALICE = "alice@example.com"
BOB, CAROL = "bob@example.com", "carol@example.com"
DAVE = "dave@other.org"            # other domain on this server
ERIN = "erin@example.com"          # same domain, recall_org=subsidiary
EXTERNAL = "someone@remote.example"  # not on this server
STAFF = ["staff%02d@example.com" % i for i in range(20)]


def setUpModule():
    global dovecot
    dovecot = Dovecot(users={staff: "" for staff in STAFF}).start()


def tearDownModule():
    dovecot.stop()


class WebmailSession:
    """Alice's webmail: an IMAP session from the webmail address, Sent selected."""

    def __init__(self, user=ALICE, source_ip=None):
        self.conn = dovecot.imap(user, **({"source_ip": source_ip} if source_ip else {}))
        typ, _ = self.conn.select("Sent")
        assert typ == "OK"

    def __enter__(self):
        return self.conn

    def __exit__(self, *exc):
        self.conn.logout()


class RecallTest(unittest.TestCase):
    def test_check_then_recall_then_again(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL, DAVE, ERIN, EXTERNAL],
                        deliver_to=[BOB, CAROL, DAVE, ERIN])
        with WebmailSession() as conn:
            typ, text, lines = xrecall(conn, "CHECK", str(uid))
            self.assertEqual("OK", typ)
            self.assertEqual("XRECALL CHECK completed", text.split(" (")[0])
            rows, result = parse_rows(lines)
            self.assertEqual({BOB: "RECALLABLE", CAROL: "RECALLABLE", DAVE: "EXTERNAL",
                              ERIN: "EXTERNAL", EXTERNAL: "EXTERNAL"}, rows)
            self.assertEqual([BOB, CAROL], list(rows)[:2], "internal recipients first")
            self.assertEqual("RECALLABLE", result["RESULT"])
            self.assertEqual(("2", "0"), (result["INTERNAL"], result["RECALLED"]))
            self.assertTrue(1700 < int(result["EXPIRES"]) <= 1800, result)
            self.assertTrue(all(line.startswith("%d " % uid) for line in lines))
            # CHECK changed nothing.
            self.assertIn(mid, dovecot.message_ids(BOB))

            typ, text, lines = xrecall(conn, str(uid))
            self.assertEqual("OK", typ)
            self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
            rows, result = parse_rows(lines)
            self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED", DAVE: "EXTERNAL",
                              ERIN: "EXTERNAL", EXTERNAL: "EXTERNAL"}, rows)
            self.assertEqual(("COMPLETE", "2", "2"),
                             (result["RESULT"], result["INTERNAL"], result["RECALLED"]))

        for user in (BOB, CAROL):
            messages = dovecot.messages(user)
            self.assertEqual([], find(messages, "Message-ID", mid), user)
            notices = find(messages, "X-Recall-Of", mid)
            self.assertEqual(1, len(notices), user)
            headers = notices[0][2]
            self.assertEqual("auto-generated", headers["Auto-Submitted"])
            self.assertIn("Quarterly numbers", headers["Subject"])
            self.assertNotEqual(mid, headers["Message-ID"])
        for user in (DAVE, ERIN):
            self.assertEqual([mid], dovecot.message_ids(user), user + " must be untouched")

        reports = find(dovecot.messages(ALICE), "In-Reply-To", mid)
        self.assertEqual(1, len(reports))
        self.assertEqual("COMPLETE", reports[0][2]["X-Recall-Result"])
        self.assertEqual("auto-generated", reports[0][2]["Auto-Submitted"])
        report = message_text(dovecot, ALICE, "INBOX", reports[0][0]).get_content()
        self.assertIn("Complete success", report)
        self.assertRegex(report, r"bob@example\.com\s+RECALLED")
        self.assertNotIn(DAVE, report)
        sent = [m for m in dovecot.messages(ALICE, "Sent") if m[0] == uid][0]
        self.assertIn("$Recalled", sent[1])

        # Again: same answer, nothing recalled or sent twice.
        with WebmailSession() as conn:
            typ, text, lines = xrecall(conn, str(uid))
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual("RECALLED", parse_rows(lines)[0][BOB])
        self.assertEqual(1, len(find(dovecot.messages(BOB), "X-Recall-Of", mid)))
        self.assertEqual(1, len(find(dovecot.messages(ALICE), "In-Reply-To", mid)))

    def test_notice_text(self):
        mid, uid = send(dovecot, ALICE, [BOB], subject="Budget — draft ✓")
        with WebmailSession() as conn:
            xrecall(conn, str(uid))
        notice = find(dovecot.messages(BOB), "X-Recall-Of", mid)[0]
        msg = message_text(dovecot, BOB, "INBOX", notice[0])
        self.assertIn("Budget — draft ✓", str(msg["Subject"]))
        self.assertIn("=?utf-8?", notice[2]["Subject"].lower(), "RFC 2047 encoded")
        body = msg.get_content()
        self.assertIn(ALICE, body)
        self.assertIn("Budget — draft ✓", body)
        self.assertIn("recalled", body)

    def test_deleted_copy_makes_partial_then_failure(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        self._expunge(BOB, mid)
        with WebmailSession() as conn:
            typ, text, lines = xrecall(conn, str(uid))
        self.assertEqual("OK", typ)
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        rows, result = parse_rows(lines)
        self.assertEqual({BOB: "DELETED", CAROL: "RECALLED"}, rows)
        self.assertEqual([], find(dovecot.messages(BOB), "X-Recall-Of", mid), "no notice")
        report = find(dovecot.messages(ALICE), "In-Reply-To", mid)[0]
        self.assertEqual("PARTIAL", report[2]["X-Recall-Result"])
        self.assertIn("$Recalled", [m for m in dovecot.messages(ALICE, "Sent") if m[0] == uid][0][1])

        mid, uid = send(dovecot, ALICE, [BOB])
        self._expunge(BOB, mid)
        with WebmailSession() as conn:
            typ, text, lines = xrecall(conn, str(uid))
        self.assertEqual("NO", typ)
        self.assertTrue(text.startswith("[RECALL-FAILURE]"), text)
        self.assertEqual("FAILURE", parse_rows(lines)[1]["RESULT"])
        self.assertNotIn("$Recalled", [m for m in dovecot.messages(ALICE, "Sent") if m[0] == uid][0][1])

    def test_sequence_number_form(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        with WebmailSession() as conn:
            typ, data = conn.uid("SEARCH", "UID", str(uid))
            typ, data = conn.search(None, "UID", str(uid))
            seq = data[0].decode().split()[0]
            typ, text, lines = xrecall(conn, seq, uid=False)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertTrue(lines[0].startswith("%d RECIPIENT" % uid), "responses carry the UID")

    def test_foreign_copy_is_not_sent_by_this_user(self):
        # Mallory holds a copy of Alice's message (same Message-ID) in her Sent.
        mid, _ = send(dovecot, ALICE, [BOB])
        _, raw = _raw_of(mid)
        conn = dovecot.imap("mallory@example.com")
        typ, data = conn.append("Sent", None, None, raw)
        muid = int(data[0].decode().split("APPENDUID ")[1].split()[1].rstrip("]"))
        conn.select("Sent")
        typ, text, lines = xrecall(conn, str(muid))
        conn.logout()
        self.assertEqual("NO", typ)
        self.assertTrue(text.startswith("[RECALL-NOT-SENT]"), text)
        self.assertIn(mid, dovecot.message_ids(BOB))

    def test_reused_message_id_each_sender_recalls_only_theirs(self):
        shared_id = "<reused.%d@example.com>" % time.time_ns()
        send(dovecot, ALICE, [BOB, CAROL], message_id=shared_id, subject="From Alice")
        _, muid = send(dovecot, "mallory@example.com", [BOB, CAROL], message_id=shared_id,
                       subject="From Mallory")
        auid = [m[0] for m in dovecot.messages(ALICE, "Sent")
                if m[2]["Message-ID"] == shared_id][0]
        with WebmailSession() as conn:
            typ, text, lines = xrecall(conn, str(auid))
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        for user in (BOB, CAROL):
            left = [h["Subject"] for _, _, h in dovecot.messages(user)
                    if h["Message-ID"] == shared_id]
            self.assertEqual(["From Mallory"], left, user)
        with WebmailSession("mallory@example.com") as conn:
            typ, text, lines = xrecall(conn, str(muid))
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        for user in (BOB, CAROL):
            self.assertEqual([], find(dovecot.messages(user), "Message-ID", shared_id), user)
            self.assertEqual(2, len(find(dovecot.messages(user), "X-Recall-Of", shared_id)))

    def test_organizations_in_both_directions(self):
        # Another domain and another recall_org on the same domain cannot
        # touch org A, and org A cannot touch them.
        for sender in (DAVE, ERIN):
            mid, uid = send(dovecot, sender, [ALICE, BOB])
            with WebmailSession(sender) as conn:
                typ, text, lines = xrecall(conn, str(uid))
            self.assertEqual("NO", typ, sender)
            self.assertTrue(text.startswith("[RECALL-FAILURE]"), (sender, text))
            self.assertEqual({ALICE: "EXTERNAL", BOB: "EXTERNAL"}, parse_rows(lines)[0])
            self.assertEqual("0", parse_rows(lines)[1]["INTERNAL"])
            for user in (ALICE, BOB):
                self.assertIn(mid, dovecot.message_ids(user), (sender, user))

    def test_not_delivered_or_no_message_id(self):
        mid, uid = send(dovecot, ALICE, [EXTERNAL], deliver_to=[])
        _, uid2 = send(dovecot, ALICE, [BOB], message_id=None)
        with WebmailSession() as conn:
            for u in (uid, uid2):
                typ, text, _ = xrecall(conn, str(u))
                self.assertEqual("NO", typ)
                self.assertTrue(text.startswith("[RECALL-NOT-SENT]"), text)
        self.assertEqual(1, sum(1 for _, _, h in dovecot.messages(BOB) if h["Message-ID"] is None),
                         "a message without Message-ID is still delivered")

    def test_expired(self):
        quick = "quick@example.com"  # recall_window = 2s
        mid, uid = send(dovecot, quick, [BOB])
        time.sleep(3)
        with WebmailSession(quick) as conn:
            typ, text, _ = xrecall(conn, "CHECK", str(uid))
            self.assertEqual("NO", typ)
            self.assertTrue(text.startswith("[RECALL-EXPIRED]"), text)
            typ, text, _ = xrecall(conn, str(uid))
            self.assertTrue(text.startswith("[RECALL-EXPIRED]"), text)
        self.assertIn(mid, dovecot.message_ids(BOB))

    def test_account_kinds(self):
        mid, uid = send(dovecot, "frank@example.com", [BOB])
        with WebmailSession("frank@example.com") as conn:
            typ, text, _ = xrecall(conn, str(uid))
        self.assertEqual("NO", typ)
        self.assertTrue(text.startswith("[RECALL-UPGRADE]"), text)
        self.assertTrue(text.split(" (")[0].endswith("https://example.com/upgrade"), text)

        mid2, uid2 = send(dovecot, "gina@example.com", [BOB])
        with WebmailSession("gina@example.com") as conn:
            typ, text, _ = xrecall(conn, "CHECK", str(uid2))
        self.assertTrue(text.startswith("[RECALL-UNAVAILABLE]"), text)
        ids = dovecot.message_ids(BOB)
        self.assertIn(mid, ids)
        self.assertIn(mid2, ids)

    def test_capability_and_webmail_only(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        with WebmailSession() as conn:
            typ, data = conn.capability()
            self.assertIn(b"XRECALL", data[0].split())
        with WebmailSession(source_ip=OTHER_IP) as conn:
            typ, data = conn.capability()
            self.assertNotIn(b"XRECALL", data[0].split())
            typ, text, _ = xrecall(conn, str(uid))
            self.assertEqual("NO", typ)
            self.assertTrue(text.startswith("[RECALL-WEBMAIL-ONLY]"), text)
        self.assertIn(mid, dovecot.message_ids(BOB))

    def test_no_such_message_and_syntax(self):
        with WebmailSession() as conn:
            typ, text, _ = xrecall(conn, "999999")
            self.assertEqual("NO", typ)
            self.assertTrue(text.startswith("[NONEXISTENT]"), text)
            for args, use_uid in [((), True), (("CHECK",), True), (("1:2",), True),
                                  (("*",), True), (("0",), True), (("1,2",), True),
                                  (("1", "2"), True), (("CHECK", "1", "2"), True),
                                  (("4294967296",), True), (("-1",), True), (("CHECK", "x"), True),
                                  (("999999",), False)]:
                typ, text, _ = xrecall(conn, *args, uid=use_uid)
                self.assertEqual("BAD", typ, (args, text))
            self.assertEqual("OK", conn.noop()[0], "session still usable")

    def test_not_selected(self):
        conn = dovecot.imap(ALICE)
        try:
            conn.state = "SELECTED"  # let imaplib send it; the server must refuse
            typ, text, _ = xrecall(conn, "1")
            self.assertEqual("BAD", typ, text)
        finally:
            conn.logout()

    def test_hostile_subject_cannot_inject_headers(self):
        subject = "=?utf-8?b?SGVsbG8NCkJjYzogdmljdGltQGV2aWwuZXhhbXBsZQ0K?= tail"
        mid, uid = send(dovecot, ALICE, [BOB], subject=subject)
        with WebmailSession() as conn:
            typ, text, _ = xrecall(conn, str(uid))
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        notice = find(dovecot.messages(BOB), "X-Recall-Of", mid)[0]
        self.assertIsNone(notice[2]["Bcc"])
        msg = message_text(dovecot, BOB, "INBOX", notice[0])
        self.assertNotIn("\nBcc:", msg.get_content())
        report = find(dovecot.messages(ALICE), "In-Reply-To", mid)[0]
        self.assertIsNone(report[2]["Bcc"])

    def test_moved_copies_are_found(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        self._move(BOB, mid, "Projects")
        self._move(CAROL, mid, "Trash")
        self.assertIn(mid, dovecot.message_ids(BOB, "Projects"))
        with WebmailSession() as conn:
            typ, text, lines = xrecall(conn, str(uid))
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertNotIn(mid, dovecot.message_ids(BOB, "Projects"))
        self.assertNotIn(mid, dovecot.message_ids(CAROL, "Trash"))
        self.assertEqual(1, len(find(dovecot.messages(BOB), "X-Recall-Of", mid)))

    def test_same_recall_twice_at_once_acts_once(self):
        mid, uid = send(dovecot, ALICE, STAFF)
        answers = []

        def recall():
            with WebmailSession() as conn:
                answers.append(xrecall(conn, str(uid)))

        threads = [threading.Thread(target=recall) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        self.assertEqual(2, len(answers))
        for typ, text, lines in answers:
            self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
            self.assertEqual({"RECALLED"}, set(parse_rows(lines)[0].values()))
        for staff in STAFF:
            messages = dovecot.messages(staff)
            self.assertEqual(1, len(find(messages, "X-Recall-Of", mid)), staff)
            self.assertEqual([], find(messages, "Message-ID", mid), staff)
        self.assertEqual(1, len(find(dovecot.messages(ALICE), "In-Reply-To", mid)))

    @staticmethod
    def _move(user, mid, target=None):
        """Moves the user's INBOX copy of mid to target (created when
        missing), or expunges it when target is None."""
        conn = dovecot.imap(user)
        if target is not None:
            conn.create(target)
        conn.select("INBOX")
        typ, data = conn.search(None, "HEADER", "Message-ID", mid)
        nums = b",".join(data[0].split())
        if target is not None:
            conn.copy(nums, target)
        conn.store(nums, "+FLAGS", r"\Deleted")
        conn.expunge()
        conn.logout()

    @classmethod
    def _expunge(cls, user, mid):
        cls._move(user, mid)


def _raw_of(mid):
    for uid, _, headers in dovecot.messages(ALICE, "Sent"):
        if headers["Message-ID"] == mid:
            return uid, message_text(dovecot, ALICE, "Sent", uid).as_bytes()
    raise AssertionError("no Sent copy of " + mid)


if __name__ == "__main__":
    unittest.main()
