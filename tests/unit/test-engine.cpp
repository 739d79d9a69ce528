#include <cppunit/extensions/HelperMacros.h>

#include "enum-traits.hpp"

#include "../../src/core/recall-engine.hpp"
#include "fake-ports.hpp"

using namespace recall;
using namespace recall::test;

class EngineTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(EngineTest);
    CPPUNIT_TEST(recalls_every_internal_copy_once);
    CPPUNIT_TEST(second_recall_changes_nothing);
    CPPUNIT_TEST(other_org_and_untracked_addresses_are_external);
    CPPUNIT_TEST(foreign_sender_records_are_never_used);
    CPPUNIT_TEST(reused_message_id_of_another_sender_is_untouched);
    CPPUNIT_TEST(sender_matches_case_insensitively);
    CPPUNIT_TEST(window_counts_from_first_delivery);
    CPPUNIT_TEST(expired_records_are_ignored);
    CPPUNIT_TEST(ledger_down_refuses);
    CPPUNIT_TEST(deleted_copy_makes_partial);
    CPPUNIT_TEST(nothing_recalled_is_failure);
    CPPUNIT_TEST(check_touches_nothing);
    CPPUNIT_TEST(read_copies_kept_when_configured);
    CPPUNIT_TEST(notify_modes);
    CPPUNIT_TEST(unopenable_recipient_fails_alone);
    CPPUNIT_TEST(precedence_shared_fetched_read);
    CPPUNIT_TEST(download_mark_in_the_copy_keeps_it);
    CPPUNIT_TEST(interrupted_recall_resumes_without_duplicates);
    CPPUNIT_TEST(intent_write_failure_leaves_copy);
    CPPUNIT_TEST(completion_rides_with_the_next_intent);
    CPPUNIT_TEST(unwritten_completion_is_finished_by_the_next_run);
    CPPUNIT_TEST(unreadable_marks_fail_the_copy);
    CPPUNIT_TEST(marks_are_asked_once_per_run);
    CPPUNIT_TEST(recall_is_marked_check_is_not);
    CPPUNIT_TEST(late_arrival_is_recalled_with_notice);
    CPPUNIT_TEST(two_copies_for_one_recipient_one_notice);
    CPPUNIT_TEST(admission_rules);
    CPPUNIT_TEST(one_row_per_recipient_address);
    CPPUNIT_TEST(a_kept_copy_keeps_the_recipient_unrecalled);
    CPPUNIT_TEST(copy_that_is_not_the_recorded_message_is_left);
    CPPUNIT_TEST(records_of_hosts_outside_backends_are_ignored);
    CPPUNIT_TEST(internal_address_without_delivery_is_not_delivered);
    CPPUNIT_TEST(record_on_its_way_is_awaited);
    CPPUNIT_TEST(a_colleague_never_recorded_is_awaited_a_bounded_time);
    CPPUNIT_TEST(an_old_message_is_not_awaited);
    CPPUNIT_TEST(other_content_under_the_message_id_is_another_message);
    CPPUNIT_TEST(marker_carries_the_senders_rules);
    CPPUNIT_TEST(copy_recorded_while_marking_is_recalled);
    CPPUNIT_TEST(late_arrival_notice_follows_the_marker);
    CPPUNIT_TEST(protected_mailbox_keeps_its_copy);
    CPPUNIT_TEST(protected_mailbox_keeps_a_late_copy);
    CPPUNIT_TEST(hold_moves_the_copy_and_keeps_the_record);
    CPPUNIT_TEST(restore_puts_held_copies_back);
    CPPUNIT_TEST(restored_copy_can_be_recalled_again);
    CPPUNIT_TEST(interrupted_restore_resumes);
    CPPUNIT_TEST(expunged_or_expired_hold_is_not_restored);
    CPPUNIT_TEST(late_arrival_goes_to_the_senders_hold);
    CPPUNIT_TEST_SUITE_END();

    MemoryLedger ledger;
    FakeMailboxes boxes;
    FixedClock clock;
    Settings settings;

    Delivery delivery(const std::string &user, const std::string &org = "example.com")
    {
        Delivery d;
        d.sender = "alice@example.com";
        d.message_id = "<m1@example.com>";
        d.recipient_user = user;
        d.recipient_address = user;
        d.recipient_org = org;
        d.mailbox = "INBOX";
        d.uid = 1;
        d.guid = "guid-" + user;
        d.subject = "Hello";
        d.delivered_at = clock.t - 60;
        d.expires_at = clock.t + 100000;
        return d;
    }

    Request request(bool check_only = false)
    {
        return Request{"alice@example.com", "example.com", "<m1@example.com>", {}, check_only};
    }

    Outcome run(const Request &req) { return Engine(ledger, boxes, clock, settings).run(req); }

    State state_of(const Outcome &o, const std::string &address)
    {
        for (const Row &row : o.rows)
            if (lower_ascii(row.address) == lower_ascii(address))
                return row.state;
        CPPUNIT_FAIL("no row for " + address);
        return State::Failed;
    }

