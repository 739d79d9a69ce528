#!/usr/bin/env python3
"""Instructions of one POP3 or IMAP session that downloads nothing, with
and without the plugin: the noise-free figure behind P2's per-session cost
(docs/BENCHMARKS.md).

    tests/bench/session_instructions.py [--with-conf FILE ...] [--stock-conf]

As root, after make and make install, with valgrind and strace installed.
For each Dovecot (stock; the plugin; the plugin with each FILE's settings
added last, as tests/bench/run --with-conf does) it runs the mail process
of one pre-authenticated session (`pop3 -u` / `imap -u`: log in, QUIT or LOGOUT)
under callgrind, as the mail user's uid, and prints its instructions and
those it adds to stock. Instructions leave out the kernel's share, mapping
and faulting in the modules, which a second module pays though it adds
few instructions; so the same session is also run under strace for its
system calls and alone for its page faults (medians of five runs, after
the mailbox rests). Neither gives CPU time; they rank variants. The login
process is not part of it: it is the same with and without the plugin."""

import argparse
import glob
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import Dovecot  # noqa: E402
from stock_conf import StockDovecot  # noqa: E402
from lmtp_load import prototype_conf  # noqa: E402

USER = "u0@example.com"
QUIT = {"pop3": b"QUIT\r\n", "imap": b"a LOGOUT\r\n"}
MAILDIR_REST = 2.5  # seconds: past the window in which Dovecot takes a maildir as changed


def run_session(dovecot, protocol, wrapper=()):
    """One pre-authenticated session's mail process, under wrapper (a
    command and its options) if given."""
    subprocess.run(list(wrapper) + ["/usr/lib/dovecot/" + protocol, "-c", dovecot.conf,
                                    "-u", USER],
                   input=QUIT[protocol], check=True, capture_output=True)


def session_instructions(dovecot, protocol):
    """Instructions of one session's mail process. Dovecot re-executes the
    binary through doveconf, hence --trace-children; the process runs as
    nobody (the harness's mail uid) so that callgrind can write its file
    after Dovecot drops privileges."""
    # A first session creates the user's mailbox and indexes: not measured.
    run_session(dovecot, protocol)
    out_dir = tempfile.mkdtemp(prefix="recall-session-cg-")
    os.chmod(out_dir, 0o1777)
    run_session(dovecot, protocol, ["runuser", "-u", "nobody", "--", "valgrind",
                                    "--tool=callgrind", "--trace-children=yes",
                                    "--callgrind-out-file=%s/cg.%%p" % out_dir])
    totals = []
    for path in glob.glob(os.path.join(out_dir, "cg.*")):
        with open(path) as f:
            totals += [int(line.split()[1]) for line in f
                       if line.startswith(("summary:", "totals:"))][:1]
    subprocess.run(["rm", "-rf", out_dir], check=True)
    if len(totals) != 1:
        raise SystemExit("expected one callgrind file of the %s process, found %d" %
                         (protocol, len(totals)))
    return totals[0]


def session_kernel(dovecot, protocol, runs=5):
    """Median system calls (strace -c) and minor page faults of one
    session's mail process, as root: Dovecot drops privileges itself.
    A session within a second or two of one that changed the maildir syncs
    it again and rewrites a file (about 75 more system calls in POP3), and
    so does the one after it; so the mailbox first rests and one session
    runs unmeasured, after which sessions that change nothing follow."""
    time.sleep(MAILDIR_REST)
    run_session(dovecot, protocol)
    faults = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
        run_session(dovecot, protocol)
        faults.append(resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before)
    calls = []
    for _ in range(runs):
        with tempfile.NamedTemporaryFile(mode="r", prefix="recall-session-strace-") as out:
            run_session(dovecot, protocol, ["strace", "-f", "-c", "-o", out.name])
            total = [line.split() for line in out if line.rstrip().endswith("total")]
        calls.append(int(total[0][3]))  # % time, seconds, usecs/call, calls, [errors,] total
    return statistics.median(calls), statistics.median(faults)


def variants(args):
    kind = StockDovecot if args.stock_conf else Dovecot
    yield "stock", kind(users={USER: ""}, plugin=False)
    yield "plugin", kind(users={USER: ""})
    for path in args.with_conf:
        yield os.path.basename(path), kind(users={USER: ""}, extra_conf=prototype_conf(path))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--with-conf", metavar="FILE", nargs="*", default=[],
                        help="settings added last to the plugin's Dovecot, one variant each")
    parser.add_argument("--stock-conf", action="store_true",
                        help="both from Debian's stock conf.d, as tests/bench/run's")
    args = parser.parse_args()
    stock = {}
    for name, dovecot in variants(args):
        dovecot.start()
        try:
            for protocol in ("pop3", "imap"):
                figures = (session_instructions(dovecot, protocol),) + \
                    session_kernel(dovecot, protocol)
                base = stock.setdefault(protocol, figures)
                print("%-4s %-22s %9d instructions (%+8d), %4d system calls (%+4d), "
                      "%5d page faults (%+5d)" %
                      (protocol, name, figures[0], figures[0] - base[0], figures[1],
                       figures[1] - base[1], figures[2], figures[2] - base[2]), flush=True)
        finally:
            dovecot.stop()


if __name__ == "__main__":
    main()
