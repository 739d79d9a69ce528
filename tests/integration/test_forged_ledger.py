"""Ledger records are checked, not trusted (issue 11, point 2): a record
written into the ledger by anything that reaches the dict (code running as
the mail uid) cannot make a recall touch a copy of a message its writer
never sent, even though LMTP's copies share one GUID that any recipient
can read with FETCH X-GUID."""

import hashlib
import sqlite3
import time
import unittest

from harness import Dovecot, make_message, parse_rows, send_raw, sent_xrecall

ALICE, BOB, MALLORY = "alice@example.com", "bob@example.com", "mallory@example.com"

dovecot = None


def setUpModule():
    global dovecot
    dovecot = Dovecot().start()


def tearDownModule():
    dovecot.stop()


def key(a, b):
    """The plugin's ledger keys: 128 bits of SHA-256 of "a\\nb"."""
    return hashlib.sha256(("%s\n%s" % (a, b)).encode()).hexdigest()[:32]


def guid_of(user, mid):
    conn = dovecot.imap(user)
    try:
        conn.select("INBOX", readonly=True)
        typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", mid)
        uid = data[0].split()[-1].decode()
        typ, data = conn.uid("FETCH", uid, "(X-GUID)")
        return data[0].decode().split("X-GUID ")[1].split()[0].rstrip(")")
    finally:
        conn.logout()


class ForgedRecordTest(unittest.TestCase):
    def test_forged_record_cannot_point_at_another_senders_copy(self):
        # alice writes to bob and mallory in one LMTP transaction: one GUID.
        mid, raw = make_message(ALICE, [BOB, MALLORY])
        send_raw(dovecot, ALICE, raw, [BOB, MALLORY])
        guid = guid_of(MALLORY, mid)
        self.assertEqual(guid, guid_of(BOB, mid))
        # mallory forges "mallory sent this to bob" and recalls it from a
        # Sent copy of her own with that Message-ID.
        now = int(time.time())
        record = "\t".join([
            "v=1", "sender=" + MALLORY, "msgid=" + mid, "user=" + BOB, "rcpt=" + BOB,
            "org=example.com", "box=INBOX", "uid=1", "guid=" + guid, "subject=x",
            "at=%d" % now, "expires=%d" % (now + 3600), "progress=delivered", "notice=0"])
        db = sqlite3.connect(dovecot.ledger_dir + "/ledger.db")
        db.execute("INSERT INTO recall_delivery VALUES (?, ?, ?)",
                   (key(MALLORY, mid), key(BOB, guid), record))
        db.commit()
        own_uid = send_raw(dovecot, MALLORY, raw, [])
        typ, text, lines = sent_xrecall(dovecot, MALLORY, own_uid)
        self.assertEqual({BOB: "FAILED", MALLORY: "NOT-DELIVERED"}, parse_rows(lines)[0], text)
        self.assertTrue(text.startswith("[RECALL-FAILURE]"), text)
        self.assertIn(mid, dovecot.message_ids(BOB))
        self.assertIn("ledger record not trusted, copy left alone",
                      dovecot.wait_for_log("ledger record not trusted"))
        # alice's own recall of her message still works on the same copy.
        alice_uid = [u for u, _, h in dovecot.messages(ALICE, "Sent") if h["Message-ID"] == mid][0]
        typ, text, lines = sent_xrecall(dovecot, ALICE, alice_uid)
        self.assertEqual({BOB: "RECALLED", MALLORY: "RECALLED"}, parse_rows(lines)[0], text)
        self.assertNotIn(mid, dovecot.message_ids(BOB))


if __name__ == "__main__":
    unittest.main()
