"""A private Dovecot with the recall plugin, for the integration tests and
the demo: temp dir, loopback ports, passwd-file users, maildir, the
shipped conf.d/90-recall.conf with the ledger moved into the temp dir.
Needs root and the modules installed (`make install`)."""

import email
import email.policy
import hashlib
import imaplib
import json
import os
import poplib
import pwd
import re
import shutil
import smtplib
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request
import base64
from email.message import EmailMessage

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The Dovecot the tests run against: 2.3 (Debian 12) or 2.4 (Debian 13),
# whose configuration syntax differs (conf.d/*dovecot24*).
DOVECOT_VERSION = subprocess.run(["dovecot", "--version"], capture_output=True,
                                 text=True).stdout.split()[0]
DOVECOT_24 = DOVECOT_VERSION.startswith("2.4")


def dovecot_23_only(reason):
    """Skips a test of what only Dovecot 2.3 has (its reason says what)."""
    return unittest.skipIf(DOVECOT_24, "Dovecot 2.3 only: " + reason)
PASSWORD = "pw"
API_KEY = "recall-test-key"
# doveadm_password of every test Dovecot: backends use it on each other.
DOVEADM_PASSWORD = "recall-backend-pw"
WEBMAIL_IP = "127.0.0.1"
OTHER_IP = "127.0.0.2"  # a client that is not the webmail host

# username -> userdb extra fields
DEFAULT_USERS = {
    "alice@example.com": "",
    "bob@example.com": "",
    "carol@example.com": "",
    "mallory@example.com": "",
    "dave@other.org": "",
    "erin@example.com": "userdb_recall_org=subsidiary",
    "frank@example.com": "userdb_recall_account=free userdb_recall_upgrade_url=https://example.com/upgrade",
    "gina@example.com": "userdb_recall_account=personal",
    "quick@example.com": "userdb_recall_window=2s",
}


def shipped_recall_conf(name):
    """conf.d's 90-recall.conf flavour `name` with the settings' lines put
    in, as make writes it (before its paths are replaced)."""
    with open(os.path.join(REPO, "conf.d", name)) as f:
        text = f.read()
    with open(os.path.join(REPO, "conf.d", "recall-settings.conf.in")) as f:
        return text.replace("@recall_settings@\n", f.read())


def userdb_fields(extra):
    """A user's userdb extra fields for the Dovecot installed: 2.4 names the
    quota limit quota_storage_size (2.3: quota_rule=*:storage=...)."""
    if DOVECOT_24:
        extra = re.sub(r"userdb_quota_rule=\*:storage=(\S+)", r"userdb_quota_storage_size=\1",
                       extra)
    return extra


def in_memory_index_fields():
    """A user's userdb fields that keep their mailbox indexes in memory (no
    dovecot.index files), as Dovecot also falls back to when the disk is
    full: a copy there cannot keep its own download mark."""
    if DOVECOT_24:
        return "userdb_mail_index_path=MEMORY"
    return "userdb_mail=maildir:~/Maildir:INDEX=MEMORY"


def mail_format_fields(driver):
    """A user's userdb fields that give them mail in another format, in
    ~/<driver> (the instances' own is maildir)."""
    if DOVECOT_24:
        return "userdb_mail_driver=%s userdb_mail_path=~/%s" % (driver, driver)
    return "userdb_mail=%s:~/%s" % (driver, driver)


def mail_location_conf(driver, path):
    """The mail format and path lines (2.3: one mail_location)."""
    if DOVECOT_24:
        return "mail_driver = %s\nmail_path = %s\n" % (driver, path)
    return "mail_location = %s:%s\n" % (driver, path)


def metric_conf(name, event, group_by=None):
    """A metric of the stats process; 2.4 makes group_by a filter."""
    group = ""
    if group_by:
        group = ("  group_by %s {\n  }\n" if DOVECOT_24 else "  group_by = %s\n") % group_by
    return "metric %s {\n  filter = event=%s\n%s}\n" % (name, event, group)


