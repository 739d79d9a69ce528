#include "recall-engine.hpp"

#include <algorithm>
#include <map>
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

bool wants_notice(NotifyMode mode, bool seen)
{
    switch (mode) {
    case NotifyMode::Yes: return true;
    case NotifyMode::No: return false;
    case NotifyMode::Read: return seen;
    }
    return true;
}

const Delivery &earliest(const std::vector<Delivery> &deliveries)
{
    return *std::min_element(deliveries.begin(), deliveries.end(),
                             [](const Delivery &a, const Delivery &b) {
                                 return a.delivered_at < b.delivered_at;
                             });
}

// Rule 2: the message is what its first delivery recorded. A record of
// another content under the same Message-ID and envelope sender (both can
// be forged) is another message; records from before digests were kept
// have none and stay.
void keep_same_message(std::vector<Delivery> &own, const std::string &digest,
                       std::vector<std::string> &ignored)
{
    auto other = std::stable_partition(own.begin(), own.end(), [&](const Delivery &d) {
        return d.digest == digest;
    });
    for (auto it = other; it != own.end(); ++it)
        ignored.push_back(it->recipient_user + ": another message with this Message-ID");
    own.erase(other, own.end());
}

// EXTERNAL and NOT-DELIVERED rows, sorted by address, after the internal.
void add_untracked_rows(const Request &request, const std::string &org,
                        std::set<std::string> &listed, std::vector<Row> &external,
                        std::vector<Row> &rows)
{
    std::vector<Row> not_delivered;
    for (const std::string &address : request.copy_recipients) {
        if (!listed.insert(lower_ascii(address)).second)
            continue;
        if (address_domain(address) == org)
            not_delivered.push_back(Row{address, State::NotDelivered, "", false});
        else
            external.push_back(Row{address, State::External, "", false});
    }
    auto by_address = [](const Row &a, const Row &b) { return a.address < b.address; };
    std::sort(not_delivered.begin(), not_delivered.end(), by_address);
    std::sort(external.begin(), external.end(), by_address);
    rows.insert(rows.end(), not_delivered.begin(), not_delivered.end());
    rows.insert(rows.end(), external.begin(), external.end());
}

// The records of the one message the first delivery recorded, in a stable
// order: by address within each group.
void same_message_by_address(std::vector<Delivery> &own, const std::string &digest,
                             std::vector<std::string> &ignored)
{
    keep_same_message(own, digest, ignored);
    std::sort(own.begin(), own.end(), [](const Delivery &a, const Delivery &b) {
        return a.recipient_address < b.recipient_address;
    });
}

// Internal records, and EXTERNAL rows for the other organizations';
// listed collects every address seen.
void split_by_org(std::vector<Delivery> &own, const std::string &org,
                  std::vector<Delivery> &internal, std::vector<Row> &external,
                  std::set<std::string> &listed)
{
    for (Delivery &d : own) {
        bool first_time = listed.insert(lower_ascii(d.recipient_address)).second;
        if (lower_ascii(d.recipient_org) == org)
            internal.push_back(d);
        else if (first_time)
            external.push_back(Row{d.recipient_address, State::External, "", false});
    }
}

} // namespace

Refusal admission(const Settings &settings, Client client)
{
    if (client != Client::Webmail)
        return Refusal::WebmailOnly;
    switch (settings.account) {
    case Account::Paid: return Refusal::None;
    case Account::Free: return Refusal::Upgrade;
    case Account::Personal: return Refusal::PersonalAccount;
    }
    return Refusal::PersonalAccount;
}

std::vector<Delivery> own_deliveries(const std::vector<Delivery> &records,
                                     const Request &request, const Settings &settings,
                                     int64_t now, std::vector<std::string> &ignored)
{
    const std::string sender = lower_ascii(request.sender);
    std::vector<Delivery> own;
    for (const Delivery &d : records) {
        // Rule 1 and 2: the record must name this sender and this exact
        // Message-ID; the ledger's key is a hash and proves neither.
        if (lower_ascii(d.sender) != sender || d.message_id != request.message_id ||
            d.expires_at <= now)
            continue;
        if (host_allowed(settings, d.host))
            own.push_back(d);
        else
            ignored.push_back(d.recipient_user + ": host " + d.host +
                              " is not one of recall_backends");
    }
    return own;
}

