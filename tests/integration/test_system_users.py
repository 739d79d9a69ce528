"""System users (PAM and passwd, usernames without a domain, a uid each),
issue 12 point 8: their address is username@recall_domain, so their
deliveries are theirs and their colleagues are in their organization;
IMAP, running as one user's uid, does not offer XRECALL (it could not
open the others' mail) and the log says what to do instead; doveadm, as
root, recalls."""

import os
import subprocess
import unittest

from harness import WEBMAIL_IP, make_message, parse_rows
from stock_conf import StockDovecot

PASSWORD = "pw-Recall-7"
USERS = ["rcsysalice", "rcsysbob", "rcsyscarol"]
DOMAIN = "example.com"

dovecot = None


def setUpModule():
    global dovecot
    for user in USERS:
        if subprocess.run(["id", user], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--create-home", "--shell", "/usr/sbin/nologin", user],
                           check=True)
        subprocess.run(["chpasswd"], input="%s:%s\n" % (user, PASSWORD), text=True, check=True)
    dovecot = StockDovecot(system_users=True,
                           plugin_settings={"recall_domain": DOMAIN}).start()


def tearDownModule():
    dovecot.stop()
    for user in USERS:
        subprocess.run(["userdel", "--remove", user], capture_output=True)


def login(user):
    import imaplib
    from harness import SourceBoundIMAP
    conn = SourceBoundIMAP("127.0.0.1", dovecot.ports["imap"], WEBMAIL_IP)
    conn.login(user, PASSWORD)
    return conn


class SystemUsersTest(unittest.TestCase):
    def test_address_org_and_doveadm_recall(self):
        alice, bob, carol = ("%s@%s" % (u, DOMAIN) for u in USERS)
        mid, raw = make_message(alice, [bob, carol])
        conn = login(USERS[0])
        try:
            conn.create("Sent")
            self.assertEqual("OK", conn.append("Sent", r"(\Seen)", None, raw)[0])
            # Not offered: this process is alice's uid and cannot open bob's mail.
            self.assertNotIn(b"XRECALL", conn.capability()[1][0].split())
        finally:
            conn.logout()
        hint = "XRECALL not offered: %s is a system user" % USERS[0]
        self.assertIn(hint, dovecot.wait_for_log(hint))
        self.assertIn("doveadm recall run -u %s" % USERS[0], dovecot.log_text())
        replies = dovecot.lmtp_deliver(alice, [bob, carol], raw)
        self.assertEqual({250}, {code for code, _ in replies.values()}, replies)
        r = dovecot.doveadm("recall", "run", "-u", USERS[0], mid, fmt="tab")
        self.assertEqual(0, r.returncode, r.stderr)
        rows = dict(line.split("\t")[:2] for line in r.stdout.strip().splitlines()[1:])
        self.assertEqual({bob: "RECALLED", carol: "RECALLED"}, rows, r.stdout)
        conn = login(USERS[1])
        try:
            conn.select("INBOX", readonly=True)
            typ, data = conn.search(None, "HEADER", "Message-ID", mid)
            self.assertEqual([b""], data, "bob's copy was recalled")
            typ, data = conn.search(None, "HEADER", "X-Recall-Of", mid)
            self.assertEqual(1, len(data[0].split()), "bob got the notice")
        finally:
            conn.logout()


class MailnameTest(unittest.TestCase):
    def test_the_domain_defaults_to_etc_mailname(self):
        # Debian's MTAs append /etc/mailname to local senders: so does recall.
        saved = open("/etc/mailname").read() if os.path.exists("/etc/mailname") else None
        with open("/etc/mailname", "w") as f:
            f.write("mailname.example\n")
        plain = StockDovecot(system_users=True).start()
        try:
            alice, bob = ("%s@mailname.example" % u for u in USERS[:2])
            mid, raw = make_message(alice, [bob])
            replies = plain.lmtp_deliver(alice, [bob], raw)
            self.assertEqual({250}, {code for code, _ in replies.values()}, replies)
            r = plain.doveadm("recall", "check", "-u", USERS[0], mid, fmt="tab")
            self.assertEqual(0, r.returncode, r.stderr)  # 68 (NOT-SENT) for a bare username
            self.assertIn(bob + "\tRECALLABLE", r.stdout)
        finally:
            plain.stop()
            if saved is None:
                os.unlink("/etc/mailname")
            else:
                with open("/etc/mailname", "w") as f:
                    f.write(saved)


if __name__ == "__main__":
    unittest.main()
