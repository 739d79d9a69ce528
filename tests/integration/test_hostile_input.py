"""Hostile input (issue 4, points 3 and 4): malformed XRECALL lines sent as
raw bytes, and messages whose headers try to inject into the notice, the
report or the IMAP response. Every answer is checked against the IMAP
grammar, every notice and report against RFC 5322's line rules."""

import email
import email.policy
import re
import socket
import unittest

from harness import PASSWORD, WEBMAIL_IP, Dovecot, find, make_message, send_raw

dovecot = None
ALICE = "alice@example.com"
BOB, CAROL = "bob@example.com", "carol@example.com"

# What the notices and reports may carry, nothing else.
ALLOWED_HEADERS = {"from", "to", "subject", "date", "message-id", "auto-submitted",
                   "x-recall-of", "in-reply-to", "x-recall-result", "mime-version",
                   "content-type", "content-transfer-encoding", "return-path", "delivered-to"}


def setUpModule():
    global dovecot
    dovecot = Dovecot().start()


def tearDownModule():
    dovecot.stop()


class RawIMAP:
    """Bytes in, bytes out: what imaplib cannot send (literals, 8-bit,
    NUL) and a strict reading of what comes back."""

    def __init__(self, user):
        self.sock = socket.create_connection(("127.0.0.1", dovecot.ports["imap"]), 30,
                                             source_address=(WEBMAIL_IP, 0))
        self.buf = b""
        self.tags = 0
        self.read_line()  # greeting
        self.command(b'LOGIN "%s" "%s"' % (user.encode(), PASSWORD.encode()))
        self.command(b"SELECT Sent")

    def read_line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read_exact(self, n):
        while len(self.buf) < n:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("server closed the connection")
            self.buf += data
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read_response_line(self):
        """One response line with its literals folded in: [bytes parts]."""
        parts = []
        line = self.read_line()
        while True:
            m = re.search(rb"\{(\d+)\}$", line)
            parts.append(line)
            if not m:
                return parts
            parts.append(self.read_exact(int(m.group(1))))
            line = self.read_line()

    def command(self, *pieces):
        """Sends a command made of pieces; a piece after a synchronising
        literal is sent once the server says '+'. Returns (tagged status
        line, [untagged response lines as part lists])."""
        self.tags += 1
        tag = b"h%d" % self.tags
        untagged = []
        self.sock.sendall(tag + b" " + pieces[0])
        for piece in pieces[1:]:
            line = self.read_line()
            if not line.startswith(b"+"):
                return line, untagged  # refused before the literal was wanted
            self.sock.sendall(piece)
        self.sock.sendall(b"\r\n")
        while True:
            parts = self.read_response_line()
            if parts[0].startswith(tag + b" "):
                return parts[0][len(tag) + 1:], untagged
            if parts[0].startswith(b"+"):
                self.sock.sendall(b"\r\n")  # a literal we sent with + semantics
                continue
            untagged.append(parts)

    def close(self):
        try:
            self.command(b"LOGOUT")
        finally:
            self.sock.close()


def deliver(raw, to):
    """Saves raw to alice's Sent and delivers it to the local recipients."""
    return send_raw(dovecot, ALICE, raw, to)


ASTRING = re.compile(rb'^"(?:[\x01-\x09\x0b\x0c\x0e-\x21\x23-\x5b\x5d-\x7f]|\\["\\])*"$')


def recipient_rows(untagged):
    """XRECALL RECIPIENT responses, checked against the grammar:
    '* XRECALL <uid> RECIPIENT <quoted string or literal> <STATE>'."""
    rows = {}
    for parts in untagged:
        head = parts[0]
        if not head.startswith(b"* XRECALL ") or b" RECIPIENT " not in head:
            continue
        if len(parts) == 3:  # "... RECIPIENT {n}", literal, " STATE"
            assert re.match(rb"^\* XRECALL \d+ RECIPIENT \{\d+\}$", head), head
            address, rest = parts[1], parts[2]
        else:
            assert len(parts) == 1, parts
            m = re.match(rb'^\* XRECALL \d+ RECIPIENT ("(?:[^"\\]|\\.)*")( .*)$', head)
            assert m, head
            assert ASTRING.match(m.group(1)), m.group(1)
            address = re.sub(rb'\\(["\\])', rb"\1", m.group(1)[1:-1])
            rest = m.group(2)
        assert re.match(rb"^ [A-Z]+$", rest), rest
        rows[address.decode("utf-8")] = rest.strip().decode()
    return rows


