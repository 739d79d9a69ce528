#include <cppunit/extensions/HelperMacros.h>

#include "enum-traits.hpp"

#include "../../src/core/recall-delivery.hpp"

using namespace recall;

class DeliveryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DeliveryTest);
    CPPUNIT_TEST(round_trip_keeps_every_field);
    CPPUNIT_TEST(hostile_values_stay_on_one_line);
    CPPUNIT_TEST(rejects_garbage);
    CPPUNIT_TEST(rejects_other_versions_and_missing_fields);
    CPPUNIT_TEST(host_is_kept_and_optional);
    CPPUNIT_TEST(digest_is_kept);
    CPPUNIT_TEST(marker_round_trip_and_old_markers);
    CPPUNIT_TEST(late_copy_obeys_org_window_and_digest);
    CPPUNIT_TEST(records_live_as_long_as_the_longest_window);
    CPPUNIT_TEST_SUITE_END();

    Delivery sample()
    {
        Delivery d;
        d.sender = "alice@example.com";
        d.message_id = "<a=b%c@example.com>";
        d.recipient_user = "bob@example.com";
        d.recipient_address = "Bob@Example.com";
        d.recipient_org = "example.com";
        d.mailbox = "INBOX/Sub folder";
        d.host = "backend-2.example.com:8080";
        d.uid = 4294967295u;
        d.guid = "0123abcd";
        d.subject = "Préavis: 100% sûr";
        d.delivered_at = 1700000000;
        d.expires_at = 1700090000;
        d.progress = Progress::Recalling;
        d.notice_due = true;
        d.digest = "5eb63bbbe01eeed093cb22bb8f5acdc3";
        d.held_until = 1700600000;
        return d;
    }

    RecallMarker marker()
    {
        RecallMarker m;
        m.org = "example.com";
        m.until = 1700001800;
        m.notify = NotifyMode::Read;
        m.digest = "5eb63bbbe01eeed093cb22bb8f5acdc3";
        m.hold_secs = 604800;
        return m;
    }

