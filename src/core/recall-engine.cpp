#include "recall-engine.hpp"

#include <algorithm>
#include <set>

namespace recall {
namespace {

Result overall_result(const std::vector<Row> &rows, bool check_only)
{
    unsigned internal = 0, recalled = 0, recallable = 0;
    for (const Row &row : rows) {
        if (!row.internal)
            continue;
        internal++;
        recalled += row.state == State::Recalled;
        recallable += row.state == State::Recallable;
    }
    if (check_only)
        return recallable > 0 ? Result::Recallable : Result::NotRecallable;
    if (recalled > 0 && recalled == internal)
        return Result::Complete;
    return recalled > 0 ? Result::Partial : Result::Failure;
}

Row row_for(const Delivery &delivery, State state, std::string reason = "")
{
    return Row{delivery.recipient_address, state, std::move(reason), true};
}

} // namespace

Refusal admission(const Settings &settings, bool webmail_session)
{
    if (!webmail_session)
        return Refusal::WebmailOnly;
    switch (settings.account) {
    case Account::Paid: return Refusal::None;
    case Account::Free: return Refusal::Upgrade;
    case Account::Personal: return Refusal::Unavailable;
    }
    return Refusal::Unavailable;
}

std::vector<Delivery> own_deliveries(const std::vector<Delivery> &records,
                                     const Request &request, int64_t now)
{
    const std::string sender = lower_ascii(request.sender);
    std::vector<Delivery> own;
    for (const Delivery &d : records) {
        // Rule 1 and 2: the record must name this sender and this exact
        // Message-ID; the ledger's key is a hash and proves neither.
        if (lower_ascii(d.sender) == sender && d.message_id == request.message_id &&
            d.expires_at > now)
            own.push_back(d);
    }
    return own;
}

Outcome Engine::run(const Request &request)
{
    Outcome outcome;
    std::vector<Delivery> records;
    LookupStatus status =
        ledger_.deliveries(lower_ascii(request.sender), request.message_id, records, outcome.error);
    if (status == LookupStatus::Error) {
        outcome.refusal = Refusal::LedgerDown;
        return outcome;
    }
    const int64_t now = clock_.now();
    std::vector<Delivery> own = own_deliveries(records, request, now);
    if (own.empty()) {
        outcome.refusal = Refusal::NotSent;
        return outcome;
    }
    auto first = std::min_element(own.begin(), own.end(), [](const Delivery &a, const Delivery &b) {
        return a.delivered_at < b.delivered_at;
    });
    outcome.first_delivery = first->delivered_at;
    outcome.subject = first->subject;
    outcome.expires_in = first->delivered_at + settings_.window_secs - now;
    if (outcome.expires_in <= 0) {
        outcome.expires_in = 0;
        outcome.refusal = Refusal::Expired;
        return outcome;
    }

    if (!request.check_only &&
        !ledger_.mark_recalled(request.sender, request.message_id, outcome.error)) {
        outcome.refusal = Refusal::LedgerDown;
        return outcome;
    }

    const std::string org = lower_ascii(request.sender_org);
    // Rows in a stable order: by address within internal and external.
    std::sort(own.begin(), own.end(), [](const Delivery &a, const Delivery &b) {
        return a.recipient_address < b.recipient_address;
    });
    std::vector<Delivery> internal;
    std::vector<Row> external;
    std::set<std::string> listed;
    for (Delivery &d : own) {
        listed.insert(lower_ascii(d.recipient_address));
        if (lower_ascii(d.recipient_org) == org)
            internal.push_back(d);
        else
            external.push_back(Row{d.recipient_address, State::External, "", false});
    }
    std::vector<CopyMarks> marks;
    std::string marks_error;
    bool have_marks = ledger_.marks(internal, marks, marks_error) && marks.size() == internal.size();
    for (size_t i = 0; i < internal.size(); i++) {
        outcome.rows.push_back(visit(internal[i], have_marks ? &marks[i] : nullptr, marks_error,
                                     request.check_only, outcome.recalled_now));
    }
    for (const std::string &address : request.copy_recipients) {
        if (listed.insert(lower_ascii(address)).second)
            external.push_back(Row{address, State::External, "", false});
    }
    outcome.rows.insert(outcome.rows.end(), external.begin(), external.end());

    outcome.result = overall_result(outcome.rows, request.check_only);
    for (const Row &row : outcome.rows) {
        outcome.internal += row.internal;
        outcome.recalled += row.internal && row.state == State::Recalled;
    }
    return outcome;
}

Row Engine::visit(Delivery &delivery, const CopyMarks *marks, const std::string &marks_error,
                  bool check_only, bool &recalled_now)
{
    if (delivery.progress == Progress::Recalled)
        return row_for(delivery, State::Recalled);

    std::string error;
    std::unique_ptr<RecipientMailbox> box = mailboxes_.open(delivery, error);
    CopyFacts facts;
    if (box == nullptr || !box->inspect(facts, error))
        return row_for(delivery, State::Failed, error);

    if (!facts.present) {
        // Gone while a recall was under way: that recall expunged it.
        if (delivery.progress == Progress::Recalling && !check_only)
            return recall_copy(delivery, *box, facts, true, recalled_now);
        return row_for(delivery, delivery.progress == Progress::Recalling ? State::Recalled
                                                                          : State::Deleted);
    }
    if (marks == nullptr)
        return row_for(delivery, State::Failed, "ledger: " + marks_error);
    // Precedence when several apply: SHARED, FETCHED, READ (README).
    if (facts.shared || marks->shared)
        return row_for(delivery, State::Shared);
    if (marks->fetched)
        return row_for(delivery, State::Fetched);
    if (facts.seen && !settings_.recall_read)
        return row_for(delivery, State::Read);
    if (check_only)
        return row_for(delivery, State::Recallable);
    return recall_copy(delivery, *box, facts, false, recalled_now);
}

Row Engine::recall_arrival(Delivery &delivery, RecipientMailbox &box)
{
    std::string error;
    CopyFacts facts;
    if (!box.inspect(facts, error))
        return row_for(delivery, State::Failed, error);
    bool recalled_now = false;
    // The recipient may have the notice from the recall of an earlier copy.
    return recall_copy(delivery, box, facts, true, recalled_now);
}

// Intent first, then expunge, notice and completion, so that a recall
// killed at any point resumes without a second expunge or notice.
Row Engine::recall_copy(Delivery &delivery, RecipientMailbox &box, const CopyFacts &facts,
                        bool look_for_notice, bool &recalled_now)
{
    std::string error;
    if (delivery.progress != Progress::Recalling) {
        delivery.progress = Progress::Recalling;
        delivery.notice_due = wants_notice(facts.seen);
        if (!ledger_.store(delivery, error))
            return row_for(delivery, State::Failed, "ledger: " + error);
    }
    if (facts.present && !box.expunge(error))
        return row_for(delivery, State::Failed, error);
    if (delivery.notice_due && !notify(delivery, box, look_for_notice, error))
        return row_for(delivery, State::Failed, error);
    delivery.progress = Progress::Recalled;
    recalled_now = true;
    // The copy is gone and the notice is there: RECALLED is the truth even
    // when this last write fails; the next run finishes the record.
    if (!ledger_.store(delivery, error))
        return row_for(delivery, State::Recalled, "ledger: " + error);
    return row_for(delivery, State::Recalled);
}

// The notice is saved once per recipient and message. Looking for it in
// the mailbox costs a search, so only a resumed recall or a late copy does.
bool Engine::notify(Delivery &delivery, RecipientMailbox &box, bool look_for_notice,
                    std::string &error)
{
    if (!notified_.insert(delivery.recipient_user).second)
        return true;
    bool present = false;
    if (look_for_notice && !box.has_notice(error, present))
        return false;
    return present || box.save_notice(error);
}

bool Engine::wants_notice(bool seen) const
{
    switch (settings_.notify) {
    case NotifyMode::Yes: return true;
    case NotifyMode::No: return false;
    case NotifyMode::Read: return seen;
    }
    return true;
}

} // namespace recall
