"""End to end: Roundcube with contrib/roundcube/xrecall, in headless Chromium,
against a private Dovecot with the recall plugin (issue 6). Each test
prepares mail over LMTP/IMAP/POP3, lets browser.mjs click through the UI,
then asserts on what the browser saw and on the mailboxes over IMAP.
Screenshots of every step: build/e2e/ (not committed)."""

import email.policy
import email.utils
import json
import os
from email.message import EmailMessage
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import PASSWORD, REPO, Dovecot, find, make_message, send, send_raw  # noqa: E402
from roundcube import Roundcube  # noqa: E402

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
FRANK, QUICK = "frank@example.com", "quick@example.com"
SHOTS = os.path.join(REPO, "build", "e2e")

dovecot = roundcube = None


def setUpModule():
    global dovecot, roundcube
    dovecot = Dovecot().start()
    roundcube = Roundcube(dovecot.ports["imap"]).start()


def tearDownModule():
    roundcube.stop()
    dovecot.stop()


def browse(webmail, name, user, uid, then="close", reload=False):
    """Runs one scenario in Chromium; returns what it saw."""
    plan = dict(url=webmail.url, user=user, password=PASSWORD, uid=uid, shots=SHOTS, name=name,
                then=then, reload=reload)
    run = subprocess.run(["node", os.path.join(HERE, "browser.mjs"), json.dumps(plan)],
                         capture_output=True, text=True, timeout=180)
    try:
        seen = json.loads(run.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise AssertionError("browser.mjs printed no result (exit %d):\n%s" %
                             (run.returncode, run.stderr[-3000:]))
    if run.returncode != 0:
        raise AssertionError("browser.mjs failed: %s\nRoundcube log:\n%s" %
                             (seen.get("error"), webmail.log_text()[-3000:]))
    return seen


def states(dialog):
    return {row["address"]: row["state"] for row in dialog["rows"]}


def words(dialog):
    return {row["address"]: row["words"] for row in dialog["rows"]}


def sent_flags(user, uid):
    conn = dovecot.imap(user)
    try:
        conn.select("Sent", readonly=True)
        typ, data = conn.uid("FETCH", str(uid), "(FLAGS)")
        return data[0].decode()
    finally:
        conn.logout()


def message_with_attachment(sender, to, subject):
    """(Message-ID, raw) of a message with a CSV attachment."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, ", ".join(to), subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = "<e2e.%d.%d@example.com>" % (os.getpid(), time.time_ns())
    msg.set_content("The figures are attached.\nThe total is wrong, sorry.\n")
    msg.add_attachment(b"quarter,total\nQ1,1200\n", maintype="text", subtype="csv",
                       filename="numbers.csv")
    return msg["Message-ID"], msg.as_bytes(policy=email.policy.SMTP)


class RecallInBrowserTest(unittest.TestCase):
    def assert_clean_ui(self, seen):
        """Never left busy, no script error."""
        self.assertIs(False, seen.get("busy_after"), seen)
        self.assertNotIn("page_errors", seen)

    def assert_recalled_from(self, mid, user):
        self.assertNotIn(mid, dovecot.message_ids(user))
        self.assertEqual(1, len(find(dovecot.messages(user), "X-Recall-Of", mid)))

    def assert_untouched(self, mid, user):
        self.assertIn(mid, dovecot.message_ids(user))
        self.assertEqual([], find(dovecot.messages(user), "X-Recall-Of", mid))

    def test_complete_recall(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL], subject="Budget draft")
        seen = browse(roundcube, "complete", ALICE, uid, then="proceed", reload=True)

        self.assertFalse(seen["inbox_button"]["visible"], "Recall is for the Sent folder only")
        self.assertEqual({"present": True, "visible": True, "enabled": True, "text": "Recall"},
                         seen["sent_button"])
        check = seen["first"]
        self.assertEqual("Recall this message?", check["title"])
        self.assertEqual({BOB: "RECALLABLE", CAROL: "RECALLABLE"}, states(check))
        self.assertEqual({BOB: "Can be recalled", CAROL: "Can be recalled"}, words(check))
        self.assertRegex(check["summary"], r"Time left to recall: (29|30) min \d+ s\.$")
        self.assertEqual(["Proceed", "Cancel"], check["buttons"])

        result = seen["result"]
        self.assertEqual("Recall result", result["title"])
        self.assertEqual("Complete success: 2 of 2 recipients in your organization.",
                         result["summary"])
        self.assertEqual({BOB: "RECALLED", CAROL: "RECALLED"}, states(result))
        self.assertEqual({"list": "Recalled", "view": "Recalled"}, seen["labels_now"])
        self.assertEqual({"list": "Recalled", "view": "Recalled"}, seen["labels_after_login"])
        self.assertEqual({"label": "Recalled", "button": seen["sent_button"]}, seen["show_view"])
        self.assert_clean_ui(seen)

        self.assert_recalled_from(mid, BOB)
        self.assert_recalled_from(mid, CAROL)
        self.assertIn("$Recalled", sent_flags(ALICE, uid))

    def test_edit_and_send_again(self):
        """Outlook's recall and replace: after the recall, the recalled
        message opens as a new draft, recipients, body and attachment."""
        mid, raw = message_with_attachment(ALICE, [BOB, CAROL], "Figures Q1")
        uid = send_raw(dovecot, ALICE, raw, [BOB, CAROL])
        seen = browse(roundcube, "edit-again", ALICE, uid, then="editagain")
        self.assertEqual(["Edit and send again", "Close"], seen["result"]["buttons"])
        compose = seen["compose"]
        self.assertEqual("edit", compose["mode"])
        self.assertEqual({BOB, CAROL}, {a.strip() for a in compose["to"].strip(", ").split(",")})
        self.assertEqual("Figures Q1", compose["subject"])
        self.assertIn("The total is wrong, sorry.", compose["body"])
        self.assertEqual(1, len(compose["attachments"]), compose)
        self.assertIn("numbers.csv", compose["attachments"][0])
        self.assertNotIn("page_errors", seen)
        self.assert_recalled_from(mid, BOB)
        # Nothing was sent: only a draft may exist, the copies stay recalled.
        self.assert_recalled_from(mid, CAROL)

    def test_partial_recall_after_a_pop3_download(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL], subject="Team offsite")
        dovecot.pop3_retr_newest(BOB)
        seen = browse(roundcube, "partial", ALICE, uid, then="proceed")

        check = seen["first"]
        self.assertEqual({BOB: "FETCHED", CAROL: "RECALLABLE"}, states(check))
        self.assertEqual("Downloaded by another mail client: not recalled", words(check)[BOB])
        result = seen["result"]
        self.assertEqual("Partial success: 1 of 2 recipients in your organization.",
                         result["summary"])
        self.assertEqual({BOB: "FETCHED", CAROL: "RECALLED"}, states(result))
        self.assertEqual(["Edit and send again", "Close"], result["buttons"])
        self.assertEqual({"list": "Recalled", "view": "Recalled"}, seen["labels_now"])
        self.assert_clean_ui(seen)

        self.assert_untouched(mid, BOB)
        self.assert_recalled_from(mid, CAROL)

    def test_colleague_not_delivered_yet_in_words(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL], deliver_to=[BOB], subject="Deferred")
        seen = browse(roundcube, "not-delivered", ALICE, uid, then="proceed")
        self.assert_clean_ui(seen)
        self.assertEqual({BOB: "RECALLABLE", CAROL: "NOT-DELIVERED"}, states(seen["first"]))
        self.assertEqual("Not delivered yet (deferred, or no such mailbox): recalled if it "
                         "arrives in time", words(seen["first"])[CAROL])
        self.assertEqual({BOB: "RECALLED", CAROL: "NOT-DELIVERED"}, states(seen["result"]))
        self.assertIn("1 of 1 recipients", seen["result"]["summary"])
        self.assert_recalled_from(mid, BOB)

    def test_hostile_address_is_text(self):
        """An address of the sender's copy is shown, never run as HTML."""
        hostile = '"<img src=x onerror=window.xrecall_injected=1>"@evil.example'
        mid, raw = make_message(ALICE, [BOB, hostile, "placeholder@evil.example"],
                                subject="Hostile")
        # 8-bit, as a UTF-8 mailer writes it: XRECALL then sends an IMAP literal.
        raw = raw.replace(b"placeholder@evil.example", "jörg@evil.example".encode())
        uid = send_raw(dovecot, ALICE, raw, [BOB])
        seen = browse(roundcube, "hostile", ALICE, uid)
        self.assertIsNone(seen["injected"])
        external = {row["address"]: row["words"] for row in seen["first"]["rows"]
                    if row["state"] == "EXTERNAL"}
        # The server names the quoted local part by its content.
        self.assertEqual({"<img src=x onerror=window.xrecall_injected=1>@evil.example",
                          "jörg@evil.example"}, set(external), seen["first"])
        self.assertEqual({"Outside your organization: not recalled"}, set(external.values()))
        self.assert_untouched(mid, BOB)

    def test_free_plan_is_offered_the_upgrade(self):
        mid, uid = send(dovecot, FRANK, [BOB], subject="Quote")
        seen = browse(roundcube, "upgrade", FRANK, uid, then="upgrade")

        offer = seen["first"]
        self.assertEqual("Recalling messages needs a paid plan.", offer["summary"])
        self.assertEqual(["Upgrade", "Close"], offer["buttons"])
        # The URL is the one frank's userdb entry gives (recall_upgrade_url).
        self.assertEqual("https://example.com/upgrade", seen["upgrade_opened"])
        self.assert_clean_ui(seen)
        self.assert_untouched(mid, BOB)

    def test_window_passed(self):
        mid, uid = send(dovecot, QUICK, [BOB], subject="Too late")
        time.sleep(2.5)  # quick's recall_window is 2s
        seen = browse(roundcube, "expired", QUICK, uid)
        self.assertEqual("The time to recall this message has passed.", seen["first"]["toast"])
        self.assert_clean_ui(seen)
        self.assert_untouched(mid, BOB)

    def test_message_never_delivered_here(self):
        """Saved in Sent by hand (no tracked delivery): RECALL-NOT-SENT."""
        _, raw = make_message(ALICE, [BOB], subject="Only in Sent")
        conn = dovecot.imap(ALICE)
        typ, data = conn.append("Sent", r"(\Seen)", None, raw)
        conn.logout()
        uid = int(data[0].decode().split("APPENDUID ")[1].split()[1].rstrip("]"))
        seen = browse(roundcube, "not-sent", ALICE, uid)
        self.assertIn("it was not delivered from your address by this server",
                      seen["first"]["toast"])
        self.assert_clean_ui(seen)

    def test_ledger_down_is_a_clear_error(self):
        mid, uid = send(dovecot, ALICE, [BOB], subject="During an outage")
        socket_path = os.path.join(dovecot.dir, "run", "dict")
        os.rename(socket_path, socket_path + ".away")
        try:
            seen = browse(roundcube, "ledger-down", ALICE, uid)
        finally:
            os.rename(socket_path + ".away", socket_path)
        self.assertEqual("The recall could not be done because of a server error. "
                         "Please try again later.", seen["first"]["toast"])
        self.assertIn("error", seen["first"]["toastClass"])
        self.assert_clean_ui(seen)
        self.assert_untouched(mid, BOB)


class FrenchTest(unittest.TestCase):
    def test_texts_in_french(self):
        french = Roundcube(dovecot.ports["imap"], language="fr_FR").start()
        try:
            mid, uid = send(dovecot, CAROL, [BOB, "zed@example.com"], deliver_to=[BOB],
                            subject="Brouillon")
            seen = browse(french, "fr", CAROL, uid, then="proceed")
        finally:
            french.stop()
        self.assertEqual("Rappeler", seen["sent_button"]["text"])
        self.assertEqual("Rappeler ce message ?", seen["first"]["title"])
        self.assertEqual({BOB: "Peut être rappelé",
                          "zed@example.com": "Pas encore distribué (différé, ou boîte "
                                             "inexistante) : rappelé s’il arrive à temps"},
                         words(seen["first"]))
        self.assertEqual(["Continuer", "Annuler"], seen["first"]["buttons"])
        self.assertEqual("Succès complet : 1 destinataire(s) sur 1 dans votre organisation.",
                         seen["result"]["summary"])
        self.assertEqual(["Modifier et renvoyer", "Fermer"], seen["result"]["buttons"])
        self.assertEqual({"list": "Rappelé", "view": "Rappelé"}, seen["labels_now"])
        self.assertNotIn(mid, dovecot.message_ids(BOB))


class WithoutXrecallTest(unittest.TestCase):
    def test_no_button_when_the_server_does_not_offer_xrecall(self):
        """The webmail host is not in recall_webmail_networks: no XRECALL
        capability, so no button anywhere."""
        other = Dovecot(plugin_settings={"recall_webmail_networks": "127.0.0.2/32"}).start()
        webmail = Roundcube(other.ports["imap"]).start()
        try:
            _, uid = send(other, ALICE, [BOB], subject="No recall here")
            seen = browse(webmail, "no-xrecall", ALICE, uid)
        finally:
            webmail.stop()
            other.stop()
        self.assertEqual({"present": False}, seen["sent_button"])
        self.assertNotIn("first", seen)


if __name__ == "__main__":
    unittest.main()
