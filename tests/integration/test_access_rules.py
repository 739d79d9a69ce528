"""What the recipient may already have seen or gets later (SPEC rules 5, 6,
7, 11 and the notify modes): downloads by POP3 and non-webmail IMAP,
header-only reads, webmail reads, $Forwarded, \\Seen, late arrivals."""

import unittest

from harness import OTHER_IP, Dovecot, eventually, find, parse_rows, send, xrecall

dovecot = None
ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"


def setUpModule():
    global dovecot
    dovecot = Dovecot(users={
        "keepread@example.com": "userdb_recall_read_messages=no",
        "silent@example.com": "userdb_recall_notify_recipients=no",
        "readnotify@example.com": "userdb_recall_notify_recipients=read",
    }).start()


def tearDownModule():
    dovecot.stop()


def imap_session(user, source_ip, mid):
    """An IMAP session of user from source_ip with the copy of mid selected;
    returns (connection, sequence number)."""
    conn = dovecot.imap(user, source_ip=source_ip)
    conn.select("INBOX")
    typ, data = conn.search(None, "HEADER", "Message-ID", mid)
    return conn, data[0].split()[-1].decode()


def states(sender, uid, check_only=True):
    conn = dovecot.imap(sender)
    try:
        conn.select("Sent")
        args = ("CHECK", str(uid)) if check_only else (str(uid),)
        typ, text, lines = xrecall(conn, *args)
        return parse_rows(lines)[0], text
    finally:
        conn.logout()


