"""Every copy of the recorded message, one row per recipient, the sender's
window deciding, and a recipient that cannot take part failing alone
(issue 11, points 3-6 and 9)."""

import os
import pwd
import shutil
import subprocess
import sys
import threading
import time
import unittest

from harness import (PASSWORD, Dovecot, mail_format_fields, make_message, parse_rows, quota_conf,
                     send, send_raw, sent_xrecall)

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
SHORTWIN = "shortwin@example.com"   # a recipient whose own window is 2 s
SDBOX, MDBOX = "sdbox@example.com", "mdbox@example.com"  # mail in those formats
FULL = "full@example.com"           # a recipient with a 30 KB quota

QUOTA = quota_conf("maildir:User quota")

dovecot = None


def setUpModule():
    global dovecot
    dovecot = Dovecot(users={
        SHORTWIN: "userdb_recall_window=2s userdb_recall_retention=1s",
        FULL: "userdb_quota_rule=*:storage=30K",
        SDBOX: mail_format_fields("sdbox"),
        MDBOX: mail_format_fields("mdbox"),
    }, extra_conf=QUOTA).start()


def tearDownModule():
    dovecot.stop()


def notices(user, mid):
    return [m for m in dovecot.messages(user) if m[2]["X-Recall-Of"] == mid]


def everywhere(user, mid):
    """(folder, uid) of every message with this Message-ID in user's folders."""
    found = []
    for box in ("INBOX", "Archive", "Sent", "Trash"):
        try:
            found += [(box, uid) for uid, _, h in dovecot.messages(user, box)
                      if h["Message-ID"] == mid]
        except AssertionError:  # no such folder
            pass
    return found


def file_and_copy(user, mid):
    """In webmail: the copy moved from INBOX to Archive, then copied to Trash."""
    conn = dovecot.imap(user)
    try:
        for box in ("Archive", "Trash"):
            conn.create(box)
        conn.select("INBOX")
        typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", mid)
        assert conn.uid("MOVE", data[0].split()[-1], "Archive")[0] == "OK"
        conn.select("Archive")
        typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", mid)
        assert conn.uid("COPY", data[0].split()[-1], "Trash")[0] == "OK"
    finally:
        conn.logout()


class EveryCopyTest(unittest.TestCase):
    def test_imap_copy_to_another_folder_is_recalled_too(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        conn = dovecot.imap(BOB)
        try:
            conn.create("Archive")
            conn.select("INBOX")
            typ, data = conn.uid("SEARCH", "HEADER", "Message-ID", mid)
            typ, _ = conn.uid("COPY", data[0].split()[-1], "Archive")
            self.assertEqual("OK", typ)
        finally:
            conn.logout()
        self.assertEqual(2, len(everywhere(BOB, mid)))
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({BOB: "RECALLED"}, parse_rows(lines)[0])
        self.assertEqual([], everywhere(BOB, mid))
        self.assertEqual(1, len(notices(BOB, mid)))

    def test_downloaded_copy_filed_and_copied_stays_fetched(self):
        """Rule 5's mark goes with the copy (it lives in the copy's own
        index record): downloaded by POP3, then moved and copied in
        webmail, which marks nothing itself; in each mail format."""
        for user in (BOB, SDBOX, MDBOX):
            with self.subTest(user=user):
                mid, uid = send(dovecot, ALICE, [user, CAROL])
                dovecot.pop3_retr_newest(user)
                file_and_copy(user, mid)
                self.assertEqual(["Archive", "Trash"], [box for box, _ in everywhere(user, mid)])
                typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
                self.assertEqual({user: "FETCHED", CAROL: "RECALLED"}, parse_rows(lines)[0],
                                 text)
                self.assertEqual(["Archive", "Trash"], [box for box, _ in everywhere(user, mid)])

    @unittest.skipUnless(shutil.which("gdb"), "needs gdb (tools/setup installs it)")
    def test_copy_made_while_the_recall_runs_is_found_after_its_expunge(self):
        """Never RECALLED while an instance survives: a COPY made between
        the recall's search and its expunge (doveadm recall run held at the
        expunge by gdb, the COPY made over IMAP meanwhile) is found by the
        search after the expunge, which looks again at what arrived since."""
        mid, uid = send(dovecot, ALICE, [BOB])
        conn = dovecot.imap(BOB)
        try:
            conn.create("Archive")
        finally:
            conn.logout()
        copy = ("import imaplib; c = imaplib.IMAP4('127.0.0.1', %d); c.login(%r, %r); "
                "c.select('INBOX'); u = c.uid('SEARCH', 'HEADER', 'Message-ID', %r)[1][0]; "
                "print('copy', c.uid('COPY', u, 'Archive')[0]); c.logout()" %
                (dovecot.ports["imap"], BOB, PASSWORD, mid))
        r = subprocess.run(
            ["gdb", "-batch", "-ex", "set breakpoint pending on",
             "-ex", "break recall_copy_instances_expunge", "-ex", "run",
             "-ex", "shell %s -c \"%s\"" % (sys.executable, copy), "-ex", "continue",
             "--args", "doveadm", "-c", dovecot.conf, "-f", "tab", "recall", "run", "-u", ALICE,
             mid], capture_output=True, text=True, timeout=120)
        self.assertIn("copy OK", r.stdout, r.stderr)
        self.assertIn("%s\tFAILED\t" % BOB, r.stdout, r.stderr)
        self.assertEqual(["Archive"], [box for box, _ in everywhere(BOB, mid)])
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertEqual({BOB: "RECALLED"}, parse_rows(lines)[0], text)
        self.assertEqual([], everywhere(BOB, mid))

    def test_several_rcpts_to_one_user_in_one_transaction(self):
        mid, raw = make_message(ALICE, [BOB, "bob+x@example.com", "Bob@example.com"])
        uid = send_raw(dovecot, ALICE, raw, [BOB, "bob+x@example.com", "Bob@example.com"])
        self.assertEqual(3, len(everywhere(BOB, mid)))
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual([], everywhere(BOB, mid))
        self.assertEqual(1, len(notices(BOB, mid)))

    def test_two_tracked_copies_make_one_row(self):
        # The same message submitted twice: two deliveries, two records.
        mid, raw = make_message(ALICE, [BOB, CAROL])
        uid = send_raw(dovecot, ALICE, raw, [BOB, CAROL])
        dovecot.lmtp_deliver(ALICE, [BOB], raw)
        self.assertEqual(2, len(everywhere(BOB, mid)))
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid, "CHECK")
        self.assertEqual(2, len([l for l in lines if " RECIPIENT " in l]), lines)
        self.assertEqual("2", parse_rows(lines)[1]["INTERNAL"])
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        rows, result = parse_rows(lines)
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, rows)
        self.assertEqual(("2", "2"), (result["INTERNAL"], result["RECALLED"]))
        self.assertEqual([], everywhere(BOB, mid))
        self.assertEqual(1, len(notices(BOB, mid)))


class SendersWindowTest(unittest.TestCase):
    def test_download_after_the_recipients_shorter_window_is_fetched(self):
        mid, uid = send(dovecot, ALICE, [SHORTWIN, CAROL])
        time.sleep(3.5)  # past shortwin's own window and retention, inside alice's
        dovecot.pop3_retr_newest(SHORTWIN)  # marked before RETR's answer
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        rows, result = parse_rows(lines)
        self.assertEqual({SHORTWIN: "FETCHED", CAROL: "RECALLED"}, rows, text)
        self.assertIn(mid, dovecot.message_ids(SHORTWIN))


class OverQuotaTest(unittest.TestCase):
    def fill(self, user, kbytes):
        """Mail put into the maildir behind Dovecot's back, then counted."""
        nobody = pwd.getpwnam("nobody")
        cur = os.path.join(dovecot.dir, "home", user, "Maildir", "cur")
        path = os.path.join(cur, "%d.filler.host:2," % time.time_ns())
        with open(path, "w") as f:
            f.write("Subject: filler\n\n" + "x" * (kbytes * 1024) + "\n")
        os.chown(path, nobody.pw_uid, nobody.pw_gid)
        r = dovecot.doveadm("quota", "recalc", "-u", user)
        self.assertEqual(0, r.returncode, r.stderr)

    def test_notice_reaches_a_recipient_over_quota(self):
        # Through doveadm, the protocol QUOTA loads quota for.
        mid, uid = send(dovecot, ALICE, [FULL, CAROL])
        self.fill(FULL, 60)  # twice the quota
        r = dovecot.doveadm("quota", "get", "-u", FULL)
        self.assertIn("STORAGE", r.stdout)
        used, limit = [int(x) for x in r.stdout.splitlines()[1].split()[3:5]]
        self.assertGreater(used, limit, r.stdout)
        r = dovecot.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("COMPLETE", r.stdout, r.stderr)
        self.assertNotIn(mid, dovecot.message_ids(FULL))
        self.assertEqual(1, len(notices(FULL, mid)))


class LockedMailboxTest(unittest.TestCase):
    def test_a_locked_recipient_fails_alone_then_completes(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        lock = os.path.join(dovecot.dir, "home", BOB, "Maildir", "dovecot-uidlist.lock")
        with open(lock, "w") as f:
            f.write("")
        try:
            started = time.time()
            typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
            took = time.time() - started
        finally:
            os.unlink(lock)
        self.assertLess(took, 15, "the locked mailbox held the recall")
        self.assertEqual({BOB: "FAILED", CAROL: "RECALLED"}, parse_rows(lines)[0], text)
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        typ, text, lines = sent_xrecall(dovecot, ALICE, uid)
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, parse_rows(lines)[0], text)
        self.assertNotIn(mid, dovecot.message_ids(BOB))
        self.assertEqual(1, len(notices(BOB, mid)))


if __name__ == "__main__":
    unittest.main()
