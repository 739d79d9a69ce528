// In-memory ledger, mailboxes and clock for the engine's unit tests.
#pragma once

#include <map>

#include "../../src/core/recall-ports.hpp"

namespace recall::test {

class MemoryLedger : public Ledger {
public:
    std::map<std::string, Delivery> records; // by recipient_user + guid
    bool down = false;
    int fail_stores_after = -1; // stores allowed before failing; -1 = never

    void add(const Delivery &d) { records[d.recipient_user + "/" + d.guid] = d; }

    LookupStatus deliveries(const std::string &, const std::string &, std::vector<Delivery> &out,
                            std::string &error) override
    {
        if (down) {
            error = "connection refused";
            return LookupStatus::Error;
        }
        for (auto &[key, d] : records)
            out.push_back(d);
        return out.empty() ? LookupStatus::None : LookupStatus::Found;
    }

    std::map<std::string, CopyMarks> copy_marks; // by recipient_user
    int recall_marks = 0;
    RecallMarker last_marker;
    // Recorded while the marker is written (a delivery racing the recall).
    std::vector<Delivery> arrive_with_marker;

    bool mark_recalled(const std::string &, const std::string &, const RecallMarker &marker,
                       std::string &error) override
    {
        if (down) {
            error = "connection refused";
            return false;
        }
        recall_marks++;
        last_marker = marker;
        for (const Delivery &d : arrive_with_marker)
            add(d);
        arrive_with_marker.clear();
        return true;
    }

    bool unmark_recalled(const std::string &, const std::string &, std::string &error) override
    {
        if (down) {
            error = "connection refused";
            return false;
        }
        recall_marks = 0;
        return true;
    }

    // Recorded once the engine gave the ledger a moment (a group commit).
    std::vector<Delivery> arrive_after_await;
    unsigned awaits = 0;

    void await_recent_deliveries() override
    {
        awaits++;
        for (const Delivery &d : arrive_after_await)
            add(d);
        arrive_after_await.clear();
    }

    bool marks_down = false;

    int marks_calls = 0;

    bool marks(const std::vector<Delivery> &copies, std::vector<CopyMarks> &out,
               std::string &error) override
    {
        marks_calls++;
        if (marks_down) {
            error = "marks unreadable";
            return false;
        }
        for (const Delivery &d : copies)
            out.push_back(copy_marks[d.recipient_user]);
        return true;
    }

    int stores = 0; // transactions

    bool store(const std::vector<Delivery> &deliveries, std::string &error) override
    {
        if (fail_stores_after == 0) {
            error = "write failed";
            return false;
        }
        if (fail_stores_after > 0)
            fail_stores_after--;
        stores++;
        for (const Delivery &d : deliveries)
            add(d);
        return true;
    }
};

struct FakeCopy {
    bool present = true;
    int copies = 1; // copies of the message this recipient holds
    bool seen = false;
    bool shared = false;
    bool genuine = true; // false: the GUID names another message
    bool protected_mailbox = false;
    bool fetched = false; // an instance carries its download mark
    int notices = 0;
    int expunges = 0;
    int held = 0;     // instances in the hold
    int restores = 0;
};

class FakeMailboxes : public MailboxAccess {
public:
    std::map<std::string, FakeCopy> copies; // by recipient_user
    std::string unopenable;                 // this user cannot be opened
    bool crash_after_expunge = false;       // simulates a kill mid-recall
    bool crash_after_restore = false;       // simulates a kill mid-restore

    struct Box : public RecipientMailbox {
        FakeMailboxes &owner;
        FakeCopy &copy;
        Box(FakeMailboxes &o, FakeCopy &c) : owner(o), copy(c) {}
        bool inspect(CopyFacts &facts, std::string &) override
        {
            facts = CopyFacts{copy.present, copy.seen,      copy.shared, copy.genuine,
                              copy.protected_mailbox, copy.fetched};
            return true;
        }
        bool expunge(std::string &error) override
        {
            copy.present = --copy.copies > 0;
            copy.expunges++;
            if (owner.crash_after_expunge) {
                error = "killed";
                return false;
            }
            return true;
        }
        bool hold(std::string &error) override
        {
            copy.held++;
            return expunge(error);
        }
        bool restore(std::string &error) override
        {
            copy.restores++;
            copy.copies += copy.held;
            copy.present = copy.copies > 0;
            copy.held = 0;
            if (owner.crash_after_restore) {
                error = "killed";
                return false;
            }
            return true;
        }
        bool remove_notice(std::string &) override
        {
            copy.notices = 0;
            return true;
        }
        bool has_notice(std::string &, bool &present) override
        {
            present = copy.notices > 0;
            return true;
        }
        bool save_notice(std::string &) override
        {
            copy.notices++;
            return true;
        }
    };

    std::unique_ptr<RecipientMailbox> open(const Delivery &d, std::string &error) override
    {
        if (d.recipient_user == unopenable) {
            error = "no such user";
            return nullptr;
        }
        return std::make_unique<Box>(*this, copies[d.recipient_user]);
    }
};

class FixedClock : public Clock {
public:
    int64_t t = 1000000;
    int64_t now() const override { return t; }
};

} // namespace recall::test
