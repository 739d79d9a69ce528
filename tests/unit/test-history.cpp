#include <cppunit/extensions/HelperMacros.h>

#include "../../src/core/recall-history.hpp"

using namespace recall;

class HistoryTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(HistoryTest);
    CPPUNIT_TEST(entry_counts_rows_per_state);
    CPPUNIT_TEST(refusal_is_the_result);
    CPPUNIT_TEST(round_trip_and_garbage);
    CPPUNIT_TEST(selection_is_newest_first_by_sender_and_time);
    CPPUNIT_TEST(since_takes_times_dates_and_ages);
    CPPUNIT_TEST_SUITE_END();

    Request request() { return Request{"Alice@Example.com", "example.com", "<m1@example.com>", {}, false}; }

    Outcome outcome()
    {
        Outcome o;
        o.result = Result::Partial;
        o.rows = {Row{"bob@example.com", State::Recalled, "", true},
                  Row{"carol@example.com", State::Fetched, "", true},
                  Row{"dave@example.com", State::Recalled, "", true},
                  Row{"x@other.org", State::External, "", false}};
        return o;
    }

    HistoryEntry at(int64_t t, const std::string &sender)
    {
        HistoryEntry e = history_entry("recall", request(), outcome(), "", t * 1000000, 1000);
        e.sender = sender;
        return e;
    }

public:
    void entry_counts_rows_per_state()
    {
        HistoryEntry e =
            history_entry("recall", request(), outcome(), "192.0.2.7", 5000123456, 600);
        CPPUNIT_ASSERT_EQUAL(int64_t(5000), e.at);
        CPPUNIT_ASSERT_EQUAL(int64_t(123456), e.usec);
        CPPUNIT_ASSERT_EQUAL(std::string("alice@example.com"), e.sender);
        CPPUNIT_ASSERT_EQUAL(std::string("PARTIAL"), e.result);
        CPPUNIT_ASSERT_EQUAL(std::string("RECALLED=2 FETCHED=1 EXTERNAL=1"), e.counts);
        CPPUNIT_ASSERT_EQUAL(int64_t(5600), e.expires_at);
        CPPUNIT_ASSERT_EQUAL(std::string("192.0.2.7"), e.client);
    }

    void refusal_is_the_result()
    {
        Outcome o;
        o.refusal = Refusal::Expired;
        HistoryEntry e = history_entry("recall", request(), o, "", 1000000, 1);
        CPPUNIT_ASSERT_EQUAL(std::string("RECALL-EXPIRED"), e.result);
        CPPUNIT_ASSERT_EQUAL(std::string(""), e.counts);
    }

    void round_trip_and_garbage()
    {
        HistoryEntry e = history_entry("restore", request(), outcome(), "::1", 5000000042, 600);
        e.message_id = "<a\tb\nc@x>";
        std::optional<HistoryEntry> back = decode_history(encode_history(e));
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT_EQUAL(e.message_id, back->message_id);
        CPPUNIT_ASSERT_EQUAL(e.counts, back->counts);
        CPPUNIT_ASSERT_EQUAL(std::string("restore"), back->action);
        CPPUNIT_ASSERT_EQUAL(e.at, back->at);
        CPPUNIT_ASSERT_EQUAL(int64_t(42), back->usec);
        CPPUNIT_ASSERT_EQUAL(e.expires_at, back->expires_at);
        CPPUNIT_ASSERT(encode_history(e).find('\n') == std::string::npos);
        for (const char *bad : {"", "1", "v=1\tat=x", "v=2\tat=1\taction=recall\tsender=a\tresult=COMPLETE\texpires=2"})
            CPPUNIT_ASSERT_MESSAGE(bad, !decode_history(bad).has_value());
    }

    void selection_is_newest_first_by_sender_and_time()
    {
        std::vector<HistoryEntry> all = {at(100, "alice@example.com"), at(300, "bob@example.com"),
                                         at(200, "alice@example.com"), at(50, "alice@example.com")};
        std::vector<HistoryEntry> mine = select_history(all, "ALICE@example.com", 60, 0);
        CPPUNIT_ASSERT_EQUAL(size_t(2), mine.size());
        CPPUNIT_ASSERT_EQUAL(int64_t(200), mine[0].at);
        CPPUNIT_ASSERT_EQUAL(int64_t(100), mine[1].at);
        std::vector<HistoryEntry> everyone = select_history(all, "", 0, 0);
        CPPUNIT_ASSERT_EQUAL(size_t(4), everyone.size());
        CPPUNIT_ASSERT_EQUAL(int64_t(300), everyone[0].at);
        // Within one second, the later first.
        std::vector<HistoryEntry> same = {at(300, "a@example.com"), at(300, "b@example.com")};
        same[0].usec = 10;
        same[1].usec = 20;
        CPPUNIT_ASSERT_EQUAL(std::string("b@example.com"), select_history(same, "", 0, 0)[0].sender);
        // An expired entry is gone even before prune removes it.
        CPPUNIT_ASSERT_EQUAL(size_t(1), select_history(all, "", 0, 1250).size());
    }

    void since_takes_times_dates_and_ages()
    {
        const int64_t now = 1764585000; // 2025-12-01T10:30:00Z
        CPPUNIT_ASSERT_EQUAL(int64_t(1700000000), *parse_since("1700000000", now));
        CPPUNIT_ASSERT_EQUAL(int64_t(1764547200), *parse_since("2025-12-01", now));
        CPPUNIT_ASSERT_EQUAL(int64_t(1764585000), *parse_since("2025-12-01T10:30", now));
        CPPUNIT_ASSERT_EQUAL(int64_t(1764585005), *parse_since("2025-12-01T10:30:05", now));
        CPPUNIT_ASSERT_EQUAL(int64_t(1764585005), *parse_since("2025-12-01T10:30:05Z", now));
        CPPUNIT_ASSERT_EQUAL(int64_t(951782400), *parse_since("2000-02-29", now));
        CPPUNIT_ASSERT_EQUAL(now - 5400, *parse_since("90 mins", now));
        CPPUNIT_ASSERT_EQUAL(now - 7200, *parse_since("2hours", now));
        CPPUNIT_ASSERT_EQUAL(now - 7 * 86400, *parse_since("7d", now));
        for (const char *bad : {"", "yesterday", "2025-13-01", "2025-12-01 10:30", "5 fortnights",
                                "-5 mins", "2025-12-1", "1.5h", "2025-12-01T10:30Z"})
            CPPUNIT_ASSERT_MESSAGE(bad, !parse_since(bad, now).has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(HistoryTest);
