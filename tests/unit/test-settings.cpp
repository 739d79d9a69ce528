#include <cppunit/extensions/HelperMacros.h>

#include "../../src/core/recall-settings.hpp"
#include "../../src/core/recall-state.hpp"

using namespace recall;

class SettingsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SettingsTest);
    CPPUNIT_TEST(choices_are_strict);
    CPPUNIT_TEST(domain_of_address);
    CPPUNIT_TEST(public_names);
    CPPUNIT_TEST_SUITE_END();

public:
    void choices_are_strict()
    {
        CPPUNIT_ASSERT(parse_yes_no("yes") == std::optional<bool>(true));
        CPPUNIT_ASSERT(parse_yes_no("no") == std::optional<bool>(false));
        CPPUNIT_ASSERT(!parse_yes_no("Yes").has_value());
        CPPUNIT_ASSERT(!parse_yes_no("1").has_value());
        CPPUNIT_ASSERT(parse_account("free") == std::optional<Account>(Account::Free));
        CPPUNIT_ASSERT(!parse_account("gold").has_value());
        CPPUNIT_ASSERT(parse_notify_mode("read") == std::optional<NotifyMode>(NotifyMode::Read));
        CPPUNIT_ASSERT(!parse_notify_mode("").has_value());
    }

    void domain_of_address()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("example.com"), address_domain("Bob@Example.COM"));
        CPPUNIT_ASSERT_EQUAL(std::string("b.org"), address_domain("\"a@x\"@b.org"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), address_domain("bob"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), address_domain("bob@"));
    }

    void public_names()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("NOT-RECALLABLE"),
                             std::string(result_name(Result::NotRecallable)));
        CPPUNIT_ASSERT_EQUAL(std::string("RECALL-WEBMAIL-ONLY"),
                             std::string(refusal_code(Refusal::WebmailOnly)));
        CPPUNIT_ASSERT_EQUAL(std::string("UNAVAILABLE"),
                             std::string(refusal_code(Refusal::LedgerDown)));
        CPPUNIT_ASSERT_EQUAL(std::string("FETCHED"), std::string(state_name(State::Fetched)));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(SettingsTest);
