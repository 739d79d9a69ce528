"""Cost of the access hook (SPEC rule 5) on downloads, in one run.

Delivers N messages to one user of a private Dovecot with the plugin, then
fetches all of them with IMAP FETCH BODY.PEEK[], alternating a session from
the webmail address (the hook is not installed there) and one from another
address (the hook is installed and marks each copy), REPEATS times, and
POP3 RETRs them. Prints min/median/max per kind and the median ratio
hooked / not hooked. As root, after `make install`:

    python3 tests/bench/access_hook.py [N] [REPEATS]
"""

import os
import smtplib
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from harness import OTHER_IP, WEBMAIL_IP, Dovecot, make_message  # noqa: E402

USER = "bob@example.com"


def deliver(dovecot, count):
    with smtplib.LMTP("127.0.0.1", dovecot.ports["lmtp"]) as lmtp:
        for _ in range(count):
            raw = make_message("alice@example.com", [USER], body="x" * 2000 + "\n")[1]
            lmtp.sendmail("alice@example.com", [USER], raw)


def imap_fetch_all(dovecot, source_ip, count):
    conn = dovecot.imap(USER, source_ip=source_ip)
    conn.select("INBOX", readonly=True)
    started = time.perf_counter()
    typ, data = conn.fetch("1:*", "(BODY.PEEK[])")
    elapsed = time.perf_counter() - started
    assert typ == "OK" and sum(isinstance(item, tuple) for item in data) == count
    conn.logout()
    return elapsed


def pop3_retr_all(dovecot, count):
    pop = dovecot.pop3(USER)
    started = time.perf_counter()
    for number in range(1, count + 1):
        pop.retr(number)
    elapsed = time.perf_counter() - started
    pop.quit()
    return elapsed


def main():
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    dovecot = Dovecot().start()
    try:
        deliver(dovecot, count)
        runs = {"IMAP FETCH, hook": [], "IMAP FETCH, no hook": [], "POP3 RETR, hook": []}
        for repeat in range(repeats):
            print("repeat %d/%d" % (repeat + 1, repeats), file=sys.stderr)
            runs["IMAP FETCH, hook"].append(imap_fetch_all(dovecot, OTHER_IP, count))
            runs["IMAP FETCH, no hook"].append(imap_fetch_all(dovecot, WEBMAIL_IP, count))
            runs["POP3 RETR, hook"].append(pop3_retr_all(dovecot, count))
        print("%d messages of 2 KB, %d repeats" % (count, repeats))
        for kind, times in runs.items():
            print("  %-20s min %.4fs  median %.4fs  max %.4fs"
                  % (kind, min(times), statistics.median(times), max(times)))
        ratio = (statistics.median(runs["IMAP FETCH, hook"]) /
                 statistics.median(runs["IMAP FETCH, no hook"]))
        print("  IMAP FETCH median ratio hook / no hook: %.3f" % ratio)
        db = sqlite3.connect(os.path.join(dovecot.ledger_dir, "ledger.db"))
        print("  download marks in the ledger: %d of %d"
              % (db.execute("select count(*) from recall_fetched").fetchone()[0], count))
    finally:
        dovecot.stop()


if __name__ == "__main__":
    main()