public:
    void setUp() override
    {
        ledger = MemoryLedger();
        boxes.copies.clear();
        boxes.unopenable.clear();
        boxes.crash_after_expunge = false;
        boxes.crash_after_restore = false;
        settings = Settings();
        ledger.add(delivery("bob@example.com"));
        ledger.add(delivery("carol@example.com"));
    }

    void recalls_every_internal_copy_once()
    {
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(Refusal::None, o.refusal);
        CPPUNIT_ASSERT_EQUAL(Result::Complete, o.result);
        CPPUNIT_ASSERT_EQUAL(2u, o.internal);
        CPPUNIT_ASSERT_EQUAL(2u, o.recalled);
        CPPUNIT_ASSERT(o.recalled_now);
        for (const char *user : {"bob@example.com", "carol@example.com"}) {
            CPPUNIT_ASSERT(!boxes.copies[user].present);
            CPPUNIT_ASSERT_EQUAL(1, boxes.copies[user].notices);
            CPPUNIT_ASSERT(ledger.records[std::string(user) + "/guid-" + user].progress ==
                           Progress::Recalled);
        }
        CPPUNIT_ASSERT_EQUAL(std::string("Hello"), o.subject);
    }

    void second_recall_changes_nothing()
    {
        run(request());
        Outcome again = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Complete, again.result);
        CPPUNIT_ASSERT(!again.recalled_now);
        CPPUNIT_ASSERT_EQUAL(State::Recalled, state_of(again, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].notices);
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].expunges);
    }

    void other_org_and_untracked_addresses_are_external()
    {
        ledger.add(delivery("dave@other.org", "other.org"));
        Request req = request();
        req.copy_recipients = {"ext@remote.net", "BOB@example.com", "dave@other.org"};
        Outcome o = run(req);
        CPPUNIT_ASSERT_EQUAL(State::External, state_of(o, "dave@other.org"));
        CPPUNIT_ASSERT_EQUAL(State::External, state_of(o, "ext@remote.net"));
        CPPUNIT_ASSERT(boxes.copies["dave@other.org"].present);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["dave@other.org"].expunges);
        CPPUNIT_ASSERT_EQUAL(size_t(4), o.rows.size()); // bob, carol, dave, ext: no duplicate
        CPPUNIT_ASSERT(o.rows[0].internal && o.rows[1].internal);
        CPPUNIT_ASSERT(!o.rows[2].internal && !o.rows[3].internal);
        CPPUNIT_ASSERT_EQUAL(2u, o.internal);
        CPPUNIT_ASSERT_EQUAL(Result::Complete, o.result);
    }

    void foreign_sender_records_are_never_used()
    {
        Request req = request();
        req.sender = "mallory@example.com";
        Outcome o = run(req);
        CPPUNIT_ASSERT_EQUAL(Refusal::NotSent, o.refusal);
        CPPUNIT_ASSERT(boxes.copies.empty());
    }

    void reused_message_id_of_another_sender_is_untouched()
    {
        Delivery foreign = delivery("erin@example.com");
        foreign.sender = "mallory@example.com";
        ledger.add(foreign);
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.rows.size());
        CPPUNIT_ASSERT(boxes.copies.count("erin@example.com") == 0);
    }

    void sender_matches_case_insensitively()
    {
        Request req = request();
        req.sender = "Alice@EXAMPLE.com";
        CPPUNIT_ASSERT_EQUAL(Result::Complete, run(req).result);
    }

    void window_counts_from_first_delivery()
    {
        Delivery late = delivery("frank@example.com");
        late.delivered_at = clock.t - 10;
        ledger.add(late);
        Outcome o = run(request(true));
        CPPUNIT_ASSERT_EQUAL(int64_t(30 * 60 - 60), o.expires_in);
        clock.t += 30 * 60 - 60;
        Outcome expired = run(request());
        CPPUNIT_ASSERT_EQUAL(Refusal::Expired, expired.refusal);
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
    }

    void expired_records_are_ignored()
    {
        clock.t += 200000;
        CPPUNIT_ASSERT_EQUAL(Refusal::NotSent, run(request()).refusal);
    }

    void ledger_down_refuses()
    {
        ledger.down = true;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(Refusal::ServerUnavailable, o.refusal);
        CPPUNIT_ASSERT_EQUAL(std::string("connection refused"), o.error);
    }

    void deleted_copy_makes_partial()
    {
        boxes.copies["carol@example.com"].present = false;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Deleted, state_of(o, "carol@example.com"));
        CPPUNIT_ASSERT_EQUAL(Result::Partial, o.result);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["carol@example.com"].notices);
    }

    void nothing_recalled_is_failure()
    {
        boxes.copies["bob@example.com"].present = false;
        boxes.copies["carol@example.com"].present = false;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Failure, o.result);
        CPPUNIT_ASSERT(!o.recalled_now);
    }

    void check_touches_nothing()
    {
        Outcome o = run(request(true));
        CPPUNIT_ASSERT_EQUAL(Result::Recallable, o.result);
        CPPUNIT_ASSERT_EQUAL(State::Recallable, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].notices);
        CPPUNIT_ASSERT(ledger.records["bob@example.com/guid-bob@example.com"].progress ==
                       Progress::Delivered);
        boxes.copies["bob@example.com"].present = false;
        boxes.copies["carol@example.com"].present = false;
        CPPUNIT_ASSERT_EQUAL(Result::NotRecallable, run(request(true)).result);
    }

    void read_copies_kept_when_configured()
    {
        boxes.copies["bob@example.com"].seen = true;
        settings.recall_read = false;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Read, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        settings.recall_read = true;
        CPPUNIT_ASSERT_EQUAL(State::Recalled, state_of(run(request()), "bob@example.com"));
    }

    void notify_modes()
    {
        boxes.copies["bob@example.com"].seen = true;
        settings.notify = NotifyMode::Read;
        run(request());
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].notices);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["carol@example.com"].notices);

        setUp();
        settings.notify = NotifyMode::No;
        run(request());
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].notices);
        CPPUNIT_ASSERT(!boxes.copies["bob@example.com"].present);
    }

    void unopenable_recipient_fails_alone()
    {
        boxes.unopenable = "bob@example.com";
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Failed, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("no such user"), o.rows[0].reason);
        CPPUNIT_ASSERT_EQUAL(Result::Partial, o.result);
    }

    void precedence_shared_fetched_read()
    {
        settings.recall_read = false;
        FakeCopy &bob = boxes.copies["bob@example.com"];
        bob.shared = bob.seen = true;
        ledger.copy_marks["bob@example.com"].fetched = true;
        CPPUNIT_ASSERT_EQUAL(State::Shared, state_of(run(request(true)), "bob@example.com"));
        bob.shared = false;
        ledger.copy_marks["bob@example.com"].shared = true;
        CPPUNIT_ASSERT_EQUAL(State::Shared, state_of(run(request(true)), "bob@example.com"));
        ledger.copy_marks["bob@example.com"].shared = false;
        CPPUNIT_ASSERT_EQUAL(State::Fetched, state_of(run(request(true)), "bob@example.com"));
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        ledger.copy_marks["bob@example.com"].fetched = false;
        CPPUNIT_ASSERT_EQUAL(State::Read, state_of(run(request()), "bob@example.com"));
    }

    // Rule 5 from the copy's own mark, with no mark in the ledger.
    void download_mark_in_the_copy_keeps_it()
    {
        boxes.copies["bob@example.com"].fetched = true;
        boxes.copies["bob@example.com"].seen = true;
        CPPUNIT_ASSERT_EQUAL(State::Fetched, state_of(run(request(true)), "bob@example.com"));
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Fetched, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(State::Recalled, state_of(o, "carol@example.com"));
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].expunges);
    }

    void interrupted_recall_resumes_without_duplicates()
    {
        boxes.crash_after_expunge = true;
        Outcome first = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Failed, state_of(first, "bob@example.com"));
        CPPUNIT_ASSERT(ledger.records["bob@example.com/guid-bob@example.com"].progress ==
                       Progress::Recalling);

        boxes.crash_after_expunge = false;
        boxes.crash_after_restore = false;
        Outcome second = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Complete, second.result);
        for (const char *user : {"bob@example.com", "carol@example.com"}) {
            CPPUNIT_ASSERT_EQUAL(1, boxes.copies[user].expunges);
            CPPUNIT_ASSERT_EQUAL(1, boxes.copies[user].notices);
        }
        // Killed after the notice but before the final write: no 2nd notice.
        ledger.records["bob@example.com/guid-bob@example.com"].progress = Progress::Recalling;
        run(request());
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].notices);
    }

    void intent_write_failure_leaves_copy()
    {
        ledger.fail_stores_after = 0;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Failed, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        CPPUNIT_ASSERT_EQUAL(Result::Failure, o.result);
    }

    void completion_rides_with_the_next_intent()
    {
        ledger.add(delivery("dan@example.com"));
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Complete, o.result);
        // Three intents, the first two carrying the completion before them,
        // and the last completion at the end: four commits, not six.
        CPPUNIT_ASSERT_EQUAL(4, ledger.stores);
        for (const char *user : {"bob@example.com", "carol@example.com", "dan@example.com"})
            CPPUNIT_ASSERT(record_of(user).progress == Progress::Recalled);
    }

    void unwritten_completion_is_finished_by_the_next_run()
    {
        ledger.fail_stores_after = 2; // both intents; the last completion fails
        Outcome first = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Complete, first.result);
        // Records are listed in key order: carol's copy is recalled last.
        CPPUNIT_ASSERT(record_of("bob@example.com").progress == Progress::Recalled);
        CPPUNIT_ASSERT(record_of("carol@example.com").progress == Progress::Recalling);
        for (const Row &row : first.rows)
            CPPUNIT_ASSERT_EQUAL(std::string(row.address == "carol@example.com"
                                                 ? "ledger: write failed"
                                                 : ""),
                                 row.reason);

        ledger.fail_stores_after = -1;
        Outcome second = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Complete, second.result);
        for (const char *user : {"bob@example.com", "carol@example.com"}) {
            CPPUNIT_ASSERT(record_of(user).progress == Progress::Recalled);
            CPPUNIT_ASSERT_EQUAL(1, boxes.copies[user].expunges);
            CPPUNIT_ASSERT_EQUAL(1, boxes.copies[user].notices);
        }
    }

    void unreadable_marks_fail_the_copy()
    {
        ledger.marks_down = true;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(State::Failed, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        CPPUNIT_ASSERT(o.rows[0].reason.find("marks unreadable") != std::string::npos);
    }

    void marks_are_asked_once_per_run()
    {
        Outcome o = run(request(true)); // bob and carol
        CPPUNIT_ASSERT_EQUAL(1, ledger.marks_calls);
        CPPUNIT_ASSERT_EQUAL(State::Recallable, state_of(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(State::Recallable, state_of(o, "carol@example.com"));
    }

    void recall_is_marked_check_is_not()
    {
        run(request(true));
        CPPUNIT_ASSERT_EQUAL(0, ledger.recall_marks);
        run(request());
        CPPUNIT_ASSERT_EQUAL(1, ledger.recall_marks);
        Request foreign = request();
        foreign.sender = "mallory@example.com";
        run(foreign);
        CPPUNIT_ASSERT_EQUAL(1, ledger.recall_marks);
    }

    void late_arrival_is_recalled_with_notice()
    {
        Delivery late = delivery("frank@example.com");
        std::string error;
        auto box = boxes.open(late, error);
        RecallMarker marker;
        Row row = Engine(ledger, boxes, clock, settings).recall_arrival(late, *box, marker);
        CPPUNIT_ASSERT_EQUAL(State::Recalled, row.state);
        CPPUNIT_ASSERT(!boxes.copies["frank@example.com"].present);
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["frank@example.com"].notices);
        CPPUNIT_ASSERT(ledger.records["frank@example.com/guid-frank@example.com"].progress ==
                       Progress::Recalled);
        // A second late copy to the same recipient: no second notice.
        Delivery again = delivery("frank@example.com");
        again.guid = "guid-frank-2";
        Engine(ledger, boxes, clock, settings).recall_arrival(again, *box, marker);
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["frank@example.com"].notices);
    }

    void two_copies_for_one_recipient_one_notice()
    {
        Delivery second = delivery("bob@example.com");
        second.guid = "guid-bob-2";
        ledger.add(second);
        boxes.copies["bob@example.com"].copies = 2;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(Result::Complete, o.result);
        CPPUNIT_ASSERT_EQUAL(2, boxes.copies["bob@example.com"].expunges);
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].notices);
    }

    void one_row_per_recipient_address()
    {
        Delivery second = delivery("bob@example.com");
        second.guid = "guid-bob-2";
        second.recipient_address = "Bob@example.com";
        ledger.add(second);
        boxes.copies["bob@example.com"].copies = 2;
        Outcome o = run(request(true));
        CPPUNIT_ASSERT_EQUAL(size_t(2), o.rows.size()); // bob, carol
        CPPUNIT_ASSERT_EQUAL(2u, o.internal);
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLABLE"),
                             std::string(state_name(state_of(o, "bob@example.com"))));
    }

    void a_kept_copy_keeps_the_recipient_unrecalled()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("FETCHED"), combined(State::Recalled, State::Fetched));
        CPPUNIT_ASSERT_EQUAL(std::string("FAILED"), combined(State::Failed, State::Recalled));
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), combined(State::Deleted, State::Recalled));
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLABLE"), combined(State::Recalled, State::Recallable));
        // After a restore: a copy back wins over one expunged, a failure over both.
        CPPUNIT_ASSERT_EQUAL(std::string("RESTORED"), combined(State::Recalled, State::Restored));
        CPPUNIT_ASSERT_EQUAL(std::string("RESTORED"), combined(State::Recallable, State::Restored));
        CPPUNIT_ASSERT_EQUAL(std::string("FAILED"), combined(State::Restored, State::Failed));
    }

    void copy_that_is_not_the_recorded_message_is_left()
    {
        boxes.copies["bob@example.com"].genuine = false;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(std::string("FAILED"),
                             std::string(state_name(state_of(o, "bob@example.com"))));
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].expunges);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].notices);
        CPPUNIT_ASSERT_EQUAL(Result::Partial, o.result);
    }

    void records_of_hosts_outside_backends_are_ignored()
    {
        Delivery remote = delivery("carol@example.com");
        remote.host = "evil.example.net:8080";
        ledger.add(remote);
        Outcome o = run(request(true));
        CPPUNIT_ASSERT_EQUAL(size_t(1), o.rows.size());
        CPPUNIT_ASSERT_EQUAL(size_t(1), o.ignored.size());
        CPPUNIT_ASSERT(boxes.copies.count("carol@example.com") == 0);
        settings.backends = {"evil.example.net:8080"};
        CPPUNIT_ASSERT_EQUAL(size_t(2), run(request(true)).rows.size());
    }

    void internal_address_without_delivery_is_not_delivered()
    {
        Request req = request();
        req.copy_recipients = {"zed@example.com", "ext@remote.net", "carol@example.com"};
        Outcome o = run(req);
        CPPUNIT_ASSERT_EQUAL(std::string("NOT-DELIVERED"),
                             std::string(state_name(state_of(o, "zed@example.com"))));
        CPPUNIT_ASSERT_EQUAL(std::string("EXTERNAL"),
                             std::string(state_name(state_of(o, "ext@remote.net"))));
        CPPUNIT_ASSERT_EQUAL(2u, o.internal);
        CPPUNIT_ASSERT_EQUAL(Result::Complete, o.result);
        // Order: counted rows, then NOT-DELIVERED, then EXTERNAL.
        CPPUNIT_ASSERT_EQUAL(std::string("zed@example.com"), o.rows[2].address);
        CPPUNIT_ASSERT_EQUAL(std::string("ext@remote.net"), o.rows[3].address);
    }

    // A delivery server commits its records a moment after it delivered:
    // a recall of a new message waits for a colleague's record.
    void record_on_its_way_is_awaited()
    {
        for (auto &[key, d] : ledger.records)
            d.delivered_at = clock.t - 1;
        Delivery zed = delivery("zed@example.com");
        zed.delivered_at = clock.t;
        ledger.arrive_after_await = {zed};
        Request req = request();
        req.copy_recipients = {"bob@example.com", "carol@example.com", "zed@example.com"};
        Outcome o = run(req);
        CPPUNIT_ASSERT_EQUAL(1u, ledger.awaits);
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"),
                             std::string(state_name(state_of(o, "zed@example.com"))));
        CPPUNIT_ASSERT_EQUAL(3u, o.recalled);
    }

    void a_colleague_never_recorded_is_awaited_a_bounded_time()
    {
        ledger.records.clear();
        Request req = request();
        req.copy_recipients = {"zed@example.com"};
        Outcome o = run(req);
        CPPUNIT_ASSERT_EQUAL(kAwaitsPerRun, ledger.awaits);
        CPPUNIT_ASSERT_EQUAL(Refusal::NotSent, o.refusal);
    }

    void an_old_message_is_not_awaited()
    {
        Request req = request();
        req.copy_recipients = {"zed@example.com"}; // its newest record: a minute old
        run(req);
        CPPUNIT_ASSERT_EQUAL(0u, ledger.awaits);
    }

    void other_content_under_the_message_id_is_another_message()
    {
        ledger.records.clear();
        Delivery first = delivery("bob@example.com");
        first.digest = "d1";
        ledger.add(first);
        Delivery forged = delivery("carol@example.com");
        forged.digest = "d2";
        forged.delivered_at += 10;
        ledger.add(forged);
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(size_t(1), o.rows.size());
        CPPUNIT_ASSERT(boxes.copies.count("carol@example.com") == 0);
        CPPUNIT_ASSERT_EQUAL(std::string("d1"), ledger.last_marker.digest);
    }

    void marker_carries_the_senders_rules()
    {
        settings.window_secs = 600;
        settings.notify = NotifyMode::Read;
        run(request());
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), ledger.last_marker.org);
        CPPUNIT_ASSERT_EQUAL(clock.t - 60 + 600, ledger.last_marker.until);
        CPPUNIT_ASSERT(ledger.last_marker.notify == NotifyMode::Read);
    }

    void copy_recorded_while_marking_is_recalled()
    {
        ledger.arrive_with_marker.push_back(delivery("dan@example.com"));
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"),
                             std::string(state_name(state_of(o, "dan@example.com"))));
        CPPUNIT_ASSERT(!boxes.copies["dan@example.com"].present);
    }

    void late_arrival_notice_follows_the_marker()
    {
        settings.notify = NotifyMode::Yes; // the recipient's own setting
        RecallMarker marker;
        marker.notify = NotifyMode::No;    // the sender's
        Delivery late = delivery("frank@example.com");
        std::string error;
        auto box = boxes.open(late, error);
        Row row = Engine(ledger, boxes, clock, settings).recall_arrival(late, *box, marker);
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), std::string(state_name(row.state)));
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["frank@example.com"].notices);
    }

    std::string state_text(const Outcome &o, const std::string &address)
    {
        return state_name(state_of(o, address));
    }

    static std::string combined(State a, State b) { return state_name(combined_state(a, b)); }

    Outcome restore() { return Engine(ledger, boxes, clock, settings).restore(request()); }

    const Delivery &record_of(const std::string &user)
    {
        return ledger.records[user + "/guid-" + user];
    }

    void protected_mailbox_keeps_its_copy()
    {
        boxes.copies["bob@example.com"].protected_mailbox = true;
        CPPUNIT_ASSERT_EQUAL(std::string("PROTECTED"),
                             state_text(run(request(true)), "bob@example.com"));
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(std::string("PROTECTED"), state_text(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), state_text(o, "carol@example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("PARTIAL"), std::string(result_name(o.result)));
        CPPUNIT_ASSERT_EQUAL(1u, o.recalled);
        CPPUNIT_ASSERT(boxes.copies["bob@example.com"].present);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].notices);
    }

    void protected_mailbox_keeps_a_late_copy()
    {
        Delivery late = delivery("frank@example.com");
        boxes.copies["frank@example.com"].protected_mailbox = true;
        std::string error;
        auto box = boxes.open(late, error);
        Row row = Engine(ledger, boxes, clock, settings).recall_arrival(late, *box, RecallMarker());
        CPPUNIT_ASSERT_EQUAL(std::string("PROTECTED"), std::string(state_name(row.state)));
        CPPUNIT_ASSERT(boxes.copies["frank@example.com"].present);
    }

    void hold_moves_the_copy_and_keeps_the_record()
    {
        settings.hold_secs = 7 * 86400;
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(std::string("COMPLETE"), std::string(result_name(o.result)));
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].held);
        CPPUNIT_ASSERT(!boxes.copies["bob@example.com"].present);
        CPPUNIT_ASSERT_EQUAL(clock.t + 7 * 86400, record_of("bob@example.com").held_until);
        CPPUNIT_ASSERT(record_of("bob@example.com").expires_at >= clock.t + 7 * 86400);
        CPPUNIT_ASSERT_EQUAL(7 * 86400L, (long)ledger.last_marker.hold_secs);
        settings.hold_secs = 0;
        ledger.add(delivery("dave@example.com"));
        run(request());
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["dave@example.com"].held);
        CPPUNIT_ASSERT_EQUAL(0L, (long)record_of("dave@example.com").held_until);
    }

    void restore_puts_held_copies_back()
    {
        settings.hold_secs = 3600;
        run(request());
        Outcome o = restore();
        CPPUNIT_ASSERT_EQUAL(Refusal::None, o.refusal);
        CPPUNIT_ASSERT_EQUAL(std::string("COMPLETE"), std::string(result_name(o.result)));
        CPPUNIT_ASSERT_EQUAL(2u, o.restored);
        for (const char *user : {"bob@example.com", "carol@example.com"}) {
            CPPUNIT_ASSERT_EQUAL(std::string("RESTORED"), state_text(o, user));
            CPPUNIT_ASSERT(boxes.copies[user].present);
            CPPUNIT_ASSERT_EQUAL(0, boxes.copies[user].held);
            CPPUNIT_ASSERT_EQUAL(0, boxes.copies[user].notices);
            CPPUNIT_ASSERT_EQUAL(Progress::Restored, record_of(user).progress);
        }
        CPPUNIT_ASSERT_EQUAL(0, ledger.recall_marks); // later copies arrive as any mail
        // Again: nothing moves twice.
        Outcome again = restore();
        CPPUNIT_ASSERT_EQUAL(std::string("RESTORED"), state_text(again, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].restores);
    }

    void restored_copy_can_be_recalled_again()
    {
        settings.hold_secs = 3600;
        run(request());
        restore();
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLABLE"),
                             state_text(run(request(true)), "bob@example.com"));
        Outcome o = run(request());
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), state_text(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].held);
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].notices);
    }

    void interrupted_restore_resumes()
    {
        settings.hold_secs = 3600;
        run(request());
        boxes.crash_after_restore = true;
        Outcome killed = restore();
        CPPUNIT_ASSERT_EQUAL(std::string("FAILED"), state_text(killed, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("FAILURE"), std::string(result_name(killed.result)));
        boxes.crash_after_restore = false;
        Outcome o = restore();
        CPPUNIT_ASSERT_EQUAL(std::string("COMPLETE"), std::string(result_name(o.result)));
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["bob@example.com"].copies);
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].notices);
    }

    void expunged_or_expired_hold_is_not_restored()
    {
        run(request()); // no hold: expunged
        Outcome o = restore();
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), state_text(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("FAILURE"), std::string(result_name(o.result)));
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].restores);

        setUp();
        settings.hold_secs = 3600;
        run(request());
        clock.t += 3600;
        o = restore();
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), state_text(o, "bob@example.com"));
        CPPUNIT_ASSERT_EQUAL(0, boxes.copies["bob@example.com"].restores);
    }

    void late_arrival_goes_to_the_senders_hold()
    {
        RecallMarker marker;
        marker.hold_secs = 600;
        Delivery late = delivery("frank@example.com");
        std::string error;
        auto box = boxes.open(late, error);
        Row row = Engine(ledger, boxes, clock, settings).recall_arrival(late, *box, marker);
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED"), std::string(state_name(row.state)));
        CPPUNIT_ASSERT_EQUAL(1, boxes.copies["frank@example.com"].held);
        CPPUNIT_ASSERT_EQUAL(clock.t + 600, late.held_until);
    }

    void admission_rules()
    {
        Settings s;
        CPPUNIT_ASSERT_EQUAL(Refusal::WebmailOnly, admission(s, Client::Other));
        CPPUNIT_ASSERT_EQUAL(Refusal::None, admission(s, Client::Webmail));
        s.account = Account::Free;
        CPPUNIT_ASSERT_EQUAL(Refusal::Upgrade, admission(s, Client::Webmail));
        s.account = Account::Personal;
        CPPUNIT_ASSERT_EQUAL(Refusal::PersonalAccount, admission(s, Client::Webmail));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(EngineTest);
