"""A private Dovecot started from the configuration tree that Debian's
dovecot-core ships (/usr/share/dovecot: dovecot.conf, conf.d/), edited the
way an admin following each file's comments would: passwd-file users,
quota in 10-mail.conf, imap_quota in 20-imap.conf, Sieve in 20-lmtp.conf
and 15-lda.conf, a mail_plugins line in 20-pop3.conf, and the installed
90-recall.conf dropped into conf.d. Only local.conf (which the stock
dovecot.conf includes last) moves it onto loopback ports and a temp dir."""

import os
import shutil

from harness import API_KEY, DOVEADM_PASSWORD, Dovecot, listeners_conf

STOCK = "/usr/share/dovecot"

# (file, line as shipped, line as the admin edits it)
PLUGIN_EDITS = [
    # This test server speaks plain text on loopback: no certificate.
    ("10-ssl.conf", "ssl = yes", "ssl = no"),
    ("10-ssl.conf", "ssl_cert = <", "#ssl_cert = <"),
    ("10-ssl.conf", "ssl_key = <", "#ssl_key = <"),
    ("10-mail.conf", "#mail_plugins = ", "mail_plugins = $mail_plugins quota"),
    ("20-imap.conf", "  #mail_plugins = $mail_plugins", "  mail_plugins = $mail_plugins imap_quota"),
    ("20-pop3.conf", "  #mail_plugins = $mail_plugins", "  mail_plugins = $mail_plugins"),
    ("20-lmtp.conf", "  #mail_plugins = $mail_plugins", "  mail_plugins = $mail_plugins sieve"),
    ("15-lda.conf", "  #mail_plugins = $mail_plugins", "  mail_plugins = $mail_plugins sieve"),
]
# Virtual users in a passwd-file, one uid.
VIRTUAL_USERS = [
    ("10-auth.conf", "!include auth-system.conf.ext", "#!include auth-system.conf.ext"),
    ("10-auth.conf", "#!include auth-passwdfile.conf.ext", "!include auth-passwdfile.conf.ext"),
]
# System users (the stock PAM and passwd, a uid each): the MTA's
# user@domain becomes the login name, as 10-auth.conf suggests.
SYSTEM_USERS = [
    ("10-auth.conf", "#auth_username_format = %Lu", "auth_username_format = %Ln"),
]


class StockDovecot(Dovecot):
    def __init__(self, recall_conf=None, system_users=False, **kw):
        """recall_conf: the 90-recall.conf to drop into conf.d (default:
        this checkout's, as the harness writes it). system_users: PAM and
        passwd as shipped, for accounts the test creates itself."""
        super().__init__(**kw)
        self.recall_conf = recall_conf
        self.edits = PLUGIN_EDITS + (SYSTEM_USERS if system_users else VIRTUAL_USERS)

    def _write_conf(self):
        d = self.dir
        confd = os.path.join(d, "conf.d")
        shutil.rmtree(confd, ignore_errors=True)
        shutil.copytree(os.path.join(STOCK, "conf.d"), confd)
        shutil.copy(os.path.join(STOCK, "dovecot.conf"), self.conf)
        for name, shipped, edited in self.edits:
            self._edit(os.path.join(confd, name), shipped, edited)
        self._edit(os.path.join(confd, "auth-passwdfile.conf.ext"), "/etc/dovecot/users",
                   os.path.join(d, "users"), count=2)
        shutil.copy(self.recall_conf or os.path.join(d, "90-recall.conf"),
                    os.path.join(confd, "90-recall.conf"))
        plugin = self._plugin_lines()
        with open(os.path.join(d, "local.conf"), "w") as f:
            f.write(f"""{self._instance_conf()}
mail_location = maildir:~/Maildir
doveadm_api_key = {API_KEY}
doveadm_password = {DOVEADM_PASSWORD}
{listeners_conf(self.ports)}
plugin {{
  quota = maildir:User quota
{plugin}
}}
""")

    @staticmethod
    def _edit(path, shipped, edited, count=1):
        with open(path) as f:
            text = f.read()
        assert text.count(shipped) >= 1, (path, shipped)
        with open(path, "w") as f:
            f.write(text.replace(shipped, edited, count))
