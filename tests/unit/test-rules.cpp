// Rules the glue used to decide itself (issue 14): which sessions'
// reads are downloads, who a remote step may act for, the Return-Path's
// address, the report's words and table, and what prune deletes.
#include <cppunit/extensions/HelperMacros.h>

#include "../../src/core/recall-access.hpp"
#include "../../src/core/recall-history.hpp"
#include "../../src/core/recall-remote.hpp"
#include "../../src/core/recall-report.hpp"
#include "../../src/core/recall-settings.hpp"

using namespace recall;

class RulesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RulesTest);
    CPPUNIT_TEST(pop3_and_imap_clients_download_the_webmail_does_not);
    CPPUNIT_TEST(a_step_acts_only_for_the_records_recipient);
    CPPUNIT_TEST(return_path_gives_its_address_lower_cased);
    CPPUNIT_TEST(report_words_name_the_result);
    CPPUNIT_TEST(report_table_lists_the_organizations_recipients_only);
    CPPUNIT_TEST(prune_takes_what_expired_and_what_it_cannot_read);
    CPPUNIT_TEST_SUITE_END();

public:
    void pop3_and_imap_clients_download_the_webmail_does_not()
    {
        CPPUNIT_ASSERT(counts_downloads("pop3", true, false));
        CPPUNIT_ASSERT(counts_downloads("pop3", false, false));
        CPPUNIT_ASSERT(counts_downloads("imap", true, false));
        CPPUNIT_ASSERT(!counts_downloads("imap", true, true));   // the webmail
        CPPUNIT_ASSERT(!counts_downloads("imap", false, false)); // a recall, doveadm
        CPPUNIT_ASSERT(!counts_downloads("lmtp", true, false));
        CPPUNIT_ASSERT(!counts_downloads("doveadm", false, false));
    }

    void a_step_acts_only_for_the_records_recipient()
    {
        Delivery record;
        record.recipient_user = "Bob@Example.com";
        CPPUNIT_ASSERT(step_allowed(record, "bob@example.com"));
        CPPUNIT_ASSERT(!step_allowed(record, "carol@example.com"));
        CPPUNIT_ASSERT(!step_allowed(record, "bob@example.co"));
        CPPUNIT_ASSERT(!step_allowed(record, ""));
    }

    void return_path_gives_its_address_lower_cased()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("alice@example.com"),
                             return_path_address("<Alice@Example.com>"));
        CPPUNIT_ASSERT_EQUAL(std::string("alice@example.com"),
                             return_path_address("Alice@example.COM"));
        CPPUNIT_ASSERT_EQUAL(std::string(""), return_path_address("<>"));
        CPPUNIT_ASSERT_EQUAL(std::string("a@b"), return_path_address(" <a@b> (comment)"));
    }

    void report_words_name_the_result()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("Complete success"),
                             std::string(result_words(Result::Complete)));
        CPPUNIT_ASSERT_EQUAL(std::string("Partial success"),
                             std::string(result_words(Result::Partial)));
        CPPUNIT_ASSERT_EQUAL(std::string("Complete failure"),
                             std::string(result_words(Result::Failure)));
    }

    void report_table_lists_the_organizations_recipients_only()
    {
        Outcome outcome;
        outcome.rows = {{"bob@example.com", State::Recalled, "", true},
                        {"dave@other.org", State::External, "", false},
                        {"carol@example.com\r\nBcc: x", State::Fetched, "", true}};
        CPPUNIT_ASSERT_EQUAL(std::string("  bob@example.com  RECALLED\n"
                                         "  carol@example.com  Bcc: x  FETCHED\n"),
                             report_recipients(outcome));
    }

    void prune_takes_what_expired_and_what_it_cannot_read()
    {
        Delivery record;
        record.expires_at = 1000;
        CPPUNIT_ASSERT(!record_prunable(record, 999));
        CPPUNIT_ASSERT(record_prunable(record, 1000));
        CPPUNIT_ASSERT(record_prunable(std::nullopt, 0));
        HistoryEntry entry;
        entry.expires_at = 1000;
        CPPUNIT_ASSERT(!history_prunable(entry, 999));
        CPPUNIT_ASSERT(history_prunable(entry, 1000));
        CPPUNIT_ASSERT(history_prunable(std::nullopt, 0));
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(RulesTest);
