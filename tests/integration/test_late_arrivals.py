"""Copies that arrive after their message was recalled (SPEC rule 11): they
go on arrival only if they are the same message, for a recipient of the
sender's organization, inside the sender's window, with the sender's notice
setting; an address of the organization with no delivery yet is
NOT-DELIVERED until its copy arrives."""

import time
import unittest

from harness import Dovecot, eventually, find, make_message, parse_rows, send, send_raw, sent_xrecall

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
DAVE = "dave@other.org"             # another domain on this server
ERIN = "erin@example.com"           # same domain, recall_org=subsidiary
BRIEF = "brief@example.com"         # a sender whose window is 4 s
QUIET = "quiet@example.com"         # a sender who sends no notices

dovecot = None


def setUpModule():
    global dovecot
    dovecot = Dovecot(users={
        BRIEF: "userdb_recall_window=4s",
        QUIET: "userdb_recall_notify_recipients=no",
    }).start()


def tearDownModule():
    dovecot.stop()


def notices(user, mid):
    return [m for m in dovecot.messages(user) if m[2]["X-Recall-Of"] == mid]


def assert_arrived_and_recalled(test, raw, mid, uid, user):
    """user's late copy goes on arrival, with one notice, and the next CHECK
    counts it RECALLED: 2 internal recipients, 2 recalled."""
    dovecot.lmtp_deliver(ALICE, [user], raw)
    test.assertTrue(eventually(lambda: mid not in dovecot.message_ids(user)))
    test.assertEqual(1, len(notices(user, mid)))
    rows, result = parse_rows(sent_xrecall(dovecot, ALICE, uid, "CHECK")[2])
    test.assertEqual("RECALLED", rows[user])
    test.assertEqual(("2", "2"), (result["INTERNAL"], result["RECALLED"]))


class LateArrivalTest(unittest.TestCase):
    def recalled(self, sender, to, deliver_to, **kw):
        """A message sent by sender and recalled at once; returns (mid, uid, raw)."""
        mid, raw = make_message(sender, to, **kw)
        uid = send_raw(dovecot, sender, raw, deliver_to)
        typ, text, _ = sent_xrecall(dovecot, sender, uid)
        self.assertEqual("OK", typ, text)
        return mid, uid, raw

    def test_same_message_inside_org_and_window_goes_on_arrival(self):
        mid, uid, raw = self.recalled(ALICE, [BOB, CAROL], [BOB])
        assert_arrived_and_recalled(self, raw, mid, uid, CAROL)

    def test_other_organizations_keep_a_late_copy(self):
        mid, _, raw = self.recalled(ALICE, [BOB, DAVE, ERIN], [BOB])
        dovecot.lmtp_deliver(ALICE, [DAVE, ERIN], raw)
        for user in (DAVE, ERIN):
            self.assertIn(mid, dovecot.message_ids(user), user)
            self.assertEqual([], notices(user, mid), user)
        dovecot.wait_for_log("not in the sender's organization")

    def test_after_the_senders_window_a_late_copy_stays(self):
        mid, _, raw = self.recalled(BRIEF, [BOB, CAROL], [BOB])
        time.sleep(4.5)
        dovecot.lmtp_deliver(BRIEF, [CAROL], raw)
        self.assertIn(mid, dovecot.message_ids(CAROL))
        self.assertEqual([], notices(CAROL, mid))

    def test_another_message_reusing_message_id_and_sender_stays(self):
        mid, _, raw = self.recalled(ALICE, [BOB, CAROL], [BOB])
        forged = raw.replace(b"Please find the numbers below.", b"Please wire the money now.")
        self.assertNotEqual(raw, forged)
        dovecot.lmtp_deliver(ALICE, [CAROL], forged)
        self.assertIn(mid, dovecot.message_ids(CAROL))
        self.assertEqual([], notices(CAROL, mid))
        dovecot.wait_for_log("its content is not the recalled message's")

    def test_the_senders_notice_setting_decides(self):
        mid, _, raw = self.recalled(QUIET, [BOB, CAROL], [BOB])
        self.assertEqual([], notices(BOB, mid))
        dovecot.lmtp_deliver(QUIET, [CAROL], raw)  # carol's own setting: notices
        self.assertTrue(eventually(lambda: mid not in dovecot.message_ids(CAROL)))
        self.assertEqual([], notices(CAROL, mid))


class NotDeliveredTest(unittest.TestCase):
    def test_deferred_colleague_is_not_delivered_then_recalled_on_arrival(self):
        mid, raw = make_message(ALICE, [BOB, CAROL, "nobody@example.com", "x@remote.example"])
        uid = send_raw(dovecot, ALICE, raw, [BOB])  # the MTA deferred carol
        typ, _, lines = sent_xrecall(dovecot, ALICE, uid, "CHECK")
        rows, result = parse_rows(lines)
        self.assertEqual({BOB: "RECALLABLE", CAROL: "NOT-DELIVERED",
                          "nobody@example.com": "NOT-DELIVERED",
                          "x@remote.example": "EXTERNAL"}, rows)
        self.assertEqual([BOB, CAROL, "nobody@example.com", "x@remote.example"], list(rows))
        self.assertEqual("1", result["INTERNAL"])
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual("NOT-DELIVERED", parse_rows(lines)[0][CAROL])
        # The deferred copy arrives inside the window: recalled on arrival.
        assert_arrived_and_recalled(self, raw, mid, uid, CAROL)


if __name__ == "__main__":
    unittest.main()
