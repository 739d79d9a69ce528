// The rules of recall (SPEC section 1) applied to the ledger's records and
// to what each recipient's mailbox says about its copy.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "recall-ports.hpp"
#include "recall-settings.hpp"
#include "recall-state.hpp"

namespace recall {

struct Request {
    std::string sender;     // the recalling user's address (any case)
    std::string sender_org;
    std::string message_id;
    // To, Cc and Bcc of the sender's copy, for the EXTERNAL rows.
    std::vector<std::string> copy_recipients;
    bool check_only = false;
};

struct Row {
    std::string address;
    State state = State::Failed;
    std::string reason; // for FAILED: logged, never shown to the user
    // Counted in the result: a tracked recipient of the sender's
    // organization (not EXTERNAL, not NOT-DELIVERED).
    bool internal = true;
};

struct Outcome {
    Refusal refusal = Refusal::None;
    std::string error; // why the ledger was unavailable
    Result result = Result::Failure;
    std::vector<Row> rows; // one per address: internal, NOT-DELIVERED, EXTERNAL
    // Ledger records left alone, and why (logged): another message that
    // reuses the Message-ID, or a host that is not one of recall_backends.
    std::vector<std::string> ignored;
    unsigned internal = 0;
    unsigned recalled = 0;
    unsigned restored = 0; // restore: RESTORED rows
    int64_t expires_in = 0; // seconds left in the window
    // This run recalled at least one copy that no earlier run had.
    bool recalled_now = false;
    // For the report: the subject and time of the first delivery.
    std::string subject;
    int64_t first_delivery = 0;
};

// Where an IMAP request comes from: the webmail (recall_webmail_networks)
// or another client.
enum class Client { Webmail, Other };
// Rules 9 and 10, which only the IMAP command applies (doveadm is admin).
Refusal admission(const Settings &settings, Client client);

// Copies of the message that this user may act on: same envelope sender
// (case-insensitive), same Message-ID, not expired; a record naming a host
// outside recall_backends is left out, and why goes to ignored.
std::vector<Delivery> own_deliveries(const std::vector<Delivery> &records,
                                     const Request &request, const Settings &settings,
                                     int64_t now, std::vector<std::string> &ignored);

// One row for a recipient holding several tracked copies: the state that
// keeps the message in their mailbox wins, and RECALLED needs every copy
// gone (SPEC section 2).
State combined_state(State a, State b);

// A recall that misses a colleague's record of a new message gives the
// ledger up to this many moments for it (Ledger::await_recent_deliveries),
// while the newest record is at most kRecentDeliverySecs old.
constexpr unsigned kAwaitsPerRun = 10;
constexpr int64_t kRecentDeliverySecs = 5;

class Engine {
public:
    Engine(Ledger &ledger, MailboxAccess &mailboxes, const Clock &clock,
           const Settings &settings)
        : ledger_(ledger), mailboxes_(mailboxes), clock_(clock), settings_(settings) {}

    Outcome run(const Request &request);
    // doveadm recall restore: every held copy of the message goes back
    // where it was, its notice goes, and later copies arrive as any mail.
    // Rows: RESTORED; RECALLED for a copy expunged or whose hold has
    // passed; what a check says for a recipient that was not recalled.
    // Result: COMPLETE when every recalled recipient was restored (at
    // least one), PARTIAL when some were, FAILURE when none.
    Outcome restore(const Request &request);
    // Rule 11: a copy delivered after its message was recalled goes at
    // once, with the notice the marker (the sender's setting) asks for,
    // and its record says RECALLED. The caller checked
    // recalled_on_arrival().
    Row recall_arrival(Delivery &delivery, RecipientMailbox &box, const RecallMarker &marker);

private:
    // The records this request may act on; false with the refusal set.
    bool load(const Request &request, std::vector<Delivery> &own, Outcome &outcome);
    // The outcome's subject, first delivery and time left from the first
    // delivery; the rules a recall leaves in its marker.
    RecallMarker describe(const Request &request, const Delivery &first, Outcome &outcome) const;
    // Every row: one per internal address (each copy's row from step),
    // then NOT-DELIVERED and EXTERNAL.
    void make_rows(const Request &request, const RecallMarker &marker, std::vector<Delivery> &own,
                   Outcome &outcome,
                   const std::function<Row(Delivery &, const CopyMarks *, const std::string &)>
                       &step);
    // One row per internal address, each from all of its copies; step
    // gives a copy's row, with its marks (nullptr when unreadable).
    void internal_rows(std::vector<Delivery> &internal, Outcome &outcome,
                       const std::function<Row(Delivery &, const CopyMarks *,
                                               const std::string &)> &step);
    // What a copy's row does to the copy: only look (a CHECK, and the
    // copies a restore finds never recalled), or recall it if it may.
    enum class Act { Look, Recall };
    // marks: what the ledger knows of this copy; nullptr if it could not
    // say, and marks_error says why.
    Row copy_row(Delivery &delivery, const CopyMarks *marks, const std::string &marks_error,
                 Act act, const RecallMarker &rules, bool &recalled_now);
    // Whether a notice may already be in the recipient's INBOX (a resumed
    // recall, a recipient with several copies, a late arrival): then it is
    // looked for before one is saved.
    enum class Notice { New, MaybeSaved };
    // rules: the sender's notice and hold settings.
    Row recall_copy(Delivery &delivery, RecipientMailbox &box, const CopyFacts &facts,
                    const RecallMarker &rules, Notice notice, bool &recalled_now);
    Row restore_copy(Delivery &delivery);
    // Writes the completions not written yet; returns those the ledger
    // refused, with error (their records say Recalling until a next run).
    std::vector<Delivery> write_completed(std::string &error);
    // The end of a recall: the last completions written.
    void finish_run(Outcome &outcome);
    bool notify(Delivery &delivery, RecipientMailbox &box, Notice notice, std::string &error);

    Ledger &ledger_;
    MailboxAccess &mailboxes_;
    const Clock &clock_;
    const Settings &settings_;
    // Recipients notified in this run: one notice each, however many copies.
    std::set<std::string> notified_;
    // Recipients with more than one tracked copy of the message.
    std::set<std::string> several_copies_;
    // Copies recalled in this run whose records do not say so yet: they
    // are written with the next copy's intent, or by write_completed().
    std::vector<Delivery> completed_;
    // How often the ledger was given a moment for records on their way.
    unsigned awaits_ = 0;
};

} // namespace recall
