"""The demo run by tools/demo: see that script."""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "integration"))
from harness import PASSWORD, Dovecot, find, parse_rows, send, xrecall  # noqa: E402

ALICE, BOB, CAROL = "alice@example.com", "bob@example.com", "carol@example.com"
DAVE, OUTSIDE = "dave@other.org", "partner@remote.example"


def show_rows(title, lines):
    rows, result = parse_rows(lines)
    print(title)
    for address, state in rows.items():
        print("    %-28s %s" % (address, state))
    print("    result %s, %s internal, %s recalled, %s s left to recall"
          % (result["RESULT"], result["INTERNAL"], result["RECALLED"], result["EXPIRES"]))


def mailbox_summary(dovecot, user, mid):
    messages = dovecot.messages(user)
    has_copy = bool(find(messages, "Message-ID", mid))
    notices = len(find(messages, "X-Recall-Of", mid))
    return "copy %s, %d recall notice(s)" % ("present" if has_copy else "gone", notices)


def stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main():
    # Stopped with kill or timeout: still stop the server and remove it.
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    dovecot = Dovecot().start()
    try:
        print("A private Dovecot with dovecot-recall is running in %s" % dovecot.dir)
        print("Organization example.com: alice, bob, carol. Also on this server: "
              "dave@other.org (another organization).\n")
        mid, uid = send(dovecot, ALICE, [BOB, CAROL, DAVE, OUTSIDE],
                        deliver_to=[BOB, CAROL, DAVE], subject="Salary review (draft!)",
                        message_id="<salary-review.%d@example.com>" % time.time_ns())
        print("1. alice sent %s \"Salary review (draft!)\" to bob, carol, %s and %s;"
              % (mid, DAVE, OUTSIDE))
        print("   LMTP delivered it to bob, carol and dave; the ledger recorded each copy.\n")

        webmail = dovecot.imap(ALICE)
        webmail.select("Sent")
        typ, text, lines = xrecall(webmail, "CHECK", str(uid))
        show_rows("2. Webmail asks first: UID XRECALL CHECK %d" % uid, lines)
        typ, text, lines = xrecall(webmail, str(uid))
        show_rows("\n3. alice recalls it: UID XRECALL %d -> %s %s" % (uid, typ, text.split(" (")[0]),
                  lines)
        webmail.logout()

        print("\n4. The mailboxes now:")
        for user in (BOB, CAROL, DAVE):
            print("    %-28s %s" % (user, mailbox_summary(dovecot, user, mid)))
        report = find(dovecot.messages(ALICE), "In-Reply-To", mid)
        sent_flags = [m[1] for m in dovecot.messages(ALICE, "Sent") if m[0] == uid][0]
        print("    %-28s report \"%s\" (X-Recall-Result: %s); Sent copy flags %s"
              % (ALICE, report[0][2]["Subject"], report[0][2]["X-Recall-Result"],
                 " ".join(sent_flags)))

        r = dovecot.doveadm("recall", "check", "-u", ALICE, mid)
        print("\n5. An admin sees the same with doveadm:\n    doveadm recall check -u %s '%s'"
              % (ALICE, mid))
        print("\n".join("    " + line for line in r.stdout.rstrip().split("\n")))

        if os.environ.get("DEMO_NO_WAIT"):
            return 0
        print("""
Try it yourself while this runs (password for every user: {pw}):
  IMAP  127.0.0.1:{imap}   (XRECALL is offered to clients from 127.0.0.1, the "webmail")
  LMTP  127.0.0.1:{lmtp}   POP3 127.0.0.1:{pop3}   doveadm HTTP 127.0.0.1:{http}
  doveadm -c {conf} recall check -u alice@example.com '<message-id>'
  e.g.  python3 -c "import imaplib; c=imaplib.IMAP4('127.0.0.1',{imap}); c.login('{alice}','{pw}'); print(c.capability())"
Press Ctrl-C to stop the server and remove its files.""".format(
            pw=PASSWORD, conf=dovecot.conf, alice=ALICE, **dovecot.ports))
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("\nstopping")
        return 0
    finally:
        dovecot.stop()


if __name__ == "__main__":
    sys.exit(main())
