"""SHARED (SPEC rule 6) with Dovecot's acl plugin and a shared namespace:
an ACL granted to a colleague, a colleague reading through the shared
namespace, a copy into a shared folder; and rule 6 without the acl plugin."""

import unittest

from harness import DOVECOT_24, Dovecot, dovecot_23_only, find, parse_rows, send, xrecall

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"

ACL_CONF_23 = """
mail_plugins = $mail_plugins acl
# Inside protocol imap, $mail_plugins is that section's earlier value
# (90-recall.conf's), which the global line above does not reach.
protocol imap {
  mail_plugins = $mail_plugins acl imap_acl
}
namespace shared {
  type = shared
  separator = /
  prefix = shared/%%u/
  location = maildir:%%h/Maildir:INDEXPVT=~/Maildir/shared/%%u
  subscriptions = no
  list = children
}
plugin {
  acl = vfile
  acl_shared_dict = file:{dir}/shared-mailboxes.db
}
"""

# The same in 2.4's syntax: mail_plugins { } adds to each protocol's list.
ACL_CONF_24 = """
mail_plugins {
  acl = yes
}
protocol imap {
  mail_plugins {
    imap_acl = yes
  }
}
namespace shared {
  type = shared
  separator = /
  prefix = shared/$user/
  mail_driver = maildir
  mail_path = %{owner_home}/Maildir
  mail_index_private_path = ~/Maildir/shared/%{owner_user}
  subscriptions = no
  list = children
}
acl_driver = vfile
acl_sharing_map {
  dict file {
    path = {dir}/shared-mailboxes.db
  }
}
"""

dovecot = None


def setUpModule():
    global dovecot
    d = Dovecot()
    d.extra_conf = (ACL_CONF_24 if DOVECOT_24 else ACL_CONF_23).replace("{dir}", d.dir)
    dovecot = d.start()


def tearDownModule():
    dovecot.stop()


def recall(uid, check_only=False):
    conn = dovecot.imap(ALICE)
    try:
        conn.select("Sent")
        typ, text, lines = xrecall(conn, *(("CHECK", str(uid)) if check_only else (str(uid),)))
        return parse_rows(lines)[0], text
    finally:
        conn.logout()


def command(user, *calls):
    """Runs imaplib calls (name, args...) in one session of user."""
    conn = dovecot.imap(user)
    try:
        return [getattr(conn, name)(*args) for name, *args in calls]
    finally:
        conn.logout()


class SharedTest(unittest.TestCase):
    def test_mailbox_shared_by_acl(self):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        typ, _ = command(BOB, ("setacl", "INBOX", CAROL, "lr"))[0]
        self.assertEqual("OK", typ)
        try:
            rows, text = recall(uid)
            self.assertEqual({BOB: "SHARED", CAROL: "RECALLED"}, rows)
            self.assertTrue(text.startswith("[RECALL-PARTIAL]"), text)
            self.assertIn(mid, dovecot.message_ids(BOB))
        finally:
            command(BOB, ("deleteacl", "INBOX", CAROL))

    def test_colleague_read_it_through_the_shared_namespace(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        command(BOB, ("setacl", "INBOX", CAROL, "lr"))
        conn = dovecot.imap(CAROL)
        typ, _ = conn.select('"shared/%s/INBOX"' % BOB, readonly=True)
        self.assertEqual("OK", typ)
        typ, data = conn.search(None, "HEADER", "Message-ID", mid)
        conn.fetch(data[0].split()[0], "(BODY.PEEK[])")
        conn.logout()
        # The ACL is gone again: only what carol did makes it SHARED.
        command(BOB, ("deleteacl", "INBOX", CAROL))
        rows, _ = recall(uid)
        self.assertEqual({BOB: "SHARED"}, rows)
        self.assertIn(mid, dovecot.message_ids(BOB))

    def test_copied_into_a_shared_folder(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        conn = dovecot.imap(BOB)
        conn.create("Team")
        conn.setacl("Team", CAROL, "lr")
        conn.select("INBOX")
        typ, data = conn.search(None, "HEADER", "Message-ID", mid)
        typ, _ = conn.copy(data[0].split()[0], "Team")
        self.assertEqual("OK", typ)
        conn.logout()
        rows, _ = recall(uid)
        self.assertEqual({BOB: "SHARED"}, rows)

    def test_copy_into_own_private_folder_is_not_shared(self):
        mid, uid = send(dovecot, ALICE, [BOB])
        conn = dovecot.imap(BOB)
        conn.create("Private")
        conn.select("INBOX")
        typ, data = conn.search(None, "HEADER", "Message-ID", mid)
        conn.copy(data[0].split()[0], "Private")
        conn.logout()
        self.assertEqual({BOB: "RECALLABLE"}, recall(uid, check_only=True)[0])


class WithoutAclTest(unittest.TestCase):
    def recall_on(self, dovecot):
        mid, uid = send(dovecot, ALICE, [BOB, CAROL])
        conn = dovecot.imap(ALICE)
        conn.select("Sent")
        typ, text, lines = xrecall(conn, str(uid))
        conn.logout()
        self.assertTrue(text.startswith("[RECALL-COMPLETE]"), text)

    def test_no_acls_nothing_to_say(self):
        plain = Dovecot().start()
        try:
            self.recall_on(plain)
            log = plain.wait_for_log("recall of")
            self.assertIn("recall of", log)
            self.assertNotIn("acl", log.replace("recall", ""))
        finally:
            plain.stop()

    @dovecot_23_only("2.4's acl_driver is read through the acl plugin's own settings, "
                     "which a process without the plugin does not have")
    def test_acl_set_but_plugin_not_loaded_warns_once(self):
        # Two recipients, one process: one warning, an admin's to act on.
        plain = Dovecot(plugin_settings={"acl": "vfile"}).start()
        try:
            self.recall_on(plain)
            warning = "acl is set, but the acl plugin is not in mail_plugins for imap"
            log = plain.wait_for_log(warning)
            self.assertEqual(1, log.count(warning), log)
            self.assertIn("Warning: recall: " + warning, log)
        finally:
            plain.stop()


if __name__ == "__main__":
    unittest.main()
