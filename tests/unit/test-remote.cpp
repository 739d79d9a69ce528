#include <cppunit/extensions/HelperMacros.h>

#include "../../src/core/recall-remote.hpp"

using namespace recall;

class RemoteAnswerTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RemoteAnswerTest);
    CPPUNIT_TEST(facts_round_trip);
    CPPUNIT_TEST(earlier_backend_answers_without_fetched);
    CPPUNIT_TEST(presence_round_trip);
    CPPUNIT_TEST(anything_else_is_no_answer);
    CPPUNIT_TEST_SUITE_END();

public:
    void facts_round_trip()
    {
        for (int bits = 0; bits < 64; bits++) {
            CopyFacts facts;
            facts.present = bits & 1;
            facts.seen = bits & 2;
            facts.shared = bits & 4;
            facts.genuine = bits & 8;
            facts.protected_mailbox = bits & 16;
            facts.fetched = bits & 32;
            std::optional<CopyFacts> back = parse_facts_answer(facts_answer(facts));
            CPPUNIT_ASSERT(back.has_value());
            CPPUNIT_ASSERT_EQUAL(facts.present, back->present);
            CPPUNIT_ASSERT_EQUAL(facts.seen, back->seen);
            CPPUNIT_ASSERT_EQUAL(facts.shared, back->shared);
            CPPUNIT_ASSERT_EQUAL(facts.genuine, back->genuine);
            CPPUNIT_ASSERT_EQUAL(facts.protected_mailbox, back->protected_mailbox);
            CPPUNIT_ASSERT_EQUAL(facts.fetched, back->fetched);
        }
        CPPUNIT_ASSERT_EQUAL(
            std::string("present=1 seen=0 shared=1 genuine=1 protected=0 fetched=0"),
            facts_answer(CopyFacts{true, false, true}));
    }

    // A backend of an earlier version answers without the copy's own
    // download mark: not fetched as far as it knows (its marks are in the
    // ledger).
    void earlier_backend_answers_without_fetched()
    {
        std::optional<CopyFacts> back =
            parse_facts_answer("present=1 seen=1 shared=0 genuine=1 protected=0");
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT(back->present && back->seen && !back->fetched);
    }

    void presence_round_trip()
    {
        CPPUNIT_ASSERT(parse_presence_answer(presence_answer(true)) == std::optional<bool>(true));
        CPPUNIT_ASSERT(parse_presence_answer(presence_answer(false)) == std::optional<bool>(false));
    }

    // A garbled or foreign answer must not be taken for "gone" or "not
    // seen": the step then fails instead of recalling on a guess.
    void anything_else_is_no_answer()
    {
        for (const char *bad : {"", "ok", "present=1", "present=1 seen=0", "present=2 seen=0 shared=0",
                                "seen=0 present=1 shared=0", "present=1 seen=0 shared=0 x=1", "present=1 seen=0 shared=0",
                                "present=1seen=0 shared=0", "presentX1 seen=0 shared=0",
                                "present=1 seen=0 shared=0 genuine=1 protected=0 fetched=2",
                                "present=1 seen=0 shared=0 genuine=1 protected=0 fetched=1 x=1"})
            CPPUNIT_ASSERT_MESSAGE(bad, !parse_facts_answer(bad).has_value());
        for (const char *bad : {"", "ok", "present=", "present=yes", "present=1 x", "absent=1"})
            CPPUNIT_ASSERT_MESSAGE(bad, !parse_presence_answer(bad).has_value());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RemoteAnswerTest);
