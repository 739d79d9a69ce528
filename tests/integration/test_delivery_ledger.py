"""Deliveries and the ledger: LMTP and dovecot-lda, every dict backend,
an unreachable ledger, malformed settings (SPEC rules 12-13, sections 6-7)."""

import contextlib
import os
import signal
import time
import unittest

from harness import (DOVECOT_24, Dovecot, dovecot_23_only, eventually, find,
                     in_memory_index_fields, make_message, message_text, parse_rows, send,
                     sent_xrecall, xrecall)

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
NO_LEDGER = "proxy:/nonexistent/dict-socket:recall"


def recall_via_imap(dovecot, sender, uid):
    conn = dovecot.imap(sender)
    try:
        conn.select("Sent")
        return xrecall(conn, str(uid))
    finally:
        conn.logout()


class BackendTest(unittest.TestCase):
    """The same recall on each dict backend of SPEC section 7."""

    def recall_on(self, ledger):
        dovecot = Dovecot(ledger=ledger).start()
        try:
            mid, uid = send(dovecot, ALICE, [BOB, CAROL])
            typ, text, lines = recall_via_imap(dovecot, ALICE, uid)
            self.assertTrue(text.startswith("[RECALL-COMPLETE]"), (ledger, text))
            self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, parse_rows(lines)[0])
            self.assertNotIn(mid, dovecot.message_ids(BOB))
            r = dovecot.doveadm("recall", "run", "-u", ALICE, mid)
            self.assertEqual(0, r.returncode, r.stderr)
            self.assertEqual(1, len(find(dovecot.messages(CAROL), "X-Recall-Of", mid)))
            self.assertEqual(0, dovecot.doveadm("recall", "prune").returncode)
            self.not_sent_on(dovecot, ledger)
        finally:
            dovecot.stop()

    def not_sent_on(self, dovecot, ledger):
        """A message with no tracked delivery (its ledger directory never
        existed, on fs) is NOT-SENT through IMAP and doveadm, and nothing
        crashes."""
        mid, uid = send(dovecot, ALICE, [BOB], deliver_to=[])
        typ, text, _ = recall_via_imap(dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-NOT-SENT]"), (ledger, text))
        for command in ("check", "run"):
            r = dovecot.doveadm("recall", command, "-u", ALICE, mid)
            self.assertEqual(68, r.returncode, (ledger, command, r.stderr))
        self.assertNotIn("Fatal", dovecot.log_text(), ledger)
        self.assertNotIn("signal", dovecot.log_text(), ledger)

    def test_sqlite_behind_dict_proxy(self):
        self.recall_on("sqlite")

    @dovecot_23_only("2.4 has no dict URIs, and its ledger is the dict server's SQL dict")
    def test_fs_posix(self):
        self.recall_on("fs")

    @dovecot_23_only("2.4 has no dict URIs, and its ledger is the dict server's SQL dict")
    def test_file(self):
        self.recall_on("file")


class DeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        d = cls.dovecot = Dovecot()
        notice, report, broken = (d.dir + "/" + name for name in ("avis", "rapport", "broken"))
        with open(notice, "w") as f:
            f.write("Subject: Rappel : ${subject}\n\nVotre message de ${sender} a été rappelé.\n"
                    "${correction}\n")
        with open(report, "w") as f:
            f.write("Subject: Rappel ${result}\n\nDestinataires :\n${recipients}\n")
        with open(broken, "w") as f:
            f.write("no subject line here\n")
        with open(d.dir + "/moody", "w") as f:
            f.write("Subject: Note: ${subject}\n\nRecalled.\n${correction}\n")
        d.users.update({
            "french@example.com": "userdb_recall_notice_template=%s "
                                  "userdb_recall_report_template=%s" % (notice, report),
            "badtemplate@example.com": "userdb_recall_notice_template=" + broken,
            "moody@example.com": "userdb_recall_notice_template=" + d.dir + "/moody",
        })
        d.users.update({
            "noledger@example.com": "userdb_recall_dict=" + NO_LEDGER,
            "badwindow@example.com": "userdb_recall_window=soon",
            "badaccount@example.com": "userdb_recall_account=gold",
            "badnotify@example.com": "userdb_recall_notify_recipients=maybe",
            "badnet@example.com": "userdb_recall_webmail_networks=127.0.0.1/99",
            "badretention@example.com": "userdb_recall_retention=forever",
            "badread@example.com": "userdb_recall_read_messages=maybe",
            "badreport@example.com": "userdb_recall_report=sometimes",
            "badurl@example.com": "userdb_recall_upgrade_url=https://x/\x01y",
            "badaddress@example.com": "userdb_recall_address=a\x01b@example.com",
            "badorg@example.com": "userdb_recall_org=org\x01",
            "badhost@example.com": "userdb_recall_host=backend",
            "badbackends@example.com": "userdb_recall_backends=10.0.0.2:8080,backend",
            "baddict@example.com": "userdb_recall_dict=nosuchdriver:x",
            "leaving@example.com": "",
        })
        d.start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()

    def test_dovecot_lda_deliveries_are_tracked(self):
        d = self.dovecot
        mid, raw = make_message(ALICE, [BOB])
        conn = d.imap(ALICE)
        typ, data = conn.append("Sent", None, None, raw)
        uid = int(data[0].decode().split("APPENDUID ")[1].split()[1].rstrip("]"))
        conn.logout()
        r = d.lda_deliver(ALICE, BOB, raw)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn(mid, d.message_ids(BOB))
        typ, text, lines = recall_via_imap(d, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertNotIn(mid, d.message_ids(BOB))

    def test_envelope_sender_decides_not_headers(self):
        # Mallory forges From and Return-Path of Alice; the envelope is hers.
        d = self.dovecot
        mid, raw = make_message(ALICE, [BOB], extra_headers=[("Return-Path", "<%s>" % ALICE)])
        conn = d.imap(ALICE)
        typ, data = conn.append("Sent", None, None, raw)
        uid = int(data[0].decode().split("APPENDUID ")[1].split()[1].rstrip("]"))
        conn.logout()
        d.lmtp_deliver("mallory@example.com", [BOB], raw)
        typ, text, _ = recall_via_imap(d, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-NOT-SENT]"), text)
        self.assertIn(mid, d.message_ids(BOB))

    @dovecot_23_only("recall_dict per user; 2.4's ledger is the server's recall { dict }")
    def test_ledger_unreachable(self):
        d = self.dovecot
        # Recipient side: delivery succeeds at once, the error is logged.
        started = time.time()
        mid, _ = send(d, ALICE, ["noledger@example.com"])
        self.assertLess(time.time() - started, 2.0)
        self.assertIn(mid, d.message_ids("noledger@example.com"))
        self.assertIn("dict-socket", d.wait_for_log("dict-socket"))
        # Sender side: recall answers UNAVAILABLE, doveadm exits EX_TEMPFAIL.
        mid, uid = send(d, "noledger@example.com", [BOB])
        typ, text, _ = recall_via_imap(d, "noledger@example.com", uid)
        self.assertEqual("NO", typ)
        self.assertTrue(text.startswith("[UNAVAILABLE]"), text)
        r = d.doveadm("recall", "check", "-u", "noledger@example.com", mid)
        self.assertEqual(75, r.returncode, r.stderr)
        self.assertIn(mid, d.message_ids(BOB))

    @contextlib.contextmanager
    def ledger_hung(self):
        """The dict server running (a delivery started it), then stopped
        (SIGSTOP: it takes connections and answers nothing) until the
        block ends."""
        send(self.dovecot, ALICE, [BOB])
        pids = self.dovecot.pids("dict")
        self.assertTrue(pids)
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)
        try:
            yield
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)

    def test_hung_ledger_does_not_hold_up_delivery(self):
        d = self.dovecot
        with self.ledger_hung():
            started = time.time()
            mid, uid = send(d, ALICE, [CAROL], committed=False)
            elapsed = time.time() - started
        # LMTP does not wait for the ledger at all (its group commit does).
        self.assertLess(elapsed, 1.0, "a hung ledger held delivery up")
        self.assertIn(mid, d.message_ids(CAROL))
        # The write went on in the background: the copy is recallable.
        for _ in range(50):
            r = d.doveadm("recall", "check", "-u", ALICE, mid)
            if r.returncode == 0:
                break
            time.sleep(0.1)
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertIn("RECALLABLE", r.stdout)

    def test_hung_ledger_holds_dovecot_lda_one_second_at_most(self):
        """dovecot-lda writes its user's record itself and waits for it at
        the user's end, for 1 s at most (kRecallDictWaitMsecs)."""
        d = self.dovecot
        mid, raw = make_message(ALICE, [CAROL])
        with self.ledger_hung():
            started = time.time()
            r = d.lda_deliver(ALICE, CAROL, raw)
            elapsed = time.time() - started
        self.assertEqual(0, r.returncode, r.stderr)
        self.assertLess(elapsed, 3.0, "a hung ledger held dovecot-lda up")
        self.assertIn(b"ledger did not answer within 1000 ms", r.stderr + d.log_text().encode())
        self.assertIn(mid, d.message_ids(CAROL))

    def test_malformed_settings_disable_recall_not_delivery(self):
        d = self.dovecot
        # 2.4 parses its typed settings itself, and names them its way.
        typed = {
            "badwindow@example.com": ("recall_window: invalid duration 'soon'",
                                      "Invalid recall_window=soon"),
            "badaccount@example.com": ("recall_account: invalid value 'gold'",
                                       "Invalid recall_account=gold"),
            "badnotify@example.com": ("recall_notify_recipients: invalid value 'maybe'",
                                      "Invalid recall_notify_recipients=maybe"),
            "badretention@example.com": ("recall_retention: invalid duration 'forever'",
                                         "Invalid recall_retention=forever"),
            "badread@example.com": ("recall_read_messages: invalid value 'maybe'",
                                    "Invalid recall_read_messages=maybe"),
            "badreport@example.com": ("recall_report: invalid value 'sometimes'",
                                      "Invalid recall_report=sometimes"),
        }
        expected = {user: messages[DOVECOT_24] for user, messages in typed.items()}
        expected.update({
            "badnet@example.com": "recall_webmail_networks: invalid network '127.0.0.1/99'",
            "badurl@example.com": "recall_upgrade_url: contains control characters",
            "badaddress@example.com": "recall_address: contains control characters",
            "badorg@example.com": "recall_org: contains control characters",
            "badhost@example.com": "recall_host: invalid value 'backend' (expected name:port)",
            "badbackends@example.com":
                "recall_backends: invalid value 'backend' (expected name:port)",
        })
        for user, message in expected.items():
            mid, uid = send(d, user, [BOB])  # delivery from them works
            send(d, ALICE, [user])           # and to them
            self.assertIn(message, d.wait_for_log(message), user)
            conn = d.imap(user)
            self.assertNotIn(b"XRECALL", conn.capability()[1][0].split(), user)
            conn.select("Sent")
            typ, text, _ = xrecall(conn, str(uid))
            conn.logout()
            self.assertTrue(text.startswith("[UNAVAILABLE]"), (user, text))
            r = d.doveadm("recall", "check", "-u", user, mid)
            self.assertEqual(78, r.returncode, (user, r.stderr))

    @dovecot_23_only("recall_dict per user; 2.4's ledger is the server's recall { dict }")
    def test_unknown_ledger_driver(self):
        # recall_dict is opened when first used: deliveries to and from the
        # user work, recall answers UNAVAILABLE and the log names the setting.
        d = self.dovecot
        mid, uid = send(d, "baddict@example.com", [BOB])
        send(d, ALICE, ["baddict@example.com"])
        typ, text, _ = recall_via_imap(d, "baddict@example.com", uid)
        self.assertTrue(text.startswith("[UNAVAILABLE]"), text)
        self.assertIn("recall_dict: ", d.wait_for_log("recall_dict: "))
        self.assertIn(mid, d.message_ids(BOB))

    def test_templates_reword_notice_and_report(self):
        d = self.dovecot
        mid, uid = send(d, "french@example.com", [BOB], subject="Budget 2027")
        typ, text, _ = recall_via_imap(d, "french@example.com", uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        notice = find(d.messages(BOB), "X-Recall-Of", mid)[0]
        msg = message_text(d, BOB, "INBOX", notice[0])
        self.assertEqual("Rappel : Budget 2027", str(msg["Subject"]))
        self.assertIn("Votre message de french@example.com a été rappelé.", msg.get_content())
        self.assertIn("If the sender sends a corrected version, it reaches you as a new message.",
                      msg.get_content())
        report = find(d.messages("french@example.com"), "In-Reply-To", mid)[0]
        self.assertEqual("Rappel COMPLETE", report[2]["Subject"])
        self.assertEqual("COMPLETE", report[2]["X-Recall-Result"])

    def test_malformed_template_refuses_and_keeps_mail(self):
        d = self.dovecot
        mid, uid = send(d, "badtemplate@example.com", [BOB])
        typ, text, _ = recall_via_imap(d, "badtemplate@example.com", uid)
        self.assertTrue(text.startswith("[UNAVAILABLE]"), text)
        self.assertIn("recall_notice_template: ", d.wait_for_log("recall_notice_template: "))
        self.assertIn(mid, d.message_ids(BOB))
        # A check needs no template.
        conn = d.imap("badtemplate@example.com")
        conn.select("Sent")
        typ, text, lines = xrecall(conn, "CHECK", str(uid))
        conn.logout()
        self.assertEqual("OK", typ)

    def test_templates_are_read_once_per_session(self):
        d, moody = self.dovecot, "moody@example.com"
        sent = [send(d, moody, [BOB], subject=subject) for subject in ("One", "Two", "Three")]
        conn = d.imap(moody)
        conn.select("Sent")
        typ, text, _ = xrecall(conn, str(sent[0][1]))
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        with open(d.dir + "/moody", "w") as f:  # the admin breaks it mid-session
            f.write("no subject line here\n")
        typ, text, _ = xrecall(conn, str(sent[1][1]))
        conn.logout()
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)  # what the session read
        notice = find(d.messages(BOB), "X-Recall-Of", sent[1][0])[0]
        self.assertEqual("Note: Two", str(notice[2]["Subject"]))
        typ, text, _ = recall_via_imap(d, moody, sent[2][1])  # a new session reads it again
        self.assertTrue(text.startswith("[UNAVAILABLE]"), text)
        self.assertIn(sent[2][0], d.message_ids(BOB))

    def test_recipient_gone_from_userdb_fails_alone(self):
        d = self.dovecot
        mid, uid = send(d, ALICE, [BOB, "leaving@example.com"])
        users_file = d.dir + "/users"
        with open(users_file) as f:
            lines = f.readlines()
        with open(users_file, "w") as f:
            f.writelines(l for l in lines if not l.startswith("leaving@"))
        time.sleep(1.1)  # passwd-file re-reads a changed file once a second
        typ, text, lines = recall_via_imap(d, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
        self.assertEqual({BOB: "RECALLED", "leaving@example.com": "FAILED"}, parse_rows(lines)[0])
        expected = "no such user: leaving@example.com"
        self.assertIn(expected, d.wait_for_log(expected))


class MarkRowsTest(unittest.TestCase):
    """A download is marked in the copy's own index: a POP3 session's RETRs
    write no ledger row. Where the index is in memory the marks go to the
    ledger, and their expiry bucket's row is written once per session."""

    def test_downloads_are_marked_in_the_copy_or_else_in_the_ledger(self):
        memory = "memory@example.com"
        d = Dovecot(users={memory: in_memory_index_fields()},
                    extra_conf="log_debug = event=sql_query_finished\n").start()
        try:
            uids = {user: [send(d, ALICE, [user])[1] for _ in range(5)] for user in (BOB, memory)}

            def inserts(table):
                return [line for line in d.log_text()[start:].splitlines()
                        if "Finished query 'INSERT INTO %s " % table in line]

            start = len(d.log_text())
            for user in (BOB, memory):
                pop = d.pop3(user)
                for n in range(1, 6):
                    pop.retr(n)
                pop.quit()
            self.assertTrue(eventually(lambda: len(inserts("recall_fetched")) >= 5))
            for user in (BOB, memory):
                for uid in uids[user]:
                    typ, text, lines = sent_xrecall(d, ALICE, uid, "CHECK")
                    self.assertEqual({user: "FETCHED"}, parse_rows(lines)[0], text)
            # By now any mark of bob's session would be in the ledger too.
            self.assertEqual(5, len(inserts("recall_fetched")))
            self.assertEqual(1, len(inserts("recall_bucket")))
        finally:
            d.stop()


if __name__ == "__main__":
    unittest.main()
