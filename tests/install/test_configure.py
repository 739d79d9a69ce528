"""Building from a checkout (issue 12, point 4): README's commands work from
a git clone; configure stops with a message naming the package when
Dovecot's headers or its SQLite driver are missing; without CppUnit or
Boost the modules still build, and configure says what it left out."""

import os
import shutil
import subprocess
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DOVECOT = "/usr/lib/dovecot"

tree = None


def setUpModule():
    """A clone of this checkout's HEAD, with autoreconf -fi run as README says."""
    global tree
    tree = tempfile.mkdtemp(prefix="recall-clone-")
    subprocess.run(["git", "clone", "-q", REPO, tree], check=True)
    subprocess.run(["autoreconf", "-fi"], cwd=tree, check=True, capture_output=True)


def tearDownModule():
    shutil.rmtree(tree, ignore_errors=True)


def fake_dovecot(**changes):
    """A --with-dovecot directory: Dovecot's dovecot-config with some paths
    changed to places that do not exist."""
    d = tempfile.mkdtemp(prefix="recall-fake-dovecot-")
    with open(os.path.join(DOVECOT, "dovecot-config")) as f:
        lines = f.read().splitlines()
    out = []
    for line in lines:
        name = line.split("=", 1)[0]
        out.append("%s=%s" % (name, changes[name]) if name in changes else line)
    with open(os.path.join(d, "dovecot-config"), "w") as f:
        f.write("\n".join(out) + "\n")
    return d


def configure(*args, env=None):
    return subprocess.run(["./configure", "--with-dovecot=%s" % args[0]] + list(args[1:]),
                          cwd=tree, capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


class ConfigureTest(unittest.TestCase):
    def test_without_dovecot_headers(self):
        d = fake_dovecot(LIBDOVECOT_INCLUDE="-I/nonexistent/include")
        r = configure(d)
        self.assertNotEqual(0, r.returncode)
        self.assertIn("install dovecot-dev", r.stderr)

    def test_without_the_sqlite_driver(self):
        d = fake_dovecot(dovecot_moduledir="/nonexistent/modules")
        r = configure(d)
        self.assertNotEqual(0, r.returncode)
        self.assertIn("install dovecot-sqlite", r.stderr)

    def test_modules_build_without_cppunit_and_boost(self):
        r = configure(DOVECOT, env={"ac_cv_header_boost_program_options_hpp": "no",
                                    "PKG_CONFIG_LIBDIR": "/nonexistent"})
        self.assertEqual(0, r.returncode, r.stderr[-2000:])
        self.assertIn("left out: the unit tests (make check) need CppUnit", r.stdout)
        self.assertIn("left out: tools/recall-bench needs Boost.Program_options", r.stdout)
        r = subprocess.run(["make", "-j2"], cwd=tree, capture_output=True, text=True)
        self.assertEqual(0, r.returncode, r.stderr[-2000:])
        for module in ("lib90_recall_plugin.la", "lib91_recall_deliver_plugin.la",
                       "lib95_imap_recall_plugin.la", "lib10_doveadm_recall_plugin.la"):
            self.assertTrue(os.path.exists(os.path.join(tree, module)), module)
        self.assertFalse(os.path.exists(os.path.join(tree, "tools/recall-bench/recall-bench")))


if __name__ == "__main__":
    unittest.main()


class DistcheckTest(unittest.TestCase):
    """make distcheck (issue 12, point 5): the tarball builds, passes make
    check, installs into its own prefix and uninstalls cleanly, and holds
    what an admin needs."""

    def test_distcheck_and_tarball_contents(self):
        r = configure(DOVECOT)
        self.assertEqual(0, r.returncode, r.stderr[-2000:])
        r = subprocess.run(["make", "distcheck"], cwd=tree, capture_output=True, text=True)
        self.assertEqual(0, r.returncode, (r.stdout[-3000:], r.stderr[-3000:]))
        self.assertIn("archives ready for distribution", r.stdout)
        tarball = [f for f in os.listdir(tree) if f.endswith(".tar.gz")][0]
        listing = subprocess.run(["tar", "tzf", os.path.join(tree, tarball)],
                                 capture_output=True, text=True, check=True).stdout
        top = tarball[:-len(".tar.gz")] + "/"
        for path in ("configure", "LICENSE", "README.md", "conf.d/90-recall.conf.in",
                     "conf.d/recall-plugins.conf.ext", "conf.d/dovecot-dict-recall-maps.conf.ext",
                     "contrib/sql/recall-ledger.sql", "contrib/systemd/dovecot-recall-prune.timer",
                     "contrib/cron/dovecot-recall-prune", "contrib/roundcube/xrecall/xrecall.php",
                     "docs/doveadm-recall.1", "docs/SCALING.md"):
            self.assertIn(top + path, listing.splitlines(), path)