class FetchedTest(unittest.TestCase):
    def test_pop3_retr_and_top(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        for user, command in ((BOB, "retr"), (CAROL, "top")):
            pop = dovecot.pop3(user)
            count = len(pop.list()[1])
            if command == "retr":
                pop.retr(count)
            else:
                pop.top(count, 0)
            pop.quit()
        rows, _ = states(ALICE, uid)
        self.assertEqual({BOB: "FETCHED", CAROL: "FETCHED"}, rows)
        rows, text = states(ALICE, uid, check_only=False)
        self.assertTrue(text.startswith("[RECALL-FAILURE]"), text)
        self.assertIn(mid, dovecot.message_ids(BOB))
        self.assertEqual([], find(dovecot.messages(BOB), "X-Recall-Of", mid))

    def test_imap_body_fetches_from_a_mail_client(self):
        items = ["BODY[]", "BODY.PEEK[]", "RFC822", "RFC822.TEXT", "BODY.PEEK[TEXT]",
                 "BODY.PEEK[1]", "BINARY.PEEK[1]"]
        for item in items:
            mid, uid = send(dovecot, ALICE, [BOB])
            conn, seq = imap_session(BOB, OTHER_IP, mid)
            typ, _ = conn.fetch(seq, "(%s)" % item)
            self.assertEqual("OK", typ, item)
            conn.logout()
            # The session's marks are written as it ends, after its LOGOUT
            # reply: a moment later under load (seen once on 2.4).
            fetched = eventually(lambda: states(ALICE, uid)[0] == {BOB: "FETCHED"})
            self.assertTrue(fetched, (item, states(ALICE, uid)[0]))

    def test_preview_and_snippet_are_body_text(self):
        # RFC 8970 PREVIEW and Dovecot's older SNIPPET hand out the body's
        # first lines. Bob's webmail reads it first (not a download), so his
        # mail client's FETCH is answered from the cache, with no stream.
        for item in ("PREVIEW", "SNIPPET (FUZZY)"):
            mid, uid = send(dovecot, ALICE, [BOB, CAROL])
            for user, ip in ((CAROL, "127.0.0.1"), (BOB, "127.0.0.1"), (BOB, OTHER_IP)):
                conn, seq = imap_session(user, ip, mid)
                typ, data = conn.fetch(seq, "(%s)" % item)
                self.assertEqual("OK", typ, (item, data))
                self.assertIn(b"numbers", b"".join(x if isinstance(x, bytes) else x[0] + x[1]
                                                   for x in data), item)
                conn.logout()
            self.assertEqual({BOB: "FETCHED", CAROL: "RECALLABLE"}, states(ALICE, uid)[0], item)

    def test_header_reads_search_and_webmail_do_not_count(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        conn, seq = imap_session(BOB, OTHER_IP, mid)
        for item in ("FLAGS", "ENVELOPE", "BODYSTRUCTURE", "RFC822.SIZE",
                     "BODY.PEEK[HEADER]", "BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)]"):
            self.assertEqual("OK", conn.fetch(seq, "(%s)" % item)[0], item)
        self.assertEqual("OK", conn.search(None, "TEXT", "numbers")[0])
        conn.logout()
        conn, seq = imap_session(BOB, "127.0.0.1", mid)  # the webmail reads it
        self.assertEqual("OK", conn.fetch(seq, "(BODY[])")[0])
        conn.logout()
        self.assertEqual({BOB: "RECALLABLE"}, states(ALICE, uid)[0])
        rows, text = states(ALICE, uid, check_only=False)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)

    def test_fetched_copy_stays_others_go(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        dovecot.pop3_retr_newest(CAROL)
        rows, text = states(ALICE, uid, check_only=False)
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        self.assertEqual({BOB: "RECALLED", CAROL: "FETCHED"}, rows)
        self.assertIn(mid, dovecot.message_ids(CAROL))
        self.assertNotIn(mid, dovecot.message_ids(BOB))


class SharedAndReadTest(unittest.TestCase):
    def test_forwarded_copy_is_shared(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        conn, seq = imap_session(BOB, "127.0.0.1", mid)
        conn.store(seq, "+FLAGS", "($Forwarded)")
        conn.logout()
        rows, text = states(ALICE, uid, check_only=False)
        self.assertEqual({BOB: "SHARED"}, rows)
        self.assertIn(mid, dovecot.message_ids(BOB))

    def _seen(self, user, mid):
        conn, seq = imap_session(user, "127.0.0.1", mid)
        conn.store(seq, "+FLAGS", r"(\Seen)")
        conn.logout()

    def test_read_copies_by_setting(self):
        mid, uid = send(dovecot, "keepread@example.com", [BOB, CAROL])
        self._seen(BOB, mid)
        rows, text = states("keepread@example.com", uid, check_only=False)
        self.assertEqual({BOB: "READ", CAROL: "RECALLED"}, rows)
        self.assertIn(mid, dovecot.message_ids(BOB))
        # Default (yes): read copies are recalled.
        mid, uid = send(dovecot, ALICE, [BOB])
        self._seen(BOB, mid)
        self.assertEqual({BOB: "RECALLED"}, states(ALICE, uid, check_only=False)[0])

    def test_notify_modes(self):
        mid, uid = send(dovecot, "silent@example.com", [BOB])
        self.assertEqual({BOB: "RECALLED"}, states("silent@example.com", uid, False)[0])
        self.assertEqual([], find(dovecot.messages(BOB), "X-Recall-Of", mid))
        self.assertNotIn(mid, dovecot.message_ids(BOB))

        mid, uid = send(dovecot, "readnotify@example.com", [BOB, CAROL])
        self._seen(BOB, mid)
        rows, _ = states("readnotify@example.com", uid, False)
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, rows)
        self.assertEqual(1, len(find(dovecot.messages(BOB), "X-Recall-Of", mid)))
        self.assertEqual([], find(dovecot.messages(CAROL), "X-Recall-Of", mid))


class LateArrivalTest(unittest.TestCase):
    def test_copy_delivered_after_the_recall_is_recalled_on_arrival(self):
        late = "mallory@example.com"
        mid, uid = send(dovecot, ALICE, [BOB, CAROL], deliver_to=[BOB])
        rows, text = states(ALICE, uid, check_only=False)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        raw = _sent_copy(uid)
        # A slow queue delivers to carol and mallory, and retries bob.
        replies = dovecot.lmtp_deliver(ALICE, [CAROL, late, BOB], raw)
        self.assertEqual({250}, {code for code, _ in replies.values()})
        for user in (CAROL, late, BOB):
            messages = dovecot.messages(user)
            self.assertEqual([], find(messages, "Message-ID", mid), user)
            self.assertEqual(1, len(find(messages, "X-Recall-Of", mid)), user)
        rows, text = states(ALICE, uid)
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED", late: "RECALLED"}, rows)
        expected = "arrived after its recall: recalled on arrival"
        self.assertIn(expected, dovecot.wait_for_log(expected))

    def test_check_is_not_a_recall(self):
        mid, uid = send(dovecot, ALICE, [BOB], deliver_to=[])
        send_raw = _sent_copy(uid)
        dovecot.lmtp_deliver(ALICE, [BOB], send_raw)
        states(ALICE, uid)  # CHECK only
        dovecot.lmtp_deliver(ALICE, [CAROL], send_raw)
        self.assertIn(mid, dovecot.message_ids(CAROL))


def _sent_copy(uid):
    return dovecot.message_raw(ALICE, "Sent", uid)


if __name__ == "__main__":
    unittest.main()
