#include "recall-remote.hpp"
#include "recall-settings.hpp"

#include <vector>

namespace recall {

namespace {

// The answer's words, and how many of them were taken.
struct Words {
    std::vector<std::string> words;
    size_t taken = 0;

    explicit Words(const std::string &answer)
    {
        size_t start = 0;
        while ((start = answer.find_first_not_of(' ', start)) != std::string::npos) {
            size_t end = answer.find(' ', start);
            words.push_back(answer.substr(start, end - start));
            start = end;
        }
    }
    bool all_taken() const { return taken == words.size(); }
};

// "name=0" or "name=1" at the front of words; takes it.
std::optional<bool> take_flag(Words &words, const char *name)
{
    if (words.all_taken())
        return std::nullopt;
    const std::string &word = words.words[words.taken++];
    if (word.size() != std::string(name).size() + 2 ||
        word.compare(0, word.size() - 2, name) != 0 || word[word.size() - 2] != '=' ||
        (word.back() != '0' && word.back() != '1'))
        return std::nullopt;
    return word.back() == '1';
}

} // namespace

bool step_allowed(const Delivery &record, const std::string &user)
{
    return lower_ascii(record.recipient_user) == lower_ascii(user);
}

std::string facts_answer(const CopyFacts &facts)
{
    return std::string("present=") + (facts.present ? "1" : "0") +
           " seen=" + (facts.seen ? "1" : "0") + " shared=" + (facts.shared ? "1" : "0") +
           " genuine=" + (facts.genuine ? "1" : "0") +
           " protected=" + (facts.protected_mailbox ? "1" : "0") +
           " fetched=" + (facts.fetched ? "1" : "0");
}

std::optional<CopyFacts> parse_facts_answer(const std::string &answer)
{
    Words words(answer);
    std::optional<bool> present = take_flag(words, "present"), seen = take_flag(words, "seen"),
                        shared = take_flag(words, "shared"), genuine = take_flag(words, "genuine"),
                        protected_mailbox = take_flag(words, "protected");
    // A backend of an earlier version says nothing of the copy's own
    // download mark (it kept marks in the ledger only).
    std::optional<bool> fetched = words.all_taken() ? false : take_flag(words, "fetched");
    if (!present || !seen || !shared || !genuine || !protected_mailbox || !fetched ||
        !words.all_taken())
        return std::nullopt;
    CopyFacts facts;
    facts.present = *present;
    facts.seen = *seen;
    facts.shared = *shared;
    facts.genuine = *genuine;
    facts.protected_mailbox = *protected_mailbox;
    facts.fetched = *fetched;
    return facts;
}

std::string presence_answer(bool present)
{
    return present ? "present=1" : "present=0";
}

std::optional<bool> parse_presence_answer(const std::string &answer)
{
    Words words(answer);
    std::optional<bool> present = take_flag(words, "present");
    return present && words.all_taken() ? present : std::nullopt;
}

} // namespace recall
