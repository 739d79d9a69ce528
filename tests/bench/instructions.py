#!/usr/bin/env python3
"""Instructions per LMTP delivery, with and without the plugin: the
noise-free figure behind P1 (docs/BENCHMARKS.md).

    tests/bench/instructions.py [--deliveries 400] [--recipients 1] [--top 25]
                                [--with-conf FILE]

As root, after make and make install, with valgrind installed. Each private
Dovecot runs its only lmtp process, and the plugin's Dovecot also its dict
servers (the ledger's writers), under callgrind; after a warm-up their
counters are zeroed, --deliveries are made at one connection, and the
counters are dumped. Prints instructions per delivery of each process and
the difference, and with --top the plugin's functions that cost the most in
lmtp (inclusive)."""

import argparse
import glob
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import Dovecot  # noqa: E402
sys.path.insert(0, HERE)
from lmtp_load import bench_users, deliver, prototype_conf  # noqa: E402


SERVICES = ("lmtp", "dict")
# A dict server's work is counted inside its I/O and timeout callbacks only:
# its start (valgrind's and its own) is left out without callgrind_control,
# which cannot reach a process of another uid blocked in a system call.
DICT_COLLECT = "--collect-atstart=no --toggle-collect=io_loop_call_io " \
    "--toggle-collect=io_loop_handle_timeouts"


def callgrind_conf(out_dir):
    """lmtp's only process and every dict server under callgrind, dumping in
    out_dir/<service>/ (a dict server serves one connection at a time, so
    their number stays Dovecot's)."""
    return """service lmtp {
  process_limit = 1
  executable = /usr/bin/valgrind --tool=callgrind --callgrind-out-file=%s/lmtp/cg.%%p /usr/lib/dovecot/lmtp
}
service dict {
  executable = /usr/bin/valgrind --tool=callgrind %s --callgrind-out-file=%s/dict/cg.%%p /usr/lib/dovecot/dict
}
""" % (out_dir, DICT_COLLECT, out_dir)


def service_pids(out_dir, service):
    """The PIDs of the service's processes under callgrind (none for dict
    in the Dovecot without the plugin)."""
    found = subprocess.run(["pgrep", "-f", "callgrind-out-file=%s/%s/" % (out_dir, service)],
                           capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def callgrind_control(option, pid):
    subprocess.run(["callgrind_control", option, str(pid)], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def end_processes(pids):
    """SIGTERM, then waits until they are gone (their dumps written)."""
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 30
    while any(os.path.exists("/proc/%d" % pid) for pid in pids):
        if time.time() > deadline:
            raise SystemExit("processes %r did not end" % pids)
        time.sleep(0.1)


def total_instructions(path):
    with open(path) as f:
        for line in f:
            if line.startswith("summary:") or line.startswith("totals:"):
                return int(line.split()[1])
    raise SystemExit("no totals in " + path)


def measure(plugin, args):
    """The dumps of the measured deliveries, by service: lmtp's counters
    zeroed after the warm-up and dumped after the deliveries; the dict
    servers of the warm-up ended, those of the deliveries counted whole."""
    out_dir = "/tmp/recall-callgrind-%s" % ("plugin" if plugin else "stock")
    subprocess.run(["rm", "-rf", out_dir], check=True)
    for service in SERVICES:
        os.makedirs(os.path.join(out_dir, service))
        os.chmod(os.path.join(out_dir, service), 0o1777)
    extra = callgrind_conf(out_dir) + (prototype_conf(args.with_conf) if plugin else "")
    dovecot = Dovecot(users=bench_users(), plugin=plugin, extra_conf=extra)
    try:
        dovecot.start()
        deliver(dovecot, 50, args.recipients)  # warm-up: caches, first user set-ups
        dovecot.wait_committed() if plugin else None
        end_processes(service_pids(out_dir, "dict"))
        lmtp = service_pids(out_dir, "lmtp")
        if len(lmtp) != 1:
            raise SystemExit("expected one lmtp process, found %r" % lmtp)
        callgrind_control("--zero", lmtp[0])
        warmed_up = set(os.listdir(os.path.join(out_dir, "dict")))
        deliver(dovecot, args.deliveries // args.recipients, args.recipients)
        if plugin:
            dovecot.wait_committed()
            time.sleep(0.5)  # the marker lookups after the last commit
        callgrind_control("--dump", lmtp[0])
        dict_pids = service_pids(out_dir, "dict")
        # valgrind made each dump file as root, before the dict server
        # dropped to its own uid: that uid writes it at the end.
        for name in os.listdir(os.path.join(out_dir, "dict")):
            shutil.chown(os.path.join(out_dir, "dict", name), user="dovecot")
    finally:
        dovecot.stop()
    end_processes([pid for pid in dict_pids if os.path.exists("/proc/%d" % pid)])
    lmtp_dumps = sorted(glob.glob(os.path.join(out_dir, "lmtp", "cg.%d.*" % lmtp[0])))
    if not lmtp_dumps:
        raise SystemExit("callgrind wrote nothing for lmtp")
    dict_dumps = [os.path.join(out_dir, "dict", name)
                  for name in os.listdir(os.path.join(out_dir, "dict")) if name not in warmed_up]
    return {"lmtp": [lmtp_dumps[-1]], "dict": dict_dumps}


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
    parser.add_argument("--with-conf", metavar="FILE",
                        help="more configuration for the plugin's Dovecot (a prototype's)")
    args = parser.parse_args()
    stock = measure(False, args)
    plugin = measure(True, args)
    added = 0
    for service in SERVICES:
        per = {name: sum(map(total_instructions, dumps[service])) / args.deliveries
               for name, dumps in (("stock", stock), ("plugin", plugin))}
        added += per["plugin"] - per["stock"]
        print("instructions per delivery, %s, %d rcpt/txn: stock %.0f, plugin %.0f, added %.0f" %
              (service, args.recipients, per["stock"], per["plugin"],
               per["plugin"] - per["stock"]))
    lmtp_stock = total_instructions(stock["lmtp"][0]) / args.deliveries
    print("added in both, per delivery: %.0f (%+.1f %% of stock lmtp)" %
          (added, 100 * added / lmtp_stock))
    if args.top:
        scale = 1.0 / args.deliveries
        for line in top_functions(plugin["lmtp"][0], args.top):
            count = int(line.split()[0].replace(",", ""))
            print("  %9.0f  %s" % (count * scale, line.split(None, 2)[-1][:110]))


if __name__ == "__main__":
    main()