def quota_conf(quota, extra_protocols=()):
    """Config lines that load the quota plugin with `quota` (e.g. "count:User
    quota") for doveadm and extra_protocols. 90-recall.conf's protocol lines
    came first, so quota is named in each protocol that uses it."""
    driver, name = quota.split(":", 1)
    if DOVECOT_24:  # mail_plugins { } adds to the global list there
        return 'mail_plugins {\n  quota = yes\n}\nquota "%s" {\n  driver = %s\n}\n' % (
            name, driver)
    blocks = "".join("protocol %s {\n  mail_plugins = $mail_plugins quota\n}\n" % p
                     for p in ("doveadm",) + tuple(extra_protocols))
    vsizes = "  quota_vsizes = yes\n" if quota.startswith("count:") else ""
    return "mail_plugins = $mail_plugins quota\n%splugin {\n  quota = %s\n%s}\n" % (
        blocks, quota, vsizes)


# Every port free_ports() handed out in this process: an instance made but
# not started yet has not bound its ports, so the kernel could give them to
# the next instance (which then chose again at start, after the first had
# written the old ports into its recall_backends).
_handed_out = set()


def free_ports(names):
    """Distinct free loopback ports, none handed out before. All sockets stay
    open until every port is chosen: closing each at once let the kernel hand
    out the same port twice."""
    socks, ports = [], []
    try:
        while len(ports) < len(names):
            s = socket.socket()
            socks.append(s)  # open until the end, used or not
            s.bind(("127.0.0.1", 0))
            if s.getsockname()[1] not in _handed_out:
                ports.append(s.getsockname()[1])
        _handed_out.update(ports)
        return dict(zip(names, ports))
    finally:
        for s in socks:
            s.close()


def listeners_conf(ports):
    """The services' loopback listeners for ports (imap, pop3, lmtp, and
    doveadm's HTTP API when there is an "http" port); no TLS ports."""
    conf = ""
    for service, listener, name in (("imap-login", "imap", "imap"), ("pop3-login", "pop3", "pop3"),
                                    ("lmtp", "lmtp", "lmtp"), ("doveadm", "http", "http")):
        if name not in ports:
            continue
        conf += "service %s {\n  inet_listener %s {\n    port = %d\n  }\n" % (
            service, listener, ports[name])
        if listener in ("imap", "pop3"):
            conf += "  inet_listener %ss {\n    port = 0\n  }\n" % listener
        conf += "}\n"
    return conf


class SourceBoundIMAP(imaplib.IMAP4):
    """imaplib client whose connection comes from a chosen loopback address."""

    def __init__(self, host, port, source_ip):
        self._source_ip = source_ip
        super().__init__(host, port)

    def _create_socket(self, timeout):
        return socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self._source_ip, 0))


imaplib.Commands.setdefault("XRECALL", ("SELECTED",))


