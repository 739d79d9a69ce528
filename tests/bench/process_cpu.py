#!/usr/bin/env python3
"""CPU time per LMTP delivery of each kind of Dovecot process (lmtp, dict,
auth, log), with and without the plugin: where P1's figure goes
(docs/BENCHMARKS.md).

    tests/bench/process_cpu.py [--recipients 10] [--connections 1] [--rounds 5]
                               [--deliveries 1000] [--with-conf FILE]

As root, after make and make install. Each round starts a private
Dovecot with one lmtp process per connection, makes a warm-up and then
--deliveries at --connections, and reads every Dovecot process's own CPU time
(schedstat, nanoseconds) before and after; rounds alternate with and
without the plugin (ABBA order). Prints the median per process kind and
what the plugin adds, and the median ratio of the pairs' totals.
Processes that end during the deliveries are not counted
(tests/bench/run's total counts them): with the lmtp processes kept and
the dict servers kept by the group commit, none does here."""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import Dovecot  # noqa: E402

from cpu import own_seconds  # noqa: E402
from lmtp_load import bench_users, deliver, prototype_conf  # noqa: E402

KINDS = ("lmtp", "dict", "auth", "log")


def own_seconds_by_pid():
    """CPU seconds of each live Dovecot process so far, by pid, with its
    kind (the executable's name)."""
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            exe = os.readlink("/proc/%s/exe" % name)
            if "dovecot" in exe:
                found[name] = (os.path.basename(exe), own_seconds(int(name)))
        except (OSError, ValueError):
            pass  # ended while read
    return found


def one_round(plugin, args, extra_conf):
    """Microseconds per delivery by process kind, and in all."""
    conf = "service lmtp {\n  process_limit = %d\n}\n" % args.connections + (
        extra_conf if plugin else "")
    dovecot = Dovecot(users=bench_users(), plugin=plugin, extra_conf=conf)
    try:
        dovecot.start()
        deliver(dovecot, max(args.connections, 200 // args.recipients), args.recipients,
                args.connections)  # warm-up
        time.sleep(0.3)  # the group commit after the warm-up
        before = own_seconds_by_pid()
        deliver(dovecot, args.deliveries // args.recipients, args.recipients, args.connections)
        time.sleep(0.3)  # the last group commit
        after = own_seconds_by_pid()
    finally:
        dovecot.stop()
    spent = {}
    for pid, (kind, secs) in after.items():
        spent[kind] = spent.get(kind, 0) + secs - before.get(pid, (kind, 0))[1]
    spent["all"] = sum(spent.values())
    return {kind: secs * 1e6 / args.deliveries for kind, secs in spent.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipients", type=int, default=10, help="per LMTP transaction")
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--deliveries", type=int, default=1000)
    parser.add_argument("--with-conf", metavar="FILE",
                        help="more configuration for the plugin's Dovecot (a prototype's)")
    args = parser.parse_args()
    extra_conf = prototype_conf(args.with_conf)
    runs = {False: [], True: []}
    for n in range(2 * args.rounds):
        plugin = (n % 4) in (1, 2)  # ABBA: neither goes first in every pair
        runs[plugin].append(one_round(plugin, args, extra_conf))
    for kind in KINDS + ("all",):
        stock = statistics.median(r.get(kind, 0.0) for r in runs[False])
        with_plugin = [r.get(kind, 0.0) for r in runs[True]]
        median = statistics.median(with_plugin)
        print("%-4s us per delivery, %d rcpt/txn, %d conn: stock %6.1f  plugin %6.1f  "
              "added %+6.1f  (plugin's rounds: %s)"
              % (kind, args.recipients, args.connections, stock, median, median - stock,
                 " ".join("%.0f" % v for v in with_plugin)))
    # Each round's pair (the same slot of the machine's load): their ratio.
    ratios = [p["all"] / s["all"] for s, p in zip(runs[False], runs[True])]
    print("all, plugin / stock of each pair: median %.3f  (%s)"
          % (statistics.median(ratios), " ".join("%.3f" % r for r in ratios)))


if __name__ == "__main__":
    main()