// A recipient keeps the message when one copy stays, so the states that
// keep it rank first (a restored copy is one that is back); RECALLED only
// when every copy is recalled or gone.
State combined_state(State a, State b)
{
    static const State rank[] = {State::Failed,   State::Protected,  State::Shared,
                                 State::Fetched,  State::Read,       State::Restored,
                                 State::Recallable, State::Recalled, State::Deleted};
    for (State s : rank) {
        if (a == s || b == s)
            return s;
    }
    return a;
}

// An address of the sender's organization on the sender's copy that no
// record names: a delivery deferred, an alias, or one just made whose
// record is still on its way.
bool misses_colleague(const Request &request, const std::vector<Delivery> &own)
{
    std::set<std::string> tracked;
    for (const Delivery &d : own)
        tracked.insert(lower_ascii(d.recipient_address));
    const std::string org = lower_ascii(request.sender_org);
    for (const std::string &address : request.copy_recipients) {
        if (address_domain(address) == org && tracked.count(lower_ascii(address)) == 0)
            return true;
    }
    return own.empty();
}

// A colleague's record may still be on its way (a delivery server's group
// commit) while the message is new: nothing recorded yet, or its newest
// record is only seconds old.
bool may_be_on_its_way(const Request &request, const std::vector<Delivery> &own, int64_t now)
{
    if (!misses_colleague(request, own))
        return false;
    int64_t newest = 0;
    for (const Delivery &d : own)
        newest = std::max(newest, d.delivered_at);
    return own.empty() || now - newest <= kRecentDeliverySecs;
}

bool Engine::load(const Request &request, std::vector<Delivery> &own, Outcome &outcome)
{
    std::vector<Delivery> records;
    LookupStatus status =
        ledger_.deliveries(lower_ascii(request.sender), request.message_id, records, outcome.error);
    if (status == LookupStatus::Error) {
        outcome.refusal = Refusal::ServerUnavailable;
        return false;
    }
    outcome.ignored.clear();
    own = own_deliveries(records, request, settings_, clock_.now(), outcome.ignored);
    if (may_be_on_its_way(request, own, clock_.now()) && awaits_ < kAwaitsPerRun) {
        awaits_++;
        ledger_.await_recent_deliveries();
        return load(request, own, outcome);
    }
    if (own.empty()) {
        outcome.refusal = Refusal::NotSent;
        return false;
    }
    return true;
}

RecallMarker Engine::describe(const Request &request, const Delivery &first,
                              Outcome &outcome) const
{
    outcome.first_delivery = first.delivered_at;
    outcome.subject = first.subject;
    const int64_t window_end = first.delivered_at + settings_.window_secs;
    outcome.expires_in = std::max<int64_t>(0, window_end - clock_.now());
    return RecallMarker{lower_ascii(request.sender_org), window_end, settings_.notify,
                        first.digest, settings_.hold_secs};
}

void Engine::make_rows(
    const Request &request, const RecallMarker &marker, std::vector<Delivery> &own,
    Outcome &outcome,
    const std::function<Row(Delivery &, const CopyMarks *, const std::string &)> &step)
{
    same_message_by_address(own, marker.digest, outcome.ignored);
    std::vector<Delivery> internal;
    std::vector<Row> external;
    std::set<std::string> listed;
    split_by_org(own, marker.org, internal, external, listed);
    internal_rows(internal, outcome, step);
    add_untracked_rows(request, marker.org, listed, external, outcome.rows);
}

Outcome Engine::run(const Request &request)
{
    Outcome outcome;
    std::vector<Delivery> own;
    if (!load(request, own, outcome))
        return outcome;
    const RecallMarker marker = describe(request, earliest(own), outcome);
    if (outcome.expires_in <= 0) {
        outcome.refusal = Refusal::Expired;
        return outcome;
    }
    if (!request.check_only) {
        if (!ledger_.mark_recalled(request.sender, request.message_id, marker, outcome.error)) {
            outcome.refusal = Refusal::ServerUnavailable;
            return outcome;
        }
        // Listed again after the marker: a copy recorded meanwhile is in
        // this listing, a later one sees the marker (rule 11).
        if (!load(request, own, outcome))
            return outcome;
    }
    make_rows(request, marker, own, outcome,
              [&](Delivery &d, const CopyMarks *marks, const std::string &marks_error) {
                  return copy_row(d, marks, marks_error,
                                  request.check_only ? Act::Look : Act::Recall, marker,
                                  outcome.recalled_now);
              });
    finish_run(outcome);

    outcome.result = overall_result(outcome.rows, request.check_only);
    for (const Row &row : outcome.rows) {
        outcome.internal += row.internal;
        outcome.recalled += row.internal && row.state == State::Recalled;
    }
    return outcome;
}

