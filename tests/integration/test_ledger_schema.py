"""The default SQLite ledger is created with its schema on first use (SPEC
section 7), also after an admin removed ledger.db and restarted Dovecot:
the dict server alone would make an empty file with no tables, every
recall would be UNAVAILABLE and no delivery tracked."""

import os
import pwd
import stat
import unittest

from harness import Dovecot, parse_rows, send, sent_xrecall

ALICE, BOB = "alice@example.com", "bob@example.com"


class LedgerSchemaTest(unittest.TestCase):
    def setUp(self):
        self.dovecot = Dovecot().start()
        self.db = os.path.join(self.dovecot.ledger_dir, "ledger.db")

    def tearDown(self):
        self.dovecot.stop()

    def restart_with(self, make_file):
        """Dovecot stopped, the ledger file replaced by make_file(), started."""
        self.dovecot.halt()
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(self.db + suffix):
                os.unlink(self.db + suffix)
        make_file()
        self.dovecot.resume()

    def assert_recall_works(self):
        mid, uid = send(self.dovecot, ALICE, [BOB])
        typ, text, lines = sent_xrecall(self.dovecot, ALICE, uid)
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)
        self.assertEqual({BOB: "RECALLED"}, parse_rows(lines)[0])
        self.assertNotIn(mid, self.dovecot.message_ids(BOB))

    def assert_private_to_the_dict_server(self):
        st = os.stat(self.db)
        self.assertEqual(pwd.getpwnam("dovecot").pw_uid, st.st_uid)
        self.assertEqual(0o600, stat.S_IMODE(st.st_mode))

    def test_removed_ledger_is_created_by_the_next_delivery(self):
        self.restart_with(lambda: None)
        self.assertFalse(os.path.exists(self.db))
        self.assert_recall_works()
        self.assert_private_to_the_dict_server()
        self.assertIn("created the ledger", self.dovecot.wait_for_log("created the ledger"))

    def test_empty_ledger_file_gets_its_schema_from_doveadm(self):
        def empty_file():
            open(self.db, "w").close()
            dovecot_user = pwd.getpwnam("dovecot")
            os.chown(self.db, dovecot_user.pw_uid, dovecot_user.pw_gid)
        self.restart_with(empty_file)
        r = self.dovecot.doveadm("recall", "check", "-u", ALICE, "<nothing@example.com>")
        self.assertEqual(68, r.returncode, r.stderr)  # NOT-SENT, not 75 (ledger down)
        self.assertGreater(os.path.getsize(self.db), 0)
        self.assert_recall_works()


if __name__ == "__main__":
    unittest.main()