def assert_well_formed(test, raw, what):
    """RFC 5322: CRLF lines of at most 998 octets, no NUL, no bare CR or
    LF, no other control character; a header section with only the
    expected fields, once each; no line of the body made by an injected
    value (the hostile message tries Bcc:, X-Injected: and Reply-To:)."""
    test.assertNotIn(b"\0", raw, what)
    test.assertIsNone(re.search(rb"\r(?!\n)|(?<!\r)\n", raw), what)
    for line in raw.split(b"\r\n"):
        test.assertLessEqual(len(line), 998, what)
        test.assertIsNone(re.search(rb"[\x00-\x08\x0a-\x1f\x7f]", line), (what, line))
        test.assertIsNone(re.match(rb"\s*(Bcc|X-Injected|Reply-To):", line, re.I), (what, line))
    header, _, _ = raw.partition(b"\r\n\r\n")
    names = [line.split(b":", 1)[0].decode().lower()
             for line in header.split(b"\r\n") if line and line[:1] not in b" \t"]
    test.assertLessEqual(set(names), ALLOWED_HEADERS, what)
    test.assertEqual(len(names), len(set(names)), what)


def fetch_raw(user, mailbox, uid):
    conn = dovecot.imap(user)
    try:
        conn.select(mailbox, readonly=True)
        typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
        return data[0][1]
    finally:
        conn.logout()


class MalformedCommandTest(unittest.TestCase):
    def test_raw_xrecall_lines_get_bad_and_session_stays(self):
        mid, raw = make_message(ALICE, [BOB])
        uid = deliver(raw, [BOB])
        u = str(uid).encode()
        session = RawIMAP(ALICE)
        try:
            hostile = [
                (b"UID XRECALL {%d}\r\n" % len(u), u),          # literal, synchronising
                (b"UID XRECALL {%d+}\r\n" % len(u) + u,),        # literal, LITERAL+
                (b"UID XRECALL CHECK {%d}\r\n" % len(u), u),
                (b'UID XRECALL "%s"' % u,),                    # quoted string
                (b"UID XRECALL (%s)" % u,),                    # list
                (b"UID XRECALL NIL",),
                (b"UID XRECALL %s\xc3\xa9" % u,),              # UTF-8 letter
                (b"UID XRECALL \xff%s" % u,),                  # invalid UTF-8
                (b"UID XRECALL %s\x00" % u,),                  # NUL
                (b"UID XRECALL %s\x01" % u,),                  # control
                (b"UID XRECALL +%s" % u,),
                (b"UID XRECALL 0%s" % u,),
                (b"UID XRECALL " + b"9" * 10000,),             # a huge number
                (b"UID XRECALL %s:%s" % (u, u),),
                (b"UID XRECALL $",),                           # SEARCHRES
                (b"UID XRECALL CHECK CHECK %s" % u,),
                (b"UID XRECALL RECALL %s" % u,),
                (b"UID XRECALL %s %s" % (u, u),),
            ]
            for pieces in hostile:
                status, untagged = session.command(*pieces)
                self.assertTrue(status.startswith(b"BAD "), (pieces, status))
                self.assertFalse(any(p[0].startswith(b"* XRECALL") for p in untagged), pieces)
                status, _ = session.command(b"NOOP")
                self.assertTrue(status.startswith(b"OK"), (pieces, status))
            self.assertIn(mid, dovecot.message_ids(BOB), "nothing was recalled")
            # The same session still recalls.
            status, untagged = session.command(b"UID XRECALL CHECK " + u)
            self.assertTrue(status.startswith(b"OK"), status)
            self.assertEqual({BOB: "RECALLABLE"}, recipient_rows(untagged))
        finally:
            session.close()


