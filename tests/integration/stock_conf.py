"""A private Dovecot started from the configuration tree that Debian's
dovecot-core ships (/usr/share/dovecot: dovecot.conf, conf.d/; Debian 12's
with Dovecot 2.3, Debian 13's with 2.4), edited the
way an admin following each file's comments would: passwd-file users,
quota in 10-mail.conf, imap_quota in 20-imap.conf, Sieve in 20-lmtp.conf
and 15-lda.conf, a mail_plugins line in 20-pop3.conf, and the installed
90-recall.conf dropped into conf.d. Only local.conf (which the stock
dovecot.conf includes last) moves it onto loopback ports and a temp dir."""

import os
import shutil

from harness import API_KEY, DOVEADM_PASSWORD, DOVECOT_24, Dovecot, listeners_conf

STOCK = "/usr/share/dovecot"

# (file, text as shipped, text as the admin edits it), Debian 12's tree
PLUGIN_EDITS_23 = [
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
VIRTUAL_USERS_23 = [
    ("10-auth.conf", "!include auth-system.conf.ext", "#!include auth-system.conf.ext"),
    ("10-auth.conf", "#!include auth-passwdfile.conf.ext", "!include auth-passwdfile.conf.ext"),
    ("auth-passwdfile.conf.ext", "/etc/dovecot/users", "{dir}/users"),
    ("auth-passwdfile.conf.ext", "/etc/dovecot/users", "{dir}/users"),
]
# System users (the stock PAM and passwd, a uid each): the MTA's
# user@domain becomes the login name, as 10-auth.conf suggests.
SYSTEM_USERS_23 = [
    ("10-auth.conf", "#auth_username_format = %Lu", "auth_username_format = %Ln"),
]

# The same edits of Debian 13's tree (Dovecot 2.4 syntax: mail_plugins are
# boolean lists, which a protocol's block adds to).
PLUGIN_EDITS_24 = [
    ("10-ssl.conf", "ssl = yes", "ssl = no"),
    ("10-ssl.conf", "ssl_server_cert_file =", "#ssl_server_cert_file ="),
    ("10-ssl.conf", "ssl_server_key_file =", "#ssl_server_key_file ="),
    ("10-mail.conf", "#mail_plugins {\n#  plugin = yes\n#}", "mail_plugins {\n  quota = yes\n}"),
    ("20-imap.conf", "  #mail_plugins {\n  #  imap_sieve = yes\n  #}",
     "  mail_plugins {\n    imap_quota = yes\n  }"),
    ("20-pop3.conf", "  #mail_plugins {\n  #}", "  mail_plugins {\n  }"),
    ("20-lmtp.conf", "  #mail_plugins {\n  #  sieve = yes\n  #}",
     "  mail_plugins {\n    sieve = yes\n  }"),
    ("15-lda.conf", "  #mail_plugins {\n  #   sieve = yes\n  #}",
     "  mail_plugins {\n     sieve = yes\n  }"),
]
VIRTUAL_USERS_24 = [
    ("10-auth.conf", "\n!include auth-system.conf.ext", "\n#!include auth-system.conf.ext"),
    ("10-auth.conf", "#!include auth-passwdfile.conf.ext", "!include auth-passwdfile.conf.ext"),
    ("auth-passwdfile.conf.ext",
     "#passdb passwd-file {\n#  default_password_scheme = crypt\n#  auth_username_format = %{user}\n"
     "#  passwd_file_path = /etc/dovecot/users\n#}",
     "passdb passwd-file {\n  default_password_scheme = crypt\n  auth_username_format = %{user}\n"
     "  passwd_file_path = {dir}/users\n}"),
    # The commented fields { } (a quota rule and /home/virtual homes) stay out.
    ("auth-passwdfile.conf.ext",
     "#userdb passwd-file {\n#  auth_username_format = %{user}\n#  passwd_file_path = /etc/dovecot/users\n",
     "userdb passwd-file {\n  auth_username_format = %{user}\n  passwd_file_path = {dir}/users\n}\n"),
    # 20-lmtp.conf strips the domain for /etc/passwd users and says to
    # remove that line for a userdb whose names include it.
    ("20-lmtp.conf", "\n  auth_username_format = %{user | username | lower}",
     "\n  #auth_username_format = %{user | username | lower}"),
]
# 20-lmtp.conf's stock line already makes user@domain the login name.
SYSTEM_USERS_24 = []

PLUGIN_EDITS, VIRTUAL_USERS, SYSTEM_USERS = (
    (PLUGIN_EDITS_24, VIRTUAL_USERS_24, SYSTEM_USERS_24) if DOVECOT_24 else
    (PLUGIN_EDITS_23, VIRTUAL_USERS_23, SYSTEM_USERS_23))


class StockDovecot(Dovecot):
    def __init__(self, recall_conf=None, system_users=False, **kw):
        """recall_conf: the 90-recall.conf to drop into conf.d, under its own
        name (default: this checkout's, as the harness writes it).
        system_users: PAM and passwd as shipped, for accounts the test
        creates itself."""
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
            self._edit(os.path.join(confd, name), shipped, edited.replace("{dir}", d))
        # plugin=False without a recall_conf: the stock tree alone (benchmarks).
        if self.plugin or self.recall_conf:
            recall_conf = self.recall_conf or os.path.join(d, "90-recall.conf")
            shutil.copy(recall_conf, os.path.join(confd, os.path.basename(recall_conf)))
        with open(os.path.join(d, "local.conf"), "w") as f:
            f.write(f"""{self._instance_conf(versions=False)}
{self._mail_conf()}
doveadm_api_key = {API_KEY}
doveadm_password = {DOVEADM_PASSWORD}
{listeners_conf(self.ports)}
{self.extra_conf}
""")

    def _mail_conf(self):
        """Maildir under the users' homes, the quota root 10-mail.conf's
        plugin line asks for, and the recall settings (plugin=False: none,
        as after an uninstall)."""
        plugin = self._plugin_lines() if self.plugin else ""
        if DOVECOT_24:  # 10-mail.conf's mbox in /var/mail, replaced
            return f"""mail_driver = maildir
mail_path = ~/Maildir
mail_inbox_path =
quota "User quota" {{
  driver = maildir
}}
{plugin}"""
        return f"""mail_location = maildir:~/Maildir
plugin {{
  quota = maildir:User quota
{plugin}
}}"""

    @staticmethod
    def _edit(path, shipped, edited, count=1):
        with open(path) as f:
            text = f.read()
        assert text.count(shipped) >= 1, (path, shipped)
        with open(path, "w") as f:
            f.write(text.replace(shipped, edited, count))
