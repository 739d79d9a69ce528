#include <cppunit/extensions/HelperMacros.h>

#include "../../src/core/recall-settings.hpp"
#include "../../src/core/recall-state.hpp"

using namespace recall;

class SettingsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(SettingsTest);
    CPPUNIT_TEST(choices_are_strict);
    CPPUNIT_TEST(domain_of_address);
    CPPUNIT_TEST(host_and_port);
    CPPUNIT_TEST(public_names);
    CPPUNIT_TEST(system_users_get_the_mail_domain);
    CPPUNIT_TEST(only_listed_backends_are_honoured);
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

    void host_and_port()
    {
        std::optional<HostPort> hp = parse_host_port("backend-2.example.com:8080");
        CPPUNIT_ASSERT(hp.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("backend-2.example.com"), hp->name);
        CPPUNIT_ASSERT_EQUAL(8080, (int)hp->port);
        CPPUNIT_ASSERT_EQUAL(65535, (int)parse_host_port("10.0.0.2:65535")->port);
        for (const char *bad : {"", "host", "host:", ":80", "host:0", "host:65536", "host:80x",
                                "host:123456", "ho st:80", "host/x:80", "[::1]:80"})
            CPPUNIT_ASSERT_MESSAGE(bad, !parse_host_port(bad).has_value());
    }

    void public_names()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("NOT-RECALLABLE"),
                             std::string(result_name(Result::NotRecallable)));
        CPPUNIT_ASSERT_EQUAL(std::string("RECALL-WEBMAIL-ONLY"),
                             std::string(refusal_code(Refusal::WebmailOnly)));
        CPPUNIT_ASSERT_EQUAL(std::string("UNAVAILABLE"),
                             std::string(refusal_code(Refusal::ServerUnavailable)));
        CPPUNIT_ASSERT_EQUAL(std::string("FETCHED"), std::string(state_name(State::Fetched)));
    }
    void system_users_get_the_mail_domain()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("bob@example.com"), default_address("bob", "example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("bob@other.org"), default_address("bob@other.org",
                                                                            "example.com"));
        CPPUNIT_ASSERT_EQUAL(std::string("bob"), default_address("bob", ""));
    }

    void only_listed_backends_are_honoured()
    {
        Settings s;
        s.host = "10.0.0.1:8080";
        s.backends = {"10.0.0.2:8080"};
        CPPUNIT_ASSERT(host_allowed(s, ""));
        CPPUNIT_ASSERT(host_allowed(s, "10.0.0.1:8080"));
        CPPUNIT_ASSERT(host_allowed(s, "10.0.0.2:8080"));
        CPPUNIT_ASSERT(!host_allowed(s, "10.0.0.3:8080"));
        CPPUNIT_ASSERT(!host_allowed(s, "10.0.0.2:8081"));
    }
};


CPPUNIT_TEST_SUITE_REGISTRATION(SettingsTest);