Outcome Engine::restore(const Request &request)
{
    Outcome outcome;
    std::vector<Delivery> own;
    if (!load(request, own, outcome))
        return outcome;
    const RecallMarker marker = describe(request, earliest(own), outcome);
    // First, so that a copy arriving from now on is delivered as any mail.
    if (!ledger_.unmark_recalled(request.sender, request.message_id, outcome.error)) {
        outcome.refusal = Refusal::ServerUnavailable;
        return outcome;
    }
    bool unused = false;
    make_rows(request, marker, own, outcome,
              [&](Delivery &d, const CopyMarks *marks, const std::string &marks_error) {
                  if (d.progress == Progress::Delivered)
                      return copy_row(d, marks, marks_error, Act::Look, marker, unused);
                  return restore_copy(d);
              });

    unsigned recalled = 0;
    for (const Row &row : outcome.rows) {
        if (!row.internal)
            continue;
        outcome.internal++;
        outcome.restored += row.state == State::Restored;
        recalled += row.state == State::Restored || row.state == State::Recalled ||
                    row.state == State::Failed;
    }
    outcome.result = outcome.restored == 0          ? Result::Failure
                     : outcome.restored == recalled ? Result::Complete
                                                    : Result::Partial;
    return outcome;
}

void Engine::internal_rows(
    std::vector<Delivery> &internal, Outcome &outcome,
    const std::function<Row(Delivery &, const CopyMarks *, const std::string &)> &step)
{
    std::vector<CopyMarks> marks;
    std::string marks_error;
    bool have_marks =
        ledger_.marks(internal, marks, marks_error) && marks.size() == internal.size();
    std::set<std::string> users;
    for (const Delivery &d : internal) {
        if (!users.insert(d.recipient_user).second)
            several_copies_.insert(d.recipient_user);
    }
    // Rows in a stable order, one per address (any case) however many copies.
    std::map<std::string, Row> by_address;
    for (size_t i = 0; i < internal.size(); i++) {
        Row row = step(internal[i], have_marks ? &marks[i] : nullptr, marks_error);
        auto [it, added] = by_address.emplace(lower_ascii(row.address), row);
        if (!added) {
            State state = combined_state(it->second.state, row.state);
            if (state != it->second.state)
                it->second = row;
            it->second.state = state;
        }
    }
    for (auto &entry : by_address)
        outcome.rows.push_back(entry.second);
}

Row Engine::copy_row(Delivery &delivery, const CopyMarks *marks, const std::string &marks_error,
                     Act act, const RecallMarker &rules, bool &recalled_now)
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
        if (delivery.progress == Progress::Recalling && act == Act::Recall)
            return recall_copy(delivery, *box, facts, rules, Notice::MaybeSaved, recalled_now);
        return row_for(delivery, delivery.progress == Progress::Recalling ? State::Recalled
                                                                          : State::Deleted);
    }
    if (!facts.genuine)
        return row_for(delivery, State::Failed,
                       "the copy with the recorded GUID is not the recorded message "
                       "(Message-ID, envelope sender or content differ): ledger record not "
                       "trusted, copy left alone");
    if (facts.protected_mailbox)
        return row_for(delivery, State::Protected);
    if (marks == nullptr)
        return row_for(delivery, State::Failed, "ledger: " + marks_error);
    // Precedence when several apply: SHARED, FETCHED, READ (README).
    if (facts.shared || marks->shared)
        return row_for(delivery, State::Shared);
    if (facts.fetched || marks->fetched)
        return row_for(delivery, State::Fetched);
    if (facts.seen && !settings_.recall_read)
        return row_for(delivery, State::Read);
    if (act == Act::Look)
        return row_for(delivery, State::Recallable);
    // A recipient with several copies may have had the notice for another.
    return recall_copy(delivery, *box, facts, rules,
                       several_copies_.count(delivery.recipient_user) > 0 ? Notice::MaybeSaved
                                                                          : Notice::New,
                       recalled_now);
}

Row Engine::recall_arrival(Delivery &delivery, RecipientMailbox &box, const RecallMarker &marker)
{
    std::string error;
    CopyFacts facts;
    if (!box.inspect(facts, error))
        return row_for(delivery, State::Failed, error);
    if (facts.present && !facts.genuine)
        return row_for(delivery, State::Failed, "the delivered copy is not the recorded message");
    if (facts.protected_mailbox)
        return row_for(delivery, State::Protected);
    bool recalled_now = false;
    // The recipient may have the notice from the recall of an earlier copy.
    Row row = recall_copy(delivery, box, facts, marker, Notice::MaybeSaved, recalled_now);
    if (!write_completed(error).empty())
        row.reason = "ledger: " + error;
    return row;
}