public:
    void round_trip_keeps_every_field()
    {
        Delivery d = sample();
        std::optional<Delivery> back = decode_delivery(encode_delivery(d));
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT_EQUAL(d.message_id, back->message_id);
        CPPUNIT_ASSERT_EQUAL(d.recipient_address, back->recipient_address);
        CPPUNIT_ASSERT_EQUAL(d.mailbox, back->mailbox);
        CPPUNIT_ASSERT_EQUAL(d.host, back->host);
        CPPUNIT_ASSERT_EQUAL(d.uid, back->uid);
        CPPUNIT_ASSERT_EQUAL(d.subject, back->subject);
        CPPUNIT_ASSERT_EQUAL(d.delivered_at, back->delivered_at);
        CPPUNIT_ASSERT_EQUAL(d.expires_at, back->expires_at);
        CPPUNIT_ASSERT_EQUAL(Progress::Recalling, back->progress);
        CPPUNIT_ASSERT(back->notice_due);
        CPPUNIT_ASSERT_EQUAL(d.held_until, back->held_until);
        d.progress = Progress::Restored;
        d.held_until = 0; // not written, read back as 0
        back = decode_delivery(encode_delivery(d));
        CPPUNIT_ASSERT_EQUAL(Progress::Restored, back->progress);
        CPPUNIT_ASSERT_EQUAL(int64_t(0), back->held_until);
        CPPUNIT_ASSERT(encode_delivery(d).find("held=") == std::string::npos);
    }

    void hostile_values_stay_on_one_line()
    {
        Delivery d = sample();
        d.subject = std::string("a\tb\r\nmsgid=<x>\0z", 16);
        std::string text = encode_delivery(d);
        CPPUNIT_ASSERT(text.find('\n') == std::string::npos);
        CPPUNIT_ASSERT(text.find('\r') == std::string::npos);
        CPPUNIT_ASSERT(text.find('\0') == std::string::npos);
        std::optional<Delivery> back = decode_delivery(text);
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT_EQUAL(d.subject, back->subject);
        CPPUNIT_ASSERT_EQUAL(d.message_id, back->message_id);
    }

    void rejects_garbage()
    {
        CPPUNIT_ASSERT(!decode_delivery("").has_value());
        CPPUNIT_ASSERT(!decode_delivery("nonsense").has_value());
        std::string text = encode_delivery(sample());
        CPPUNIT_ASSERT(!decode_delivery(text + "\tbad=%zz").has_value());
        CPPUNIT_ASSERT(!decode_delivery(text + "\ttrunc=%4").has_value());
        std::string bad_uid = text;
        bad_uid.replace(bad_uid.find("uid=") + 4, 1, "x");
        CPPUNIT_ASSERT(!decode_delivery(bad_uid).has_value());
    }

    void rejects_other_versions_and_missing_fields()
    {
        std::string text = encode_delivery(sample());
        CPPUNIT_ASSERT(!decode_delivery("v=2" + text.substr(3)).has_value());
        Delivery d = sample();
        d.guid.clear();
        CPPUNIT_ASSERT(!decode_delivery(encode_delivery(d)).has_value());
    }

    // Records of a host without recall_host (and older records) have no
    // host field: the copy is on the host that reads them.
    void host_is_kept_and_optional()
    {
        Delivery d = sample();
        d.host.clear();
        std::string text = encode_delivery(d);
        CPPUNIT_ASSERT(text.find("host=") == std::string::npos);
        std::optional<Delivery> back = decode_delivery(text);
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT(back->host.empty());
    }
    void digest_is_kept()
    {
        CPPUNIT_ASSERT_EQUAL(sample().digest, decode_delivery(encode_delivery(sample()))->digest);
        Delivery old = sample();
        old.digest.clear();
        CPPUNIT_ASSERT(decode_delivery(encode_delivery(old))->digest.empty());
    }

    void marker_round_trip_and_old_markers()
    {
        std::optional<RecallMarker> back = decode_marker(encode_marker(marker()));
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), back->org);
        CPPUNIT_ASSERT_EQUAL(int64_t(1700001800), back->until);
        CPPUNIT_ASSERT_EQUAL(std::string("read"), std::string(notify_mode_name(back->notify)));
        CPPUNIT_ASSERT_EQUAL(marker().digest, back->digest);
        CPPUNIT_ASSERT_EQUAL(int64_t(604800), back->hold_secs);
        // Earlier versions stored only the time: no late copy is recalled.
        CPPUNIT_ASSERT(!decode_marker("1700000000").has_value());
        RecallMarker no_digest = marker();
        no_digest.digest.clear();
        CPPUNIT_ASSERT(!decode_marker(encode_marker(no_digest)).has_value());
    }

    void late_copy_obeys_org_window_and_digest()
    {
        Delivery late = sample();
        const int64_t before_end = 1700001799;
        CPPUNIT_ASSERT(recalled_on_arrival(marker(), late, before_end));
        CPPUNIT_ASSERT(!recalled_on_arrival(marker(), late, 1700001800)); // window closed
        late.recipient_org = "other.org";
        CPPUNIT_ASSERT(!recalled_on_arrival(marker(), late, before_end));
        late = sample();
        late.digest = "another message";
        CPPUNIT_ASSERT(!recalled_on_arrival(marker(), late, before_end));
        late.digest.clear();
        CPPUNIT_ASSERT(!recalled_on_arrival(marker(), late, before_end));
    }

    void records_live_as_long_as_the_longest_window()
    {
        Settings s;
        s.window_secs = 2;
        s.retention_secs = 2;
        s.longest_window_secs = 1800;
        CPPUNIT_ASSERT_EQUAL(int64_t(1802), record_lifetime(s));
        s.window_secs = 3600; // never shorter than the user's own
        CPPUNIT_ASSERT_EQUAL(int64_t(3602), record_lifetime(s));
    }
};


CPPUNIT_TEST_SUITE_REGISTRATION(DeliveryTest);