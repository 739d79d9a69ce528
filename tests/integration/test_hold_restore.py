"""recall_hold and doveadm recall restore (issue 15 point 1): a recalled
copy waits in a hold that no protocol reaches, comes back where it was
with its flags and GUID, can be recalled again, and prune purges a hold
that has passed. Crash-safe: kill -9 mid-way, rerun, each copy once."""

import glob
import os
import signal
import sqlite3
import subprocess
import time
import unittest

from harness import Dovecot, find, mail_location_conf, parse_rows, quota_conf, send, sent_xrecall

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
SHORT = "short@example.com"  # a sender whose hold is 2 seconds
NOHOLD = "nohold@example.com"
CREW = ["hold%03d@example.com" % i for i in range(150)]


def open_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def rows_of(result):
    """{recipient: state} and the result of a doveadm table."""
    lines = [line.split() for line in result.stdout.split("\n")[1:] if line.strip()]
    return {row[0]: row[1] for row in lines}, {row[2] for row in lines}


class HoldTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        users = {user: "" for user in CREW}
        users[SHORT] = "userdb_recall_hold=2s"
        users[NOHOLD] = "userdb_recall_hold=0"
        cls.d = Dovecot(users=users, plugin_settings={"recall_hold": "7 days"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def maildir(self, user):
        return os.path.join(self.d.dir, "home", user, "Maildir")

    def hold_files(self, user, mid=None):
        """The message files in the user's hold (those of mid, if given)."""
        files = glob.glob(os.path.join(self.maildir(user), ".dovecot-recall-hold*", "*", "*"))
        return [p for p in files if mid is None or mid.encode() in open_bytes(p)]

    def guid(self, user, mailbox, mid):
        r = self.d.doveadm("fetch", "-u", user, "guid", "mailbox", mailbox, "header",
                           "Message-ID", mid)
        return r.stdout.split()[1] if r.stdout.strip() else None

    def restore(self, sender, mid):
        return self.d.doveadm("recall", "restore", "-u", sender, mid)

    def test_held_copy_is_out_of_reach_and_comes_back(self):
        d = self.d
        mid, sent_uid = send(d, ALICE, [BOB, CAROL])
        # Bob files his copy and flags it: it must come back just so.
        conn = d.imap(BOB)
        conn.create("Projects")
        conn.select("INBOX")
        typ, data = conn.uid("SEARCH", None, "HEADER", "Message-ID", mid)
        uid = data[0].decode().split()[0]
        conn.uid("STORE", uid, "+FLAGS", r"(\Flagged $Important)")
        self.assertEqual("OK", conn.uid("MOVE", uid, "Projects")[0])
        conn.logout()
        guid = self.guid(BOB, "Projects", mid)

        r = d.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(({BOB: "RECALLED", CAROL: "RECALLED"}, {"COMPLETE"}), rows_of(r))
        self.assertNotIn(mid, d.message_ids(BOB, "Projects"))
        self.assertNotIn(mid, d.message_ids(CAROL))
        self.assertEqual(1, len(find(d.messages(BOB), "X-Recall-Of", mid)))
        self.assertEqual(1, len(self.hold_files(BOB)), "the copy waits in the hold")

        self.assert_out_of_reach(BOB)

        r = self.restore(ALICE, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(({BOB: "RESTORED", CAROL: "RESTORED"}, {"COMPLETE"}), rows_of(r))
        back = find(d.messages(BOB, "Projects"), "Message-ID", mid)
        self.assertEqual(1, len(back))
        self.assertIn(r"\Flagged", back[0][1])
        self.assertIn("$Important", back[0][1])
        self.assertEqual(guid, self.guid(BOB, "Projects", mid))
        self.assertEqual([], find(d.messages(BOB), "X-Recall-Of", mid), "the notice is gone")
        self.assertEqual(1, len(find(d.messages(CAROL), "Message-ID", mid)))
        self.assertEqual([], self.hold_files(BOB))
        sent = [m for m in d.messages(ALICE, "Sent") if m[0] == sent_uid][0]
        self.assertNotIn("$Recalled", sent[1])

        # Again: nothing comes back twice.
        r = self.restore(ALICE, mid)
        self.assertEqual(({BOB: "RESTORED", CAROL: "RESTORED"}, {"COMPLETE"}), rows_of(r))
        self.assertEqual(1, len(find(d.messages(BOB, "Projects"), "Message-ID", mid)))

        # A restored copy can be recalled again, inside the window.
        r = d.doveadm("recall", "run", "-u", ALICE, mid)
        self.assertEqual(({BOB: "RECALLED", CAROL: "RECALLED"}, {"COMPLETE"}), rows_of(r))
        self.assertEqual([], find(d.messages(BOB, "Projects"), "Message-ID", mid))
        self.assertEqual(1, len(find(d.messages(BOB), "X-Recall-Of", mid)))
        r = self.restore(ALICE, mid)
        self.assertEqual({"COMPLETE"}, rows_of(r)[1])
        self.assertEqual(1, len(find(d.messages(BOB, "Projects"), "Message-ID", mid)))

    def assert_out_of_reach(self, user):
        d = self.d
        names = [os.path.basename(p)[1:] for p in
                 glob.glob(os.path.join(self.maildir(user), ".dovecot-recall-hold*"))]
        self.assertTrue(names)
        held = names[0].replace(".", "/")
        conn = d.imap(user)
        try:
            typ, listed = conn.list('""', "*")
            self.assertNotIn(b"recall-hold", b"".join(listed))
            typ, subscribed = conn.lsub('""', "*")
            self.assertNotIn(b"recall-hold", b"".join(x for x in subscribed if x))
            for name in ("dovecot-recall-hold", held):
                self.assertEqual("NO", conn.select('"%s"' % name)[0], name)
                self.assertEqual("NO", conn.select('"%s"' % name, readonly=True)[0], name)
                self.assertEqual("NO", conn.subscribe('"%s"' % name)[0], name)
                self.assertEqual("NO", conn.status('"%s"' % name, "(MESSAGES)")[0], name)
                self.assertEqual("NO", conn.delete('"%s"' % name)[0], name)
            self.assertEqual("NO", conn.create('"dovecot-recall-hold/mine"')[0])
            conn.create("Spare")
            self.assertEqual("NO", conn.rename("Spare", '"dovecot-recall-hold/x"')[0])
            self.assertEqual("NO", conn.rename('"%s"' % held, "Mine")[0])
            self.assertEqual("NO", conn.append('"%s"' % held, None, None, b"Subject: x\r\n\r\nx\r\n")[0])
        finally:
            conn.logout()
        listed = d.doveadm("mailbox", "list", "-u", user).stdout
        self.assertNotIn("recall-hold", listed)
        self.assertNotIn("recall-hold", d.doveadm("mailbox", "status", "-u", user, "messages", "*").stdout)
        # POP3 shows INBOX only; its count is INBOX's.
        pop = d.pop3(user)
        try:
            self.assertEqual(len(d.messages(user)), pop.stat()[0])
        finally:
            pop.quit()

    def test_restore_cut_short_after_its_copy_is_finished_once(self):
        """A restore killed after its copy back but before the hold's
        expunge: the rerun sees the copy back and copies nothing twice."""
        d = self.d
        mid, _ = send(d, ALICE, [BOB])
        guid = self.guid(BOB, "INBOX", mid)
        self.assertEqual("COMPLETE", rows_of(d.doveadm("recall", "run", "-u", ALICE, mid))[1].pop())
        held = self.hold_files(BOB, mid)
        self.assertEqual(1, len(held))
        # What the copy back leaves: a hard link named by the GUID, as
        # maildir's copy makes it.
        os.link(held[0], os.path.join(self.maildir(BOB), "new", guid))
        self.assertEqual(guid, self.guid(BOB, "INBOX", mid))
        self.assertEqual(1, len(find(d.messages(BOB), "Message-ID", mid)))
        self.assertEqual(({BOB: "RESTORED"}, {"COMPLETE"}), rows_of(self.restore(ALICE, mid)))
        self.assertEqual(1, len(find(d.messages(BOB), "Message-ID", mid)))
        self.assertEqual([], self.hold_files(BOB, mid))

    def test_webmail_recall_restored_over_http(self):
        d = self.d
        mid, uid = send(d, ALICE, [BOB])
        typ, text, lines = sent_xrecall(d, ALICE, uid)
        self.assertIn("[RECALL-COMPLETE]", text)
        self.assertEqual(1, len(self.hold_files(BOB, mid)))
        reply = d.doveadm_http("recallRestore", {"user": ALICE, "messageId": mid})
        self.assertEqual("doveadmResponse", reply[0][0], reply)
        self.assertEqual([{"recipient": BOB, "state": "RESTORED", "result": "COMPLETE"}],
                         reply[0][1])
        self.assertIn(mid, d.message_ids(BOB))
        # The sender's webmail sees the copy as recallable again.
        rows, result = parse_rows(sent_xrecall(d, ALICE, uid, "CHECK")[2])
        self.assertEqual({BOB: "RECALLABLE"}, rows)

    def test_restore_needs_no_notice_template(self):
        """A restore writes no message: a notice template that went bad
        after the recall keeps no held copy away."""
        d = self.d
        sender = "templated@example.com"
        d.set_user(sender)
        mid, _ = send(d, sender, [BOB])
        self.assertEqual(({BOB: "RECALLED"}, {"COMPLETE"}),
                         rows_of(d.doveadm("recall", "run", "-u", sender, mid)))
        d.set_user(sender, "userdb_recall_notice_template=/nonexistent/notice")
        r = self.restore(sender, mid)
        self.assertEqual(({BOB: "RESTORED"}, {"COMPLETE"}), rows_of(r), r.stderr)
        self.assertIn(mid, d.message_ids(BOB))

    def test_without_hold_the_copy_is_expunged(self):
        d = self.d
        mid, _ = send(d, NOHOLD, [BOB])
        r = d.doveadm("recall", "run", "-u", NOHOLD, mid)
        self.assertEqual(({BOB: "RECALLED"}, {"COMPLETE"}), rows_of(r))
        self.assertEqual([], self.hold_files(BOB, mid))
        r = self.restore(NOHOLD, mid)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertEqual(({BOB: "RECALLED"}, {"FAILURE"}), rows_of(r))
        self.assertNotIn(mid, d.message_ids(BOB))

    def test_restore_refuses_an_unknown_message(self):
        r = self.restore(ALICE, "<never-sent@example.com>")
        self.assertNotEqual(0, r.returncode)
        self.assertIn("RECALL-NOT-SENT", r.stderr)

    def test_passed_hold_is_not_restored_and_prune_purges_it(self):
        d = self.d
        mid, _ = send(d, SHORT, [CAROL])
        self.assertEqual(({CAROL: "RECALLED"}, {"COMPLETE"}),
                         rows_of(d.doveadm("recall", "run", "-u", SHORT, mid)))
        held = self.hold_files(CAROL, mid)
        self.assertEqual(1, len(held))
        time.sleep(2.5)
        self.assertEqual(({CAROL: "RECALLED"}, {"FAILURE"}), rows_of(self.restore(SHORT, mid)))
        r, counts = d.prune()
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertGreaterEqual(counts["purged"], 1)
        self.assertFalse(os.path.exists(held[0]))
        self.assertNotIn(mid, d.message_ids(CAROL))

    def test_late_copy_goes_to_the_hold_and_is_restored(self):
        d = self.d
        # Carol's copy is deferred by the MTA; Bob's is delivered.
        mid, sent_uid = send(d, ALICE, [BOB, CAROL], deliver_to=[BOB])
        self.assertEqual("COMPLETE", rows_of(d.doveadm("recall", "run", "-u", ALICE, mid))[1].pop())
        replies = d.lmtp_deliver(ALICE, [CAROL], d.message_raw(ALICE, "Sent", sent_uid))
        self.assertEqual(250, replies[CAROL][0])
        d.wait_for_log("recalled on arrival")
        self.assertNotIn(mid, d.message_ids(CAROL))
        self.assertEqual(({BOB: "RESTORED", CAROL: "RESTORED"}, {"COMPLETE"}),
                         rows_of(self.restore(ALICE, mid)))
        self.assertEqual(1, len(find(d.messages(CAROL), "Message-ID", mid)))
        self.assertEqual([], find(d.messages(CAROL), "X-Recall-Of", mid))


QUOTA = quota_conf("count:User quota", ("imap", "lmtp"))


class HoldQuotaTest(unittest.TestCase):
    """The hold is not charged to the recipient (quota count), and the
    move into it is not refused by the recipient's quota."""

    def test_held_copy_is_not_charged(self):
        tight = "tight@example.com"
        d = Dovecot(users={tight: "userdb_quota_rule=*:storage=20K"},
                    plugin_settings={"recall_hold": "1 day"}, extra_conf=QUOTA).start()
        try:
            mid, _ = send(d, ALICE, [tight], body="x" * 12000 + "\n")
            self.assertGreater(self.used_kb(d, tight), 10)
            r = d.doveadm("recall", "run", "-u", ALICE, mid)
            self.assertEqual(({tight: "RECALLED"}, {"COMPLETE"}), rows_of(r), r.stderr)
            self.assertLess(self.used_kb(d, tight), 5, "the held copy is not charged")
            r = d.doveadm("recall", "restore", "-u", ALICE, mid)
            self.assertEqual(({tight: "RESTORED"}, {"COMPLETE"}), rows_of(r), r.stderr)
            self.assertGreater(self.used_kb(d, tight), 10)
        finally:
            d.stop()

    def used_kb(self, d, user):
        r = d.doveadm("quota", "get", "-u", user)
        for line in r.stdout.splitlines():
            if "STORAGE" in line:
                return int(line.split()[3])
        self.fail(r.stdout + r.stderr)


class HoldFormatsTest(unittest.TestCase):
    """The hold through Dovecot's storage API only: the same on sdbox and
    mdbox as on maildir."""

    def test_sdbox_and_mdbox(self):
        for fmt in ("sdbox", "mdbox"):
            with self.subTest(fmt):
                d = Dovecot(plugin_settings={"recall_hold": "1 day"},
                            extra_conf=mail_location_conf(fmt, "~/mail")).start()
                try:
                    self.hold_and_restore(d)
                    home = os.path.join(d.dir, "home", BOB, "mail")
                    self.assertTrue(glob.glob(home + ("/storage/m.*" if fmt == "mdbox" else
                                                      "/mailboxes/INBOX/dbox-Mails/u.*")))
                finally:
                    d.stop()

    def hold_and_restore(self, d):
        mid, _ = send(d, ALICE, [BOB])
        conn = d.imap(BOB)
        conn.select("INBOX")
        uid = conn.uid("SEARCH", None, "HEADER", "Message-ID", mid)[1][0].decode()
        conn.uid("STORE", uid, "+FLAGS", r"(\Flagged $Important)")
        conn.logout()
        guid = d.doveadm("fetch", "-u", BOB, "guid", "mailbox", "INBOX", "header",
                         "Message-ID", mid).stdout.split()[1]
        self.assertEqual(({BOB: "RECALLED"}, {"COMPLETE"}),
                         rows_of(d.doveadm("recall", "run", "-u", ALICE, mid)))
        self.assertNotIn(mid, d.message_ids(BOB))
        self.assertNotIn("recall-hold", d.doveadm("mailbox", "list", "-u", BOB).stdout)
        conn = d.imap(BOB)
        self.assertNotIn(b"recall-hold", b"".join(conn.list('""', "*")[1]))
        conn.logout()
        self.assertEqual(({BOB: "RESTORED"}, {"COMPLETE"}),
                         rows_of(d.doveadm("recall", "restore", "-u", ALICE, mid)))
        back = find(d.messages(BOB), "Message-ID", mid)
        self.assertEqual(1, len(back))
        self.assertIn(r"\Flagged", back[0][1])
        self.assertIn("$Important", back[0][1])
        self.assertNotIn("$RecallRestoring", back[0][1])
        self.assertEqual([], find(d.messages(BOB), "X-Recall-Of", mid))
        r = d.doveadm("fetch", "-u", BOB, "guid", "mailbox", "INBOX", "header", "Message-ID", mid)
        self.assertEqual(guid, r.stdout.split()[1])


class HoldCrashTest(unittest.TestCase):
    """kill -9 of doveadm in the middle of a held recall, then of a
    restore: each rerun finishes, and every copy is there exactly once."""

    def setUp(self):
        self.d = Dovecot(users={user: "" for user in CREW},
                         plugin_settings={"recall_hold": "1 day"}).start()

    def tearDown(self):
        self.d.stop()

    def progress(self, mid, word):
        db = sqlite3.connect(os.path.join(self.d.ledger_dir, "ledger.db"))
        try:
            rows = db.execute("select record from recall_delivery").fetchall()
        finally:
            db.close()
        return sum(("progress=" + word) in record and mid in record for (record,) in rows)

    def killed(self, args, mid, word):
        proc = subprocess.Popen(["doveadm", "-c", self.d.conf] + args,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while self.progress(mid, word) < 20 and time.time() < deadline:
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        done = self.progress(mid, word)
        self.assertGreaterEqual(done, 20)
        self.assertLess(done, len(CREW), "killed too late to test anything")

    def rerun(self, command, mid, done):
        """Runs the command again until every row says done: once, and once
        more after the lock that the killed process held is gone (the
        recipient whose mailbox it had locked fails alone meanwhile)."""
        for attempt in range(2):
            r = self.d.doveadm("recall", command, "-u", ALICE, mid)
            self.assertEqual(0, r.returncode, r.stderr)
            states, result = rows_of(r)
            left = {user: state for user, state in states.items() if state != done}
            if not left:
                return result
            self.assertEqual({"FAILED"}, set(left.values()), r.stderr)
            self.assertLessEqual(len(left), 1, "only the mailbox locked at the kill fails")
            self.d.remove_stale_uidlist_locks(CREW)
        self.fail("%s did not complete: %s" % (command, left))

    def test_kill_mid_recall_and_mid_restore(self):
        d = self.d
        mid, _ = send(d, ALICE, CREW)
        self.killed(["recall", "run", "-u", ALICE, mid], mid, "recalled")
        self.assertEqual({"COMPLETE"}, self.rerun("run", mid, "RECALLED"))
        for user in CREW:
            self.assertEqual([], find(d.messages(user), "Message-ID", mid), user)
        self.killed(["recall", "restore", "-u", ALICE, mid], mid, "restored")
        self.assertEqual({"COMPLETE"}, self.rerun("restore", mid, "RESTORED"))
        for user in CREW:
            messages = d.messages(user)
            self.assertEqual(1, len(find(messages, "Message-ID", mid)), user)
            self.assertEqual([], find(messages, "X-Recall-Of", mid), user)
            self.assertNotIn("$RecallRestoring", find(messages, "Message-ID", mid)[0][1], user)

if __name__ == "__main__":
    unittest.main()
