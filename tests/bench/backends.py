#!/usr/bin/env python3
"""What a recall costs across backends (docs/SCALING.md): two private
Dovecot backends sharing a private PostgreSQL ledger. Per repeat, alice (on
A) sends one message to N recipients whose copies are on A, and one to N
recipients whose copies are on B; each is recalled from A over IMAP. Prints
the time per recipient for local and remote copies, and how many SQL
statements the dict server sent for one recall of N local recipients.

    python3 tests/bench/backends.py [N] [REPEATS] [--doveadm-service-count K]

As root, after make install. --doveadm-service-count sets the backends'
`service doveadm { service_count }` (Dovecot's default 1: a new doveadm
process for every request).
"""

import argparse
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "integration"))
from harness import Dovecot, parse_rows, send, xrecall  # noqa: E402
from postgres import ROLE, Postgres  # noqa: E402

ALICE = "alice@example.com"


def timed_recall(host, uid):
    conn = host.imap(ALICE)
    try:
        conn.select("Sent")
        started = time.perf_counter()
        typ, text, lines = xrecall(conn, str(uid))
        elapsed = time.perf_counter() - started
    finally:
        conn.logout()
    if not text.startswith("[RECALL-COMPLETE]"):
        raise SystemExit("recall did not complete: %s %s" % (text, parse_rows(lines)))
    return elapsed


def message_to(host_a, holder, recipients, n):
    """alice's message, Sent on A, its copies delivered by `holder`."""
    mid, uid = send(host_a, ALICE, recipients, deliver_to=[], subject="bench %d" % n)
    replies = holder.lmtp_deliver(ALICE, recipients, host_a.message_raw(ALICE, "Sent", uid))
    assert {code for code, _ in replies.values()} == {250}, replies
    return uid


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=20)
    parser.add_argument("repeats", type=int, nargs="?", default=5)
    parser.add_argument("--doveadm-service-count", type=int)
    args = parser.parse_args()
    n, repeats = args.n, args.repeats
    extra = ("service doveadm {\n  service_count = %d\n}\n" % args.doveadm_service_count
             if args.doveadm_service_count is not None else "")
    recipients = ["r%d@example.com" % i for i in range(n)]
    users = {r: "" for r in recipients}
    postgres = Postgres().start()
    host_a = Dovecot(users=users, ledger="pgsql", postgres=postgres, backend=True,
                     extra_conf=extra, plugin_settings={"recall_backends": lambda: host_b.host()})
    host_b = Dovecot(users=users, ledger="pgsql", postgres=postgres, backend=True,
                     extra_conf=extra, plugin_settings={"recall_backends": lambda: host_a.host()})
    try:
        host_a.start()
        host_b.start()
        local, remote = [], []
        for i in range(repeats):
            # Alternate which goes first: the machine's noise is large.
            order = [(host_a, local), (host_b, remote)]
            for holder, times in (order if i % 2 == 0 else order[::-1]):
                times.append(timed_recall(host_a, message_to(host_a, holder, recipients, i)))
        postgres.set_statement_log(True)
        start = postgres.log_size()
        timed_recall(host_a, message_to(host_a, host_a, recipients, repeats))
        postgres.set_statement_log(False)
        log = postgres.log_text(start)
        statements = re.findall(r"\] %s: LOG:  statement: (\w+)" % ROLE, log)
        postgres.sql("VACUUM ANALYZE recall_delivery", database="recall")
        rows, record_bytes, disk_bytes = postgres.sql(
            "SELECT count(*), avg(length(record))::int, pg_total_relation_size('recall_delivery')"
            " FROM recall_delivery", database="recall").strip().split("|")
    finally:
        host_a.stop()
        host_b.stop()
        postgres.stop()

    def per_recipient(times):
        ms = [t * 1000 / n for t in times]
        return "min %6.2f  median %6.2f  max %6.2f ms" % (min(ms), statistics.median(ms), max(ms))

    print("%d recipients, %d repeats, PostgreSQL ledger shared by two backends, doveadm "
          "service_count %s" % (n, repeats, args.doveadm_service_count or "1 (default)"))
    print("  copies on the recalling backend, per recipient: " + per_recipient(local))
    print("  copies on the other backend, per recipient:     " + per_recipient(remote))
    print("  remote / local, median: %.2f" % (statistics.median(remote) / statistics.median(local)))
    print("  delivery records: %s, %s bytes of record text each, %d bytes on disk each "
          "(table, TOAST and primary key)" % (rows, record_bytes, int(disk_bytes) // int(rows)))
    kinds = {k: statements.count(k) for k in sorted(set(statements))}
    print("  SQL statements for one recall of %d local recipients: %d %s" %
          (n, len(statements), kinds))


if __name__ == "__main__":
    main()