class InjectionTest(unittest.TestCase):
    def recall(self, uid):
        session = RawIMAP(ALICE)
        try:
            check, check_rows = session.command(b"UID XRECALL CHECK %d" % uid)
            status, untagged = session.command(b"UID XRECALL %d" % uid)
            return check, recipient_rows(check_rows), status, recipient_rows(untagged)
        finally:
            session.close()

    def assert_notice_and_report(self, mid, recipients):
        for user in recipients:
            notices = find(dovecot.messages(user), "X-Recall-Of", mid[:900])
            self.assertEqual(1, len(notices), user)
            assert_well_formed(self, fetch_raw(user, "INBOX", notices[0][0]), user)
            self.assertNotIn(mid, dovecot.message_ids(user))
        reports = find(dovecot.messages(ALICE), "In-Reply-To", mid[:900])
        self.assertEqual(1, len(reports))
        assert_well_formed(self, fetch_raw(ALICE, "INBOX", reports[0][0]), "report")

    def test_hostile_headers_make_well_formed_notices_and_responses(self):
        evil_subject = (b"Q3 \x00nul \x01\x07\x1b[31m \x7f del \xff\xfe bad-utf8 "
                        b"=?utf-8?b?DQpCY2M6IHZpY3RpbUBldmlsLmV4YW1wbGUNCgA=?= "
                        b"=?utf-8?q?=0D=0AX-Injected=3A_yes?= " + b"long " * 2500)
        self.assertGreater(len(evil_subject), 10000)
        mid = b"<hostile.%d@example.com>" % id(self)
        to = (b'=?utf-8?q?Bob=0D=0ABcc=3A_x=40evil=2Eexample?= <bob@example.com>, '
              b'"Carol \\"the\\" \x01boss" <carol@example.com>, '
              b'"quo\\"te\\\\back slash"@remote.example, '
              b'\xc3\xa9t\xc3\xa9@remote.example, \xff\xfe@remote.example')
        raw = (b"From: =?utf-8?q?Alice=0D=0AReply-To=3A_x=40evil?= <alice@example.com>\r\n"
               b"To: " + to + b"\r\n"
               b"Subject: " + evil_subject + b"\r\n"
               b"Message-ID: " + mid + b"\r\n"
               b"\r\nbody\r\n")
        uid = deliver(raw, [BOB, CAROL])
        check, check_rows, status, rows = self.recall(uid)
        self.assertTrue(check.startswith(b"OK"), check)
        self.assertTrue(status.startswith(b"OK [RECALL-COMPLETE]"), status)
        for table in (check_rows, rows):
            self.assertEqual({"EXTERNAL"}, {s for a, s in table.items() if a not in (BOB, CAROL)})
            self.assertIn('quo"te\\back slash@remote.example', table)
            self.assertIn("été@remote.example", table)
            self.assertEqual(5, len(table), table)
        self.assertEqual("RECALLED", rows[BOB])
        self.assertEqual("RECALLED", rows[CAROL])
        self.assert_notice_and_report(mid.decode(), [BOB, CAROL])

    def test_very_long_message_id(self):
        mid = "<%s@example.com>" % ("x" * 10500)
        raw = ("From: alice@example.com\r\nTo: bob@example.com\r\nSubject: long id\r\n"
               "Message-ID: %s\r\n\r\nbody\r\n" % mid).encode()
        uid = deliver(raw, [BOB])
        check, check_rows, status, rows = self.recall(uid)
        self.assertTrue(status.startswith(b"OK [RECALL-COMPLETE]"), status)
        self.assertEqual({BOB: "RECALLED"}, rows)
        self.assert_notice_and_report(mid, [BOB])


if __name__ == "__main__":
    unittest.main()