class Dovecot:
    def __init__(self, users=None, plugin_settings=None, ledger="sqlite", extra_conf="",
                 plugin=True, postgres=None, backend=False):
        """plugin=False: the same Dovecot without 90-recall.conf (benchmarks).
        ledger: sqlite (default), fs, file, or pgsql in `postgres` (a
        postgres.Postgres, started). backend=True: one of several backends
        sharing a ledger (recall_host is its doveadm HTTP port)."""
        self.users = dict(DEFAULT_USERS, **(users or {}))
        self.plugin_settings = dict({"recall_webmail_networks": WEBMAIL_IP + "/32"},
                                    **(plugin_settings or {}))
        self.ledger = ledger
        self.postgres = postgres
        self.backend = backend
        self.extra_conf = extra_conf
        self.plugin = plugin
        self.dir = tempfile.mkdtemp(prefix="recall-dovecot-")
        os.chmod(self.dir, 0o755)
        self.conf = os.path.join(self.dir, "dovecot.conf")
        self.log = os.path.join(self.dir, "dovecot.log")
        self.ports = free_ports(("imap", "pop3", "lmtp", "http"))
        self.started = False

    # --- lifecycle -------------------------------------------------------
    def start(self):
        self._write_users()
        self._write_ledger()
        for attempt in range(3):
            self._write_conf()
            # stderr goes to a file: the daemonized master keeps it open, so
            # a pipe would never reach EOF.
            with tempfile.TemporaryFile("w+") as err:
                code = subprocess.run(["dovecot", "-c", self.conf], stderr=err).returncode
                err.seek(0)
                errors = err.read()
            if code == 0:
                break
            # A chosen port can still be taken (by any outgoing connection)
            # before the master binds it: choose again rather than fail.
            if "Address already in use" not in errors or attempt == 2:
                raise RuntimeError("dovecot did not start (exit %d):\n%s" % (code, errors))
            self.ports = free_ports(tuple(self.ports))
        self.started = True
        self._wait_listening()
        return self

    def _wait_listening(self):
        deadline = time.time() + 15
        for port in self.ports.values():
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), 1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        raise RuntimeError("dovecot did not listen on %d; log:\n%s" %
                                           (port, self.log_text()))
                    time.sleep(0.05)

    def host(self):
        """This backend's recall_host: its doveadm HTTP API."""
        return "127.0.0.1:%d" % self.ports["http"]

    def reconfigure(self):
        """Writes the configuration again (another backend's ports, read
        when it is written, may have changed) and has Dovecot reload it."""
        self._write_conf()
        subprocess.run(["doveadm", "-c", self.conf, "reload"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_listening()

    def halt(self):
        """Stopped with its mail and settings kept (an outage): see resume()."""
        subprocess.run(["doveadm", "-c", self.conf, "stop"], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def resume(self):
        """Started again as it was after halt()."""
        deadline = time.time() + 15
        while subprocess.run(["dovecot", "-c", self.conf], stderr=subprocess.DEVNULL).returncode:
            if time.time() > deadline:  # the old master may still be exiting
                raise RuntimeError("dovecot did not start again; log:\n" + self.log_text())
            time.sleep(0.2)
        self._wait_listening()

    def stop(self, keep=False):
        if self.started:
            subprocess.run(["doveadm", "-c", self.conf, "stop"], check=False,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.started = False
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _write_users(self):
        nobody = pwd.getpwnam("nobody")
        lines = []
        for user, extra in self.users.items():
            extra = userdb_fields(extra)
            home = os.path.join(self.dir, "home", user)
            os.makedirs(home, exist_ok=True)
            os.chown(home, nobody.pw_uid, nobody.pw_gid)
            lines.append("%s:{PLAIN}%s:%d:%d::%s::%s" %
                         (user, PASSWORD, nobody.pw_uid, nobody.pw_gid, home, extra))
        os.chown(os.path.join(self.dir, "home"), nobody.pw_uid, nobody.pw_gid)
        with open(os.path.join(self.dir, "users"), "w") as f:
            f.write("\n".join(lines) + "\n")

    def set_user(self, user, extra=""):
        """Adds or changes a user while Dovecot runs. passwd-file reloads
        on a new mtime, looked at once a second at most: the mtime moves on
        by a second at least, and the next second is waited for."""
        path = os.path.join(self.dir, "users")
        before = os.stat(path).st_mtime
        self.users[user] = extra
        self._write_users()
        later = max(time.time(), before + 1)
        os.utime(path, (later, later))
        time.sleep(int(time.time()) + 1.05 - time.time())

    def _write_ledger(self):
        """The shipped conf and maps, with the ledger in the temp dir (or the
        given PostgreSQL server's database)."""
        ledger_dir = os.path.join(self.dir, "ledger")
        os.makedirs(ledger_dir)
        shutil.copy(os.path.join(REPO, "conf.d", "dovecot-dict-recall-maps.conf.ext"), self.dir)
        schema = os.path.join(REPO, "contrib", "sql", "recall-ledger.sql")
        if self.ledger == "pgsql":
            self.dict_conf = self._copy_conf("dovecot-dict-recall-pgsql.conf.ext", {
                "connect = host=db.example.com port=5432 dbname=recall user=recall "
                "password=CHANGE-ME": "connect = " + self.postgres.connect_string()})
            self.postgres.load(schema)  # idempotent: hosts sharing it may all run it
        else:
            self.dict_conf = self._copy_conf("dovecot-dict-recall-sqlite.conf.ext.in",
                                             {"@ledger_dir@": ledger_dir})
            with open(schema) as f:
                subprocess.run(["sqlite3", os.path.join(ledger_dir, "ledger.db")], stdin=f,
                               check=True, stdout=subprocess.DEVNULL)
            subprocess.run(["sqlite3", os.path.join(ledger_dir, "ledger.db"),
                            "PRAGMA journal_mode = WAL;"], check=True, stdout=subprocess.DEVNULL)
        dovecot = pwd.getpwnam("dovecot")
        nobody = pwd.getpwnam("nobody")
        if self.ledger == "sqlite":
            owner = dovecot  # the dict server writes it
        else:
            owner = nobody   # mail processes write fs/file ledgers themselves
        for path in [ledger_dir] + [os.path.join(ledger_dir, n) for n in os.listdir(ledger_dir)]:
            os.chown(path, owner.pw_uid, owner.pw_gid)
        self.ledger_dir = ledger_dir
        # The shipped 90-recall.conf as make install writes it, pointing at
        # this checkout's plugin lines and at this instance's ledger (the
        # SQLite file, which the plugin creates on first use, only with
        # the SQLite ledger).
        sqlite_file = ledger_dir + "/ledger.db" if self.ledger == "sqlite" else ""
        if DOVECOT_24:
            self._write_recall_conf_24(ledger_dir)
            return
        recall_conf = shipped_recall_conf("90-recall.conf.in")
        for old, new in (
                ("@recall_datadir@/recall-plugins.conf.ext",
                 os.path.join(REPO, "conf.d", "recall-plugins.conf.ext")),
                ("sqlite:@dovecot_confdir@/dovecot-dict-recall-sqlite.conf.ext",
                 "%s:%s" % ("pgsql" if self.ledger == "pgsql" else "sqlite", self.dict_conf)),
                ("recall_sqlite_ledger = @ledger_dir@/ledger.db",
                 "recall_sqlite_ledger = " + sqlite_file)):
            assert old in recall_conf, old
            recall_conf = recall_conf.replace(old, new)
        with open(os.path.join(self.dir, "90-recall.conf"), "w") as f:
            f.write(recall_conf)

    def _write_recall_conf_24(self, ledger_dir):
        """Dovecot 2.4: the shipped 90-recall.conf flavour, the maps as make
        writes them for 2.4, the ledger in the temp dir."""
        maps = os.path.join(self.dir, "dovecot-dict-recall-maps.conf.ext")
        with open(maps, "w") as f:
            subprocess.run(["awk", "-f", os.path.join(REPO, "tools", "dict-maps-dovecot24.awk"),
                            os.path.join(REPO, "conf.d", "dovecot-dict-recall-maps.conf.ext")],
                           stdout=f, check=True)
        recall_conf = shipped_recall_conf("90-recall-dovecot24.conf.in")
        replacements = [
            ("@recall_datadir@/recall-plugins.conf.ext",
             os.path.join(REPO, "conf.d", "recall-plugins-dovecot24.conf.ext")),
            ("@dovecot_confdir@/dovecot-dict-recall-maps.conf.ext", maps),
            ("@ledger_dir@", ledger_dir)]
        if self.ledger == "pgsql":
            replacements += [
                ("sql_driver = sqlite\n    sqlite_path = %s/ledger.db\n"
                 "    sqlite_journal_mode = wal\n" % ledger_dir,
                 "sql_driver = pgsql\n" + self.postgres.dovecot24_block()),
                ("recall_sqlite_ledger = %s/ledger.db" % ledger_dir, "recall_sqlite_ledger =")]
        for old, new in replacements:
            assert old in recall_conf, old
            recall_conf = recall_conf.replace(old, new)
        with open(os.path.join(self.dir, "90-recall.conf"), "w") as f:
            f.write(recall_conf)

    def _copy_conf(self, name, replacements):
        """A shipped conf.d file in the temp dir, with its lines replaced."""
        with open(os.path.join(REPO, "conf.d", name)) as f:
            text = f.read()
        for old, new in replacements.items():
            assert old in text, (name, old)
            text = text.replace(old, new)
        path = os.path.join(self.dir, name.replace(".in", ""))
        with open(path, "w") as f:
            f.write(text)
        return path

    def ledger_uri(self):
        if DOVECOT_24:  # what names the ledger: the dict { } of recall { }
            assert self.ledger in ("sqlite", "pgsql"), "2.4 has no %s ledger" % self.ledger
            return "recall"
        if self.ledger in ("sqlite", "pgsql"):
            return "proxy::recall"
        return {"fs": "fs:posix:prefix=%s/fs/", "file": "file:%s/ledger.dict"}[
            self.ledger] % self.ledger_dir

    def _instance_conf(self, versions=True):
        """What makes this instance private: its directories, log and
        loopback, in plain text. versions: 2.4's, which come first in a
        config (not in a file it includes)."""
        d = self.dir
        # 2.4: its versions first; plaintext logins have another name.
        head = "dovecot_config_version = 2.4.1\ndovecot_storage_version = 2.4.1"
        return f"""{head if DOVECOT_24 and versions else ""}
base_dir = {d}/run
state_dir = {d}/state
instance_name = recall-{os.path.basename(d)}
log_path = {self.log}
listen = 127.0.0.1
ssl = no
{"auth_allow_cleartext = yes" if DOVECOT_24 else "disable_plaintext_auth = no"}"""

    def _plugin_lines(self, extra=None):
        """The plugin { } lines: extra, the test's settings, recall_dict. A
        value may be a function: read when the config is written (the other
        backends' ports are known only then)."""
        settings = dict(extra or {}, **self.plugin_settings)
        if not DOVECOT_24:  # 2.4's ledger is in 90-recall.conf's recall { }
            settings["recall_dict"] = self.ledger_uri()
        return "\n".join("  %s = %s" % (k, v() if callable(v) else v)
                          for k, v in settings.items())

    def _write_conf(self):
        backend = dict(recall_host=self.host(),
                       recall_host_password=DOVEADM_PASSWORD) if self.backend else {}
        plugin = self._plugin_lines(backend) if self.plugin else ""
        if DOVECOT_24:  # the recall settings at top level: they have their names there
            head, settings = self._head_24(), plugin
        else:
            head, settings = self._head_23(), "plugin {\n%s\n}" % plugin
        conf = f"""{head}
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
protocols = imap pop3 lmtp
doveadm_api_key = {API_KEY}
doveadm_password = {DOVEADM_PASSWORD}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}
{listeners_conf(self.ports)}
{"!include %s/90-recall.conf" % self.dir if self.plugin else ""}
{settings}
{self.extra_conf}
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def _head_24(self):
        """Dovecot 2.4's own lines: its versions first, the instance's
        directories, the mail format and the users."""
        d = self.dir
        return f"""{self._instance_conf().lstrip()}
mail_driver = maildir
mail_path = ~/Maildir
passdb passwd-file {{
  passwd_file_path = {d}/users
}}
userdb passwd-file {{
  passwd_file_path = {d}/users
}}"""

    def _head_23(self):
        d = self.dir
        return f"""{self._instance_conf()}
mail_location = maildir:~/Maildir
mail_debug = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
}}"""

    # --- clients ---------------------------------------------------------
    def imap(self, user, source_ip=WEBMAIL_IP):
        conn = SourceBoundIMAP("127.0.0.1", self.ports["imap"], source_ip)
        conn.login(user, PASSWORD)
        return conn

    def pop3(self, user):
        conn = poplib.POP3("127.0.0.1", self.ports["pop3"])
        conn.user(user)
        conn.pass_(PASSWORD)
        return conn

    def pop3_retr_newest(self, user):
        """A mail client's download: POP3 RETR of the newest message."""
        pop = self.pop3(user)
        try:
            pop.retr(len(pop.list()[1]))
        finally:
            pop.quit()

    def lmtp_deliver(self, sender, recipients, message, committed=True, before_quit=None):
        """Delivers over LMTP; returns {recipient: (code, text)}. committed:
        once the records are in the ledger (wait_committed). before_quit():
        called after the replies, the connection still open (on Dovecot
        2.4 its lmtp process ends with it)."""
        with smtplib.LMTP("127.0.0.1", self.ports["lmtp"]) as lmtp:
            lmtp.ehlo("test")
            code, text = lmtp.mail(sender)
            assert code == 250, (code, text)
            accepted = []
            for rcpt in recipients:
                code, text = lmtp.rcpt(rcpt)
                assert code == 250, (rcpt, code, text)
                accepted.append(rcpt)
            lmtp.putcmd("data")
            code, text = lmtp.getreply()
            assert code == 354, (code, text)
            data = message if isinstance(message, bytes) else message.encode()
            data = re.sub(rb"\r\n|\n|\r(?!\n)", b"\r\n", data)
            data = re.sub(rb"(?m)^\.", b"..", data).rstrip(b"\r\n")
            lmtp.send(data + b"\r\n.\r\n")
            replies = {rcpt: lmtp.getreply() for rcpt in accepted}
            if before_quit is not None:
                before_quit()
        if committed:
            self.wait_committed()
        return replies

    def pids(self, service):
        """The PIDs of this instance's processes of a service (lmtp, dict)."""
        pattern = "recall-%s/%s" % (os.path.basename(self.dir), service)
        found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True)
        return [int(pid) for pid in found.stdout.split()]

    def remove_stale_uidlist_locks(self, users):
        """What Dovecot does, after its stale-lock timeout (two minutes,
        counted from the lock file's ctime), with a dovecot-uidlist.lock
        that a killed holder left: it removes it. For tests that kill a
        process and run nothing else meanwhile: every such lock is the
        killed process's."""
        for user in users:
            for folder, _, files in os.walk(os.path.join(self.dir, "home", user)):
                if "dovecot-uidlist.lock" in files:
                    os.unlink(os.path.join(folder, "dovecot-uidlist.lock"))

    def spool_dir(self):
        """Where lmtp processes keep the delivery records not yet committed
        (and checked for a recall) to this instance's ledger: the spool's
        directory of a ledger is named by the SHA-256 of its recall_dict."""
        return os.path.join(self.dir, "run", "recall-spool", spool_name(self.ledger_uri()))

    def spool_files(self):
        try:
            return os.listdir(self.spool_dir())
        except FileNotFoundError:
            return []

    def wait_committed(self, seconds=10.0):
        """Returns once every lmtp process's group commit is done (its spool
        file is removed then): the records are in the ledger, and a late
        copy of a recalled message is recalled."""
        if not eventually(lambda: not self.spool_files(), seconds):
            raise AssertionError("group commit not done: %s" % self.spool_files())

    def lda_deliver(self, sender, recipient, message):
        return subprocess.run(["/usr/lib/dovecot/dovecot-lda", "-c", self.conf, "-d", recipient,
                               "-f", sender],
                              input=message.encode() if isinstance(message, str) else message,
                              capture_output=True)

    def doveadm(self, *args, fmt=None):
        cmd = ["doveadm", "-c", self.conf] + (["-f", fmt] if fmt else []) + list(args)
        return subprocess.run(cmd, capture_output=True, text=True)

    def prune(self):
        """doveadm recall prune: (its result, {"pruned": N, "purged": N})."""
        r = self.doveadm("recall", "prune", fmt="tab")
        lines = r.stdout.split("\n")
        counts = dict(zip(lines[0].split("\t"), map(int, lines[1].split("\t")))) \
            if r.returncode == 0 else {}
        return r, counts

    def doveadm_http(self, command, params):
        body = json.dumps([[command, params, "t1"]]).encode()
        req = urllib.request.Request(
            "http://127.0.0.1:%d/doveadm/v1" % self.ports["http"], data=body,
            headers={"Content-Type": "application/json",
                     "Authorization": "X-Dovecot-API " + base64.b64encode(API_KEY.encode()).decode()})
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.loads(resp.read())

    def wait_for_log(self, text, seconds=5.0):
        """The log once it contains text (Dovecot's log process writes
        asynchronously), or as it is when seconds have passed."""
        deadline = time.time() + seconds
        while text not in self.log_text() and time.time() < deadline:
            time.sleep(0.05)
        return self.log_text()

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    # --- looking into mailboxes (header-only reads: never a download) ----
    def messages(self, user, mailbox="INBOX"):
        """[(uid, flags, email.message.Message of the headers)] of a mailbox."""
        conn = self.imap(user)
        try:
            typ, _ = conn.select('"%s"' % mailbox, readonly=True)
            assert typ == "OK", (user, mailbox)
            typ, data = conn.uid("FETCH", "1:*", "(UID FLAGS BODY.PEEK[HEADER])")
            result = []
            for item in data:
                if not isinstance(item, tuple):
                    continue
                meta = item[0].decode()
                uid = int(meta.split("UID ")[1].split()[0].rstrip(")"))
                flags = meta.split("FLAGS (")[1].split(")")[0].split()
                headers = email.message_from_bytes(item[1], policy=email.policy.compat32)
                result.append((uid, flags, headers))
            return result
        finally:
            conn.logout()

    def message_raw(self, user, mailbox, uid):
        """The message's bytes, read without setting \\Seen."""
        conn = self.imap(user)
        try:
            conn.select('"%s"' % mailbox, readonly=True)
            typ, data = conn.uid("FETCH", str(uid), "(BODY.PEEK[])")
            return data[0][1]
        finally:
            conn.logout()

    def message_ids(self, user, mailbox="INBOX"):
        return [h["Message-ID"] for _, _, h in self.messages(user, mailbox)]


_counter = [0]


def spool_name(ledger_uri):
    """The directory of a ledger in the spool: SHA-256 of its recall_dict."""
    return hashlib.sha256(ledger_uri.encode()).hexdigest()[:32]


def eventually(probe, seconds=5.0):
    """probe()'s first true value, polled until seconds have passed (then
    its last value): for what follows an LMTP reply a moment later, as a
    late copy recalled after the lmtp process's group commit."""
    deadline = time.time() + seconds
    while True:
        value = probe()
        if value or time.time() >= deadline:
            return value
        time.sleep(0.05)


def make_message(sender, to, subject="Quarterly numbers", cc=(), bcc=(), message_id=True,
                 body="Please find the numbers below.\n", extra_headers=()):
    _counter[0] += 1
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    if bcc:
        msg["Bcc"] = ", ".join(bcc)
    msg["Subject"] = subject
    msg["Date"] = email.utils.formatdate(localtime=True)
    if message_id is True:
        message_id = "<test.%d.%d.%d@example.com>" % (os.getpid(), time.time_ns(), _counter[0])
    if message_id:
        msg["Message-ID"] = message_id
    for name, value in extra_headers:
        msg[name] = value
    msg.set_content(body)
    return message_id, msg.as_bytes(policy=email.policy.SMTP)


def send(dovecot, sender, to, cc=(), bcc=(), deliver_to=None, committed=True, **kw):
    """What a webmail does: save the sender's copy in Sent, hand the message
    to the MTA (here: LMTP straight to the local recipients). Returns
    (message_id, uid of the Sent copy). committed: see lmtp_deliver."""
    message_id, raw = make_message(sender, to, cc=cc, bcc=bcc, **kw)
    local = deliver_to if deliver_to is not None else list(to) + list(cc) + list(bcc)
    # Bcc is not in what the MTA delivers.
    delivered = raw.replace(b"Bcc: " + ", ".join(bcc).encode() + b"\r\n", b"") if bcc else raw
    return message_id, send_raw(dovecot, sender, raw, local, delivered, committed)


def send_raw(dovecot, sender, raw, deliver_to, delivered=None, committed=True):
    """send() for a message given as bytes: saves raw in the sender's Sent,
    delivers `delivered` (default raw) over LMTP; returns the Sent UID."""
    conn = dovecot.imap(sender)
    try:
        typ, data = conn.append("Sent", r"(\Seen)", None, raw)
        assert typ == "OK", data
        uid = int(data[0].decode().split("APPENDUID ")[1].split()[1].rstrip("]"))
    finally:
        conn.logout()
    if deliver_to:
        replies = dovecot.lmtp_deliver(sender, deliver_to, raw if delivered is None else delivered,
                                       committed)
        for rcpt, (code, text) in replies.items():
            assert code == 250, (rcpt, code, text)
    return uid


def xrecall(conn, *args, uid=True):
    """Runs [UID] XRECALL; returns (tagged status, tagged text, untagged
    XRECALL lines). BAD comes back as status "BAD"."""
    conn.untagged_responses.pop("XRECALL", None)
    try:
        # Not conn.uid(): it replaces an OK's tagged text with FETCH data.
        words = ("UID", "XRECALL") if uid else ("XRECALL",)
        typ, data = conn._simple_command(*words, *args)
    except imaplib.IMAP4.error as e:
        return "BAD", str(e), []
    lines = [line.decode() for line in conn.untagged_responses.pop("XRECALL", [])]
    text = data[0].decode() if data and data[0] else ""
    return typ, text, lines


def sent_xrecall(dovecot, user, uid, *words):
    """xrecall() on a message of user's Sent, in a webmail session of its own."""
    conn = dovecot.imap(user)
    try:
        conn.select("Sent")
        return xrecall(conn, *words, str(uid))
    finally:
        conn.logout()


def parse_rows(lines):
    """{address: state} and the RESULT fields of XRECALL untagged lines."""
    rows, result = {}, None
    for line in lines:
        parts = line.split()
        if parts[1] == "RECIPIENT":
            rows[line.split('"')[1]] = parts[-1]
        elif parts[1] == "RESULT":
            result = dict(zip(parts[3::2], parts[4::2]), RESULT=parts[2])
    return rows, result


def message_text(dovecot, user, mailbox, uid):
    return email.message_from_bytes(dovecot.message_raw(user, mailbox, uid),
                                    policy=email.policy.default)


def find(messages, header, value):
    """The (uid, flags, headers) whose header equals value."""
    return [m for m in messages if m[2][header] == value]
