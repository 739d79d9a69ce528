#include <cppunit/extensions/HelperMacros.h>

#include "../../src/core/recall-text.hpp"

using namespace recall;

class TextTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(TextTest);
    CPPUNIT_TEST(controls_become_spaces);
    CPPUNIT_TEST(invalid_utf8_is_replaced);
    CPPUNIT_TEST(long_values_are_cut_on_character_boundary);
    CPPUNIT_TEST(values_cannot_add_lines);
    CPPUNIT_TEST(recipients_table_keeps_its_lines_only);
    CPPUNIT_TEST(templates_parse);
    CPPUNIT_TEST_SUITE_END();

public:
    void controls_become_spaces()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("a  b c d"),
                             sanitize_line(std::string("a\r\nb\0c\x7f" "d", 8)));
    }

    void invalid_utf8_is_replaced()
    {
        CPPUNIT_ASSERT_EQUAL(std::string("caf\xc3\xa9 ?x??"),
                             sanitize_line("caf\xc3\xa9 \xc3x\xed\xa0"));
        CPPUNIT_ASSERT_EQUAL(std::string("??"), sanitize_line("\xc0\xaf")); // overlong '/'
    }

    void long_values_are_cut_on_character_boundary()
    {
        std::string long_text;
        for (int i = 0; i < 20000; i++)
            long_text += "\xc3\xa9";
        std::string cut = sanitize_line(long_text, 901);
        CPPUNIT_ASSERT_EQUAL(size_t(900), cut.size());
        CPPUNIT_ASSERT_EQUAL(cut, sanitize_line(cut));
    }

    void values_cannot_add_lines()
    {
        Template t{"Re: ${subject}", "Subject: ${subject}\nFrom: ${sender}\n"};
        Template out = render(t, {{"subject", "hi\r\nBcc: victim@x"}, {"sender", "a\nb"}});
        CPPUNIT_ASSERT_EQUAL(std::string("Re: hi  Bcc: victim@x"), out.subject);
        CPPUNIT_ASSERT_EQUAL(std::string("Subject: hi  Bcc: victim@x\nFrom: a b\n"), out.body);
        CPPUNIT_ASSERT_EQUAL(std::string("${unknown}"), render(Template{"${unknown}", ""}, {}).subject);
    }

    void recipients_table_keeps_its_lines_only()
    {
        Template out = render(Template{"s", "${recipients}"},
                              {{"recipients", "  a  RECALLED\n  b\r  FETCHED"}});
        CPPUNIT_ASSERT_EQUAL(std::string("  a  RECALLED\n  b   FETCHED"), out.body);
    }

    void templates_parse()
    {
        std::string error;
        std::optional<Template> t = parse_template("Subject: Rappel ${subject}\n\nCorps\n", error);
        CPPUNIT_ASSERT(t.has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("Rappel ${subject}"), t->subject);
        CPPUNIT_ASSERT_EQUAL(std::string("Corps\n"), t->body);
        CPPUNIT_ASSERT(!parse_template("Hello\n\nbody", error).has_value());
        CPPUNIT_ASSERT(!parse_template("Subject: x\nbody", error).has_value());
        CPPUNIT_ASSERT(!error.empty());
    }
};

CPPUNIT_TEST_SUITE_REGISTRATION(TextTest);
