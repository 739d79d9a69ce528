#!/usr/bin/env python3
"""Instructions per LMTP delivery, with and without the plugin: the
noise-free figure behind P1 (docs/BENCHMARKS.md).

    tests/bench/instructions.py [--deliveries 400] [--recipients 1] [--top 25]

As root, after make and make install, with valgrind installed. Each private
Dovecot runs its only lmtp process under callgrind; after a warm-up its
counters are zeroed, --deliveries are made at one connection, and the
counters are dumped. Prints instructions per delivery of each and the
difference, and with --top the plugin's functions that cost the most
(inclusive)."""

import argparse
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import Dovecot  # noqa: E402

BENCH = os.path.join(REPO, "tools", "recall-bench", "recall-bench")
USERS = 20


def callgrind_conf(out_dir):
    return """service lmtp {
  process_limit = 1
  executable = /usr/bin/valgrind --tool=callgrind --callgrind-out-file=%s/cg.%%p /usr/lib/dovecot/lmtp
}
""" % out_dir


def deliver(dovecot, messages, recipients):
    cmd = [BENCH, "deliver", "-q", "--lmtp-port", str(dovecot.ports["lmtp"]),
           "--messages", str(messages), "--recipients", str(recipients), "--concurrency", "1",
           "--users", str(USERS), "--user-format", "u{n}@example.com",
           "--sender", "sender@example.com"]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def lmtp_pid(out_dir):
    found = subprocess.run(["pgrep", "-f", "callgrind-out-file=%s/" % out_dir],
                           capture_output=True, text=True)
    pids = [int(pid) for pid in found.stdout.split()]
    if len(pids) != 1:
        raise SystemExit("expected one lmtp process, found %r" % pids)
    return pids[0]


def total_instructions(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit("no totals in " + path)


def measure(plugin, args):
    out_dir = "/tmp/recall-callgrind-%s" % ("plugin" if plugin else "stock")
    subprocess.run(["rm", "-rf", out_dir], check=True)
    os.makedirs(out_dir)
    os.chmod(out_dir, 0o1777)
    users = {"u%d@example.com" % n: "" for n in range(USERS)}
    dovecot = Dovecot(users=users, plugin=plugin, extra_conf=callgrind_conf(out_dir))
    try:
        dovecot.start()
        deliver(dovecot, 50, args.recipients)  # warm-up: caches, first user set-ups
        dovecot.wait_committed() if plugin else None
        pid = lmtp_pid(out_dir)
        subprocess.run(["callgrind_control", "--zero", str(pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deliver(dovecot, args.deliveries // args.recipients, args.recipients)
        if plugin:
            dovecot.wait_committed()
            time.sleep(0.5)  # the marker lookups after the last commit
        subprocess.run(["callgrind_control", "--dump", str(pid)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finally:
        dovecot.stop()
    dumps = sorted(glob.glob(os.path.join(out_dir, "cg.%d.*" % pid)))
    if not dumps:
        raise SystemExit("callgrind wrote nothing in " + out_dir)
    return dumps[-1]


def top_functions(dump, count):
    r = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", dump],
                       capture_output=True, text=True, check=True)
    lines = [line for line in r.stdout.splitlines()
             if "recall" in line and line.strip()[:1].isdigit()]
    return lines[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=400)
    parser.add_argument("--recipients", type=int, default=1, help="per LMTP transaction")
    parser.add_argument("--top", type=int, default=0)
    args = parser.parse_args()
    stock = measure(False, args)
    plugin = measure(True, args)
    per = {name: total_instructions(dump) / args.deliveries
           for name, dump in (("stock", stock), ("plugin", plugin))}
    print("instructions per delivery, lmtp, %d rcpt/txn: stock %.0f, plugin %.0f, "
          "added %.0f (%+.1f %%)" % (args.recipients, per["stock"], per["plugin"],
                                    per["plugin"] - per["stock"],
                                    100 * (per["plugin"] / per["stock"] - 1)))
    if args.top:
        scale = 1.0 / args.deliveries
        for line in top_functions(plugin, args.top):
            count = int(line.split()[0].replace(",", ""))
            print("  %9.0f  %s" % (count * scale, line.split(None, 2)[-1][:110]))


if __name__ == "__main__":
    main()
