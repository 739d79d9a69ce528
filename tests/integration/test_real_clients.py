"""Mail clients as users run them download their mail (SPEC rule 5):
mbsync over IMAP and fetchmail over POP3. Their copies are FETCHED (the
mark kept in each copy's own index) and stay; a colleague's copy that no
client took is recalled."""

import os
import shutil
import subprocess
import tempfile
import unittest

from harness import PASSWORD, Dovecot, send

ALICE, BOB, CAROL, MALLORY = ("alice@example.com", "bob@example.com", "carol@example.com",
                              "mallory@example.com")

MBSYNCRC = """IMAPAccount account
Host 127.0.0.1
Port {port}
User {user}
Pass {password}
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account account

MaildirStore local
Path {path}/
Inbox {path}/INBOX

Channel mail
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
"""

FETCHMAILRC = """set no bouncemail
poll 127.0.0.1 service {port} protocol pop3 auth password
  user "{user}" there password "{password}" keep sslproto '' mda "/bin/cat > {path}"
"""

dovecot = None


def setUpModule():
    global dovecot
    # The clients connect from 127.0.0.1: here that is no webmail host.
    dovecot = Dovecot(plugin_settings={"recall_webmail_networks": "127.0.0.3/32"}).start()


def tearDownModule():
    dovecot.stop()


def states(command, mid):
    """doveadm recall check/run as alice: {recipient: state}."""
    r = dovecot.doveadm("recall", command, "-u", ALICE, mid, fmt="tab")
    assert r.returncode == 0, r.stderr
    return {line.split("\t")[0]: line.split("\t")[1] for line in r.stdout.splitlines()[1:] if line}


@unittest.skipUnless(shutil.which("mbsync") and shutil.which("fetchmail"),
                     "needs mbsync and fetchmail (tools/setup installs isync and fetchmail)")
class RealClientsTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="recall-clients-")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def run_client(self, argv, rc_name, rc_text, env=None):
        rc = os.path.join(self.dir, rc_name)
        with open(rc, "w") as f:
            f.write(rc_text)
        os.chmod(rc, 0o600)  # fetchmail refuses a readable one
        return subprocess.run(argv + [rc], capture_output=True, text=True, timeout=60, env=env)

    def test_mbsync_and_fetchmail_downloads_are_fetched(self):
        mid, _ = send(dovecot, ALICE, [BOB, CAROL, MALLORY])
        local = os.path.join(self.dir, "mail")
        os.mkdir(local)
        r = self.run_client(["mbsync", "-a", "-c"], "mbsyncrc", MBSYNCRC.format(
            port=dovecot.ports["imap"], user=BOB, password=PASSWORD, path=local))
        self.assertEqual(0, r.returncode, r.stdout + r.stderr)
        downloaded = [name for sub in ("new", "cur")
                      for name in os.listdir(os.path.join(local, "INBOX", sub))]
        self.assertEqual(1, len(downloaded), r.stdout)

        received = os.path.join(self.dir, "fetched.eml")
        r = self.run_client(["fetchmail", "--nosyslog", "-f"], "fetchmailrc", FETCHMAILRC.format(
            port=dovecot.ports["pop3"], user=CAROL, password=PASSWORD, path=received),
            env=dict(os.environ, FETCHMAILHOME=self.dir))
        self.assertEqual(0, r.returncode, r.stdout + r.stderr)
        with open(received) as f:
            self.assertIn(mid, f.read())

        self.assertEqual({BOB: "FETCHED", CAROL: "FETCHED", MALLORY: "RECALLABLE"},
                         states("check", mid))
        self.assertEqual({BOB: "FETCHED", CAROL: "FETCHED", MALLORY: "RECALLED"},
                         states("run", mid))
        self.assertIn(mid, dovecot.message_ids(BOB))
        self.assertIn(mid, dovecot.message_ids(CAROL))
        self.assertNotIn(mid, dovecot.message_ids(MALLORY))


if __name__ == "__main__":
    unittest.main()