// Intent first, then expunge (or hold), notice and completion, so that a
// recall killed at any point resumes without a second expunge or notice.
Row Engine::recall_copy(Delivery &delivery, RecipientMailbox &box, const CopyFacts &facts,
                        const RecallMarker &rules, Notice notice, bool &recalled_now)
{
    std::string error;
    if (delivery.progress != Progress::Recalling) {
        delivery.progress = Progress::Recalling;
        delivery.notice_due = wants_notice(rules.notify, facts.seen);
        delivery.held_until = rules.hold_secs > 0 ? clock_.now() + rules.hold_secs : 0;
        // The record must outlive the hold: a restore starts from it.
        delivery.expires_at = std::max(delivery.expires_at, delivery.held_until);
        // The completions of the copies recalled before ride with this
        // intent: one ledger commit per copy, not two.
        std::vector<Delivery> writes = completed_;
        writes.push_back(delivery);
        if (!ledger_.store(writes, error))
            return row_for(delivery, State::Failed, "ledger: " + error);
        completed_.clear();
    }
    if (facts.present && !(delivery.held_until > 0 ? box.hold(error) : box.expunge(error)))
        return row_for(delivery, State::Failed, error);
    if (delivery.notice_due && !this->notify(delivery, box, notice, error))
        return row_for(delivery, State::Failed, error);
    delivery.progress = Progress::Recalled;
    recalled_now = true;
    // The copy is gone and the notice is there: RECALLED is the truth. The
    // record says so with the next copy's intent or at the end of the run
    // (write_completed); until then it says Recalling, and a run that
    // finds it so (after a crash) finishes it.
    completed_.push_back(delivery);
    return row_for(delivery, State::Recalled);
}

std::vector<Delivery> Engine::write_completed(std::string &error)
{
    std::vector<Delivery> pending = std::move(completed_);
    completed_.clear();
    if (pending.empty() || ledger_.store(pending, error))
        return {};
    return pending;
}

// Rows stay RECALLED when their completion could not be written (the copy
// is gone); the reason is logged, and the next run finishes the records.
void Engine::finish_run(Outcome &outcome)
{
    std::string error;
    std::set<std::string> unwritten;
    for (const Delivery &d : write_completed(error))
        unwritten.insert(lower_ascii(d.recipient_address));
    for (Row &row : outcome.rows) {
        if (row.internal && row.reason.empty() && unwritten.count(lower_ascii(row.address)) > 0)
            row.reason = "ledger: " + error;
    }
}

// Copies back first, then the notice goes, then the record says so: a
// restore killed at any point is finished by the next one.
Row Engine::restore_copy(Delivery &delivery)
{
    if (delivery.progress == Progress::Restored)
        return row_for(delivery, State::Restored);
    if (delivery.held_until == 0) {
        if (delivery.progress == Progress::Recalled)
            return row_for(delivery, State::Recalled); // expunged: nothing to restore
        return row_for(delivery, State::Failed,
                       "a recall without hold was interrupted: run the recall again");
    }
    if (delivery.held_until <= clock_.now())
        return row_for(delivery, State::Recalled); // the hold has passed
    std::string error;
    std::unique_ptr<RecipientMailbox> box = mailboxes_.open(delivery, error);
    if (box == nullptr || !box->restore(error) || !box->remove_notice(error))
        return row_for(delivery, State::Failed, error);
    delivery.progress = Progress::Restored;
    delivery.held_until = 0;
    delivery.notice_due = false;
    // The copy is back: RESTORED even when this write fails (a rerun
    // finds nothing left in the hold and finishes the record).
    if (!ledger_.store({delivery}, error))
        return row_for(delivery, State::Restored, "ledger: " + error);
    return row_for(delivery, State::Restored);
}

// The notice is saved once per recipient and message. Looking for it in
// the mailbox costs a search, so only a resumed recall or a late copy does.
bool Engine::notify(Delivery &delivery, RecipientMailbox &box, Notice notice,
                    std::string &error)
{
    if (!notified_.insert(delivery.recipient_user).second)
        return true;
    bool present = false;
    if (notice == Notice::MaybeSaved && !box.has_notice(error, present))
        return false;
    return present || box.save_notice(error);
}

} // namespace recall
