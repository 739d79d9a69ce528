"""A private PostgreSQL server for the tests: Debian's postgresql binaries,
initdb + pg_ctl in a temp dir owned by the postgres user, listening on
127.0.0.1 only, with one database and one password-authenticated role
for the ledger. Needs root (it runs the server as postgres)."""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time

from harness import free_ports

DATABASE, ROLE, PASSWORD = "recall", "recall", "recall-ledger-pw"


def _bin(name):
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if not found:
        raise RuntimeError("PostgreSQL's %s not found: apt-get install postgresql" % name)
    return found[-1]


class Postgres:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="recall-pgsql-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_ports(("pgsql",))["pgsql"]
        self.started = False
        owner = pwd.getpwnam("postgres")
        os.chown(self.dir, owner.pw_uid, owner.pw_gid)

    def _as_postgres(self, args, **kw):
        return subprocess.run(["runuser", "-u", "postgres", "--"] + args, check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)

    def start(self):
        # Local socket: trust (the test's own psql as postgres); TCP: password only.
        self._as_postgres([_bin("initdb"), "-D", self.data, "-U", "postgres", "--auth-local=trust",
                           "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"])
        self._pg_ctl_start()
        self.sql("CREATE ROLE %s LOGIN PASSWORD '%s'" % (ROLE, PASSWORD))
        self.sql("CREATE DATABASE %s OWNER %s" % (DATABASE, ROLE))
        return self

    def stop(self, keep=False):
        if self.started:
            self._as_postgres([_bin("pg_ctl"), "-D", self.data, "-m", "fast", "-w", "stop"])
            self.started = False
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def _pg_ctl_start(self):
        self._as_postgres([_bin("pg_ctl"), "-D", self.data, "-w", "-l",
                           os.path.join(self.dir, "server.log"), "-o",
                           "-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off "
                           "-c log_line_prefix='%%m [%%p] %%u: '" %
                           (self.port, self.dir), "start"])
        self.started = True

    def restart(self):
        """Stopped and started again (an outage, then the server is back)."""
        self.stop(keep=True)
        self._pg_ctl_start()

    def sql(self, statement, database="postgres", user="postgres"):
        """Runs SQL over the local socket; returns psql's unaligned output."""
        return self._as_postgres(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h",
                                  self.dir, "-p", str(self.port), "-U", user, "-d", database,
                                  "-c", statement]).stdout

    def load(self, path):
        """Runs an SQL file in the ledger database as the ledger's role."""
        with open(path) as f:
            return self._as_postgres(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.dir,
                                      "-p", str(self.port), "-U", ROLE, "-d", DATABASE], stdin=f)

    def count(self, table):
        """Rows in a table of the ledger database."""
        return int(self.sql("SELECT count(*) FROM %s" % table, database=DATABASE))

    def wait_for_more_rows(self, table, before, seconds=5.0):
        """Until table has more than `before` rows: for asynchronous ledger
        writes, such as download marks."""
        deadline = time.time() + seconds
        while self.count(table) <= before and time.time() < deadline:
            time.sleep(0.05)

    def set_statement_log(self, on):
        """log_statement = all for every session, open ones included."""
        self.sql("ALTER SYSTEM %s" % ("SET log_statement = 'all'" if on else "RESET log_statement"))
        self.sql("SELECT pg_reload_conf()")
        time.sleep(0.3)  # the reload reaches the sessions asynchronously

    def log_size(self):
        return os.path.getsize(os.path.join(self.dir, "server.log"))

    def log_text(self, start=0):
        with open(os.path.join(self.dir, "server.log"), errors="replace") as f:
            f.seek(start)
            return f.read()

    def fill_ledger(self, rows):
        """`rows` made-up rows in each ledger table (the recall_bucket index
        holds one row per minute of retention: a day's worth), analyzed."""
        self.sql("""
            INSERT INTO recall_delivery SELECT md5(i::text), md5('c' || i), 'filler'
              FROM generate_series(1, {n}) i;
            INSERT INTO recall_expiry SELECT (29000000 + i / 1000)::text, md5(i::text), '1'
              FROM generate_series(1, {n}) i;
            INSERT INTO recall_expiry_group SELECT (29000000 + i / 10)::text, md5('g' || i),
                md5(i::text) || ' ' || md5('m' || i) FROM generate_series(1, {n}) i;
            INSERT INTO recall_bucket SELECT (29000000 + i)::text, '1'
              FROM generate_series(1, 1440) i;
            INSERT INTO recall_fetched SELECT md5('f' || i), '1' FROM generate_series(1, {n}) i;
            INSERT INTO recall_shared SELECT md5('s' || i), '1' FROM generate_series(1, {n}) i;
            INSERT INTO recall_mark_expiry SELECT (29000000 + i / 1000)::text, md5('f' || i), '1'
              FROM generate_series(1, {n}) i;
            INSERT INTO recall_marker SELECT md5('r' || i), 'filler'
              FROM generate_series(1, {n}) i;
            ANALYZE;""".format(n=rows), database=DATABASE, user=ROLE)

    def dovecot24_block(self):
        """The same connection in Dovecot 2.4's dict_server syntax (inside
        dict recall { }, after sql_driver = pgsql)."""
        return ("    pgsql 127.0.0.1 {\n      parameters {\n        port = %d\n"
                "        dbname = %s\n        user = %s\n        password = %s\n"
                "      }\n    }\n" % (self.port, DATABASE, ROLE, PASSWORD))

    def connect_string(self):
        """dict-sql's connect = for the ledger: TCP with the role's password."""
        return "host=127.0.0.1 port=%d dbname=%s user=%s password=%s" % (
            self.port, DATABASE, ROLE, PASSWORD)
