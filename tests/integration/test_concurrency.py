"""Concurrency (issue 4 point 7): 20 different messages recalled at once
while deliveries and POP3/IMAP downloads go on. No deadlock, no duplicate
notice, and every mailbox holds exactly what it should afterwards."""

import itertools
import threading
import time
import unittest

from harness import OTHER_IP, Dovecot, find, parse_rows, send, xrecall

SENDERS = ["sender%d@example.com" % i for i in range(5)]
RECIPIENTS = ["rcpt%d@example.com" % i for i in range(10)]
BYSTANDERS = ["bystander%d@example.com" % i for i in range(4)]
BOB = "bob@example.com"


class ConcurrentRecallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        users = {user: "" for user in SENDERS + RECIPIENTS + BYSTANDERS}
        cls.dovecot = Dovecot(users=users).start()

    @classmethod
    def tearDownClass(cls):
        cls.dovecot.stop()

    def counts(self):
        d = self.dovecot
        counts = {user: len(d.messages(user)) for user in RECIPIENTS + BYSTANDERS + SENDERS}
        counts.update({(user, "Sent"): len(d.messages(user, "Sent")) for user in SENDERS})
        return counts

    def test_twenty_recalls_with_deliveries_and_downloads(self):
        d = self.dovecot
        for user in RECIPIENTS + BYSTANDERS:
            send(d, BOB, [user])  # something to download that no recall may touch
        rotation = itertools.cycle(RECIPIENTS)
        sent = []  # (sender, mid, uid, recipients)
        for n in range(20):
            sender = SENDERS[n % len(SENDERS)]
            to = [next(rotation) for _ in range(4)]
            mid, uid = send(d, sender, to)
            sent.append((sender, mid, uid, to))
        before = self.counts()

        stop = threading.Event()
        answers, errors, delivered = {}, [], {user: 0 for user in RECIPIENTS + BYSTANDERS}
        delivery_times = []

        def guarded(work):
            def run():
                try:
                    work()
                except Exception as e:  # reported by the test below
                    errors.append(repr(e))
            return threading.Thread(target=run)

        def recall(sender, mid, uid):
            conn = d.imap(sender)
            conn.select("Sent")
            answers[mid] = xrecall(conn, str(uid))
            conn.logout()

        def deliver(users):
            for user in itertools.cycle(users):
                if stop.is_set():
                    return
                send(d, BOB, [user])
                delivered[user] += 1
                delivery_times.append(time.time())

        def pop3_downloads(user):
            while not stop.is_set():
                conn = d.pop3(user)
                for number in range(1, len(conn.list()[1]) + 1):
                    conn.retr(number)
                conn.quit()

        def imap_downloads(user, source_ip):
            while not stop.is_set():
                conn = d.imap(user, source_ip=source_ip)
                conn.select("INBOX")
                conn.fetch("1:*", "(BODY.PEEK[])")
                conn.logout()

        background = [guarded(lambda: deliver(RECIPIENTS)), guarded(lambda: deliver(BYSTANDERS))]
        background += [guarded(lambda u=u: pop3_downloads(u)) for u in BYSTANDERS[:2]]
        background += [guarded(lambda u=u: imap_downloads(u, OTHER_IP)) for u in BYSTANDERS[2:]]
        # The webmail reads recipients' mail while their copies are recalled.
        background += [guarded(lambda u=u: imap_downloads(u, "127.0.0.1")) for u in RECIPIENTS[:3]]
        recalls = [guarded(lambda s=s, m=m, u=u: recall(s, m, u)) for s, m, u, _ in sent]
        for thread in background + recalls:
            thread.start()
        for thread in recalls:
            thread.join(180)
        recalls_done = time.time()
        time.sleep(0.5)  # let deliveries and downloads overlap the last recall too
        stop.set()
        for thread in background:
            thread.join(60)
        self.assertFalse([t for t in background + recalls if t.is_alive()], "deadlock")
        self.assertEqual([], errors)

        for sender, mid, uid, to in sent:
            typ, text, lines = answers[mid]
            self.assertTrue(text.startswith("[RECALL-COMPLETE]"), (mid, text, lines))
            self.assertEqual({rcpt: "RECALLED" for rcpt in to}, parse_rows(lines)[0])
        after = self.counts()
        notices = {user: 0 for user in RECIPIENTS}
        for sender, mid, uid, to in sent:
            for user in to:
                messages = d.messages(user)
                self.assertEqual([], find(messages, "Message-ID", mid), user)
                self.assertEqual(1, len(find(messages, "X-Recall-Of", mid)), (user, mid))
                notices[user] += 1
            self.assertEqual(1, len(find(d.messages(sender), "In-Reply-To", mid)), mid)
        for user in RECIPIENTS:
            # Each recalled copy became one notice; deliveries came on top.
            self.assertEqual(before[user] + delivered[user], after[user], user)
            self.assertGreater(notices[user], 0, user)
        for user in BYSTANDERS:
            self.assertEqual(before[user] + delivered[user], after[user], user)
        for sender in SENDERS:
            self.assertEqual(before[sender] + 4, after[sender], "one report per recall")
            self.assertEqual(before[(sender, "Sent")], after[(sender, "Sent")], sender)
        self.assertTrue([t for t in delivery_times if t < recalls_done],
                        "deliveries went on during the recalls")


if __name__ == "__main__":
    unittest.main()
