"""recall_protected (issue 15 point 2): a recipient whose userdb says
recall_protected=yes never loses a copy. Its row says PROTECTED in CHECK,
in a recall (IMAP and doveadm) and for a copy arriving after the recall;
it is not counted as recalled. A malformed value protects too: recall is
off for that user, so its copies are not tracked (and a copy tracked
before the value went bad is FAILED, never touched)."""

import unittest

from harness import DOVECOT_24, Dovecot, find, make_message, parse_rows, send, send_raw, sent_xrecall

ALICE, BOB = "alice@example.com", "bob@example.com"
VAULT = "vault@example.com"   # a compliance archive
TYPO = "typo@example.com"     # recall_protected=maybe

dovecot = None


def setUpModule():
    global dovecot
    dovecot = Dovecot(users={VAULT: "userdb_recall_protected=yes",
                             TYPO: "userdb_recall_protected=maybe"}).start()


def tearDownModule():
    dovecot.stop()


class ProtectedTest(unittest.TestCase):
    def test_check_and_recall_over_imap(self):
        mid, uid = send(dovecot, ALICE, [BOB, VAULT])
        rows, result = parse_rows(sent_xrecall(dovecot, ALICE, uid, "CHECK")[2])
        self.assertEqual({BOB: "RECALLABLE", VAULT: "PROTECTED"}, rows)
        self.assertEqual("RECALLABLE", result["RESULT"])

        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertEqual("OK", typ)
        self.assertIn("[RECALL-PARTIAL]", text)
        rows, result = parse_rows(lines)
        self.assertEqual({BOB: "RECALLED", VAULT: "PROTECTED"}, rows)
        self.assertEqual(("2", "1"), (result["INTERNAL"], result["RECALLED"]))
        self.assertEqual([mid], dovecot.message_ids(VAULT))
        self.assertEqual([], find(dovecot.messages(VAULT), "X-Recall-Of", mid))
        self.assertNotIn(mid, dovecot.message_ids(BOB))

    def test_doveadm_recall(self):
        mid, _ = send(dovecot, ALICE, [VAULT])
        r = dovecot.doveadm("recall", "run", "-u", ALICE, mid, fmt="json")
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn('"state":"PROTECTED"', r.stdout.replace(" ", ""))
        self.assertIn('"result":"FAILURE"', r.stdout.replace(" ", ""))
        self.assertEqual([mid], [m for m in dovecot.message_ids(VAULT) if m == mid])

    def test_late_copy_is_delivered(self):
        mid, raw = make_message(ALICE, [BOB, VAULT])
        uid = send_raw(dovecot, ALICE, raw, [BOB])
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertEqual("OK", typ, text)
        self.assertEqual("NOT-DELIVERED", parse_rows(lines)[0][VAULT])
        dovecot.lmtp_deliver(ALICE, [VAULT], raw)
        dovecot.wait_for_log("recall: %s arrived after its recall, not recalled" % mid)
        self.assertIn(mid, dovecot.message_ids(VAULT))
        self.assertEqual([], find(dovecot.messages(VAULT), "X-Recall-Of", mid))
        rows, _ = parse_rows(sent_xrecall(dovecot, ALICE, uid, "CHECK")[2])
        self.assertEqual("PROTECTED", rows[VAULT])

    def test_malformed_value_keeps_the_copy(self):
        # Recall is off for a user whose settings are refused: the copy is
        # not even tracked.
        mid, uid = send(dovecot, ALICE, [BOB, TYPO])
        rows, _ = parse_rows(sent_xrecall(dovecot, ALICE, uid)[2])
        self.assertEqual({BOB: "RECALLED", TYPO: "NOT-DELIVERED"}, rows)
        self.assertIn(mid, dovecot.message_ids(TYPO))
        # 2.4 parses the boolean itself, and says so its way.
        self.assertIn("Invalid recall_protected=maybe" if DOVECOT_24 else
                      "recall_protected: invalid value 'maybe'", dovecot.log_text())

    def test_value_gone_bad_after_delivery_fails_the_copy(self):
        later = "later@example.com"
        dovecot.set_user(later)
        mid, uid = send(dovecot, ALICE, [later])
        dovecot.set_user(later, "userdb_recall_protected=maybe")
        rows, _ = parse_rows(sent_xrecall(dovecot, ALICE, uid)[2])
        self.assertEqual({later: "FAILED"}, rows)
        self.assertIn(mid, dovecot.message_ids(later))


if __name__ == "__main__":
    unittest.main()
