"""A private Roundcube 1.6 (Debian's package) served by `php -S` on loopback,
with the project's contrib/roundcube/xrecall plugin, talking to a test
Dovecot. Nothing under /etc/roundcube or /usr/share/roundcube is changed:
the tree is symlinks plus a config of its own in a temp dir."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

SHARE = "/usr/share/roundcube"
ETC = "/etc/roundcube"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLUGIN = os.path.join(REPO, "contrib", "roundcube", "xrecall")
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import free_ports  # noqa: E402

# php -S logs every connection; only the rest is worth showing.
ACCESS_LINE = re.compile(r"\] 127\.0\.0\.1:\d+ (Accepted|Closing|\[\d{3}\]: )")


class Roundcube:
    def __init__(self, imap_port, language="en_US"):
        self.imap_port = imap_port
        self.language = language
        self.dir = tempfile.mkdtemp(prefix="recall-roundcube-")
        self.port = free_ports(("http",))["http"]
        self.url = "http://127.0.0.1:%d/" % self.port
        self.server = None

    def start(self):
        self._build_tree()
        self.server = subprocess.Popen(
            ["php", "-S", "127.0.0.1:%d" % self.port, "-t", os.path.join(self.dir, "public_html")],
            stdout=open(os.path.join(self.dir, "php-server.log"), "w"), stderr=subprocess.STDOUT)
        deadline = time.time() + 15
        while True:
            try:
                with urllib.request.urlopen(self.url, timeout=5) as page:
                    if page.status == 200:
                        return self
            except OSError:
                if time.time() > deadline or self.server.poll() is not None:
                    raise RuntimeError("Roundcube did not start; log:\n" + self.log_text())
                time.sleep(0.1)

    def stop(self, keep=False):
        if self.server:
            self.server.terminate()
            self.server.wait(10)
            self.server = None
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log_text(self):
        """Roundcube's errors.log and what php -S said, without its access lines."""
        text = ""
        for name in ("php-server.log", os.path.join("logs", "errors.log")):
            path = os.path.join(self.dir, name)
            if os.path.exists(path):
                with open(path, errors="replace") as f:
                    lines = [line for line in f if not ACCESS_LINE.search(line)]
                text += "== %s\n%s" % (name, "".join(lines))
        return text

    def _build_tree(self):
        d = self.dir
        for name in ("program", "skins", "SQL", "index.php", "vendor"):
            if os.path.exists(os.path.join(SHARE, name)):
                os.symlink(os.path.join(SHARE, name), os.path.join(d, name))
        plugins = os.path.join(d, "plugins")
        os.makedirs(plugins)
        for name in os.listdir(os.path.join(SHARE, "plugins")):
            os.symlink(os.path.join(SHARE, "plugins", name), os.path.join(plugins, name))
        os.symlink(PLUGIN, os.path.join(plugins, "xrecall"))
        config = os.path.join(d, "config")
        os.makedirs(config)
        for name in ("defaults.inc.php", "mimetypes.php"):
            os.symlink(os.path.join(ETC, name), os.path.join(config, name))
        for sub in ("db", "logs", "temp"):
            os.makedirs(os.path.join(d, sub))
        subprocess.run(["sqlite3", os.path.join(d, "db", "roundcube.db")],
                       stdin=open(os.path.join(SHARE, "SQL", "sqlite.initial.sql")), check=True)
        with open(os.path.join(config, "config.inc.php"), "w") as f:
            f.write(f"""<?php
$config = [];
$config['db_dsnw'] = 'sqlite:///{d}/db/roundcube.db?mode=0640';
$config['imap_host'] = '127.0.0.1:{self.imap_port}';
$config['smtp_host'] = '127.0.0.1:25';
$config['des_key'] = 'xrecall-e2e-test-key-24c';
$config['plugins'] = ['xrecall'];
$config['skin'] = 'elastic';
$config['language'] = '{self.language}';
$config['log_dir'] = '{d}/logs/';
$config['temp_dir'] = '{d}/temp/';
$config['enable_installer'] = false;
$config['support_url'] = '';
""")
        public = os.path.join(d, "public_html")
        os.makedirs(os.path.join(public, "program"))
        with open(os.path.join(public, "index.php"), "w") as f:
            f.write("<?php\ndefine('INSTALL_PATH', '%s/');\nrequire '%s/index.php';\n" % (d, d))
        for name in ("plugins", "skins"):
            os.symlink(os.path.join(d, name), os.path.join(public, name))
        for name in ("js", "resources"):
            os.symlink(os.path.join(SHARE, "program", name), os.path.join(public, "program", name))
