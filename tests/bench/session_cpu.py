#!/usr/bin/env python3
"""CPU per POP3 or IMAP session that downloads nothing, by kind of Dovecot
process, with and without the plugin: where P2's per-session figure goes
(docs/BENCHMARKS.md).

    tests/bench/session_cpu.py [--protocol imap] [--rounds 8] [--stock-conf] [--with-conf FILE]
                               [--aa]

As root, after make and make install. Starts a private Dovecot with the
plugin and one without; each round runs 500 sessions (10 x 50 users,
recall-bench fetch --messages 0, 2 at a time) on each, alternating which
goes first, and reads each living process's own CPU time (schedstat,
nanoseconds) before and after, by its name (config, auth, log, stats,
anvil, the master), and the CPU of the processes that ended (the login
and mail processes, reaped by the master: its cutime and cstime, in clock
ticks, so about 20 us per session of resolution). Prints the medians per
session and what the plugin adds."""

import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import OTHER_IP, Dovecot  # noqa: E402

from cpu import descendants, master_pid, process_seconds  # noqa: E402
from lmtp_load import BENCH, prototype_conf  # noqa: E402
from stock_conf import StockDovecot  # noqa: E402

USERS, ROUNDS_OF_USERS = 50, 10
ENDED = "ended (login, mail)"


def seconds_by_process(dovecot):
    """{(pid, name): (own CPU seconds, CPU seconds of its ended children)}."""
    found = {}
    for pid in descendants(master_pid(dovecot)):
        try:
            with open("/proc/%d/comm" % pid) as f:
                name = f.read().strip()
            found[(pid, name)] = process_seconds(pid)
        except (OSError, ValueError, IndexError):
            pass  # ended while listed: its parent counts it
    return found


def sessions(dovecot, protocol):
    """CPU microseconds per session, by kind of process."""
    ports = dovecot.ports
    extra = ["--source-ip", OTHER_IP] if protocol == "imap" else []
    before = seconds_by_process(dovecot)
    for _ in range(ROUNDS_OF_USERS):
        subprocess.run([BENCH, "fetch", "--protocol", protocol, "--users", str(USERS),
                        "--user-format", "u{n}@example.com", "--messages", "0",
                        "--concurrency", "2", "--json", "-q",
                        "--imap-port", str(ports["imap"]), "--pop3-port", str(ports["pop3"]),
                        "--lmtp-port", str(ports["lmtp"]), "--http-port", str(ports["http"]),
                        *extra], check=True, capture_output=True)
    after = seconds_by_process(dovecot)
    kinds = {}
    for key, (own, ended) in after.items():
        own_before, ended_before = before.get(key, (0.0, 0.0))
        kinds[key[1]] = kinds.get(key[1], 0.0) + own - own_before
        kinds[ENDED] = kinds.get(ENDED, 0.0) + ended - ended_before
    count = ROUNDS_OF_USERS * USERS
    return {kind: seconds / count * 1e6 for kind, seconds in kinds.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--protocol", choices=("pop3", "imap"), default="pop3")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--stock-conf", action="store_true",
                        help="both Dovecots from Debian's stock conf.d (tests/bench/run's)")
    parser.add_argument("--with-conf", metavar="FILE",
                        help="settings added last to the 'with' Dovecot (tests/bench/prototype)")
    parser.add_argument("--aa", action="store_true",
                        help="both without the plugin (with --with-conf: what its settings cost)")
    args = parser.parse_args()
    org = {"u%d@example.com" % n: "" for n in range(USERS)}
    kind = StockDovecot if args.stock_conf else Dovecot
    with_plugin = kind(users=org, plugin=not args.aa, extra_conf=prototype_conf(args.with_conf))
    without = kind(users=org, plugin=False)
    with_plugin.start()
    without.start()
    pairs = []
    try:
        for r in range(args.rounds):
            if r % 2 == 0:
                a = sessions(with_plugin, args.protocol)
                b = sessions(without, args.protocol)
            else:
                b = sessions(without, args.protocol)
                a = sessions(with_plugin, args.protocol)
            pairs.append((a, b))
    finally:
        with_plugin.stop()
        without.stop()
    kinds = sorted(set().union(*(set(a) | set(b) for a, b in pairs)))
    print("%s: CPU per session that downloads nothing, median of %d rounds, us"
          % (args.protocol, args.rounds))
    for kind in kinds + ["all"]:
        def of(run):
            return sum(run.values()) if kind == "all" else run.get(kind, 0.0)
        added = statistics.median(of(a) - of(b) for a, b in pairs)
        print("  %-20s with %8.1f  without %8.1f  added %+8.1f" % (
            kind, statistics.median(of(a) for a, _ in pairs),
            statistics.median(of(b) for _, b in pairs), added))


if __name__ == "__main__":
    main()
