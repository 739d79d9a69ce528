// The small interfaces through which the recall engine reaches the world.
// The Dovecot glue implements them; unit tests implement them in memory.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "recall-delivery.hpp"

namespace recall {

enum class LookupStatus { Found, None, Error };

// Left in the ledger by the access tracking, as things happen. A download
// by the recipient is marked in the copy itself (CopyFacts::fetched); the
// ledger has it only where the copy's mailbox could not keep it.
struct CopyMarks {
    bool fetched = false; // downloaded by a mail client (rule 5)
    bool shared = false;  // opened by another user, copied to a shared mailbox
};

class Ledger {
public:
    virtual ~Ledger() = default;
    // Every record of this (sender, Message-ID), expired ones included.
    virtual LookupStatus deliveries(const std::string &sender, const std::string &message_id,
                                    std::vector<Delivery> &out, std::string &error) = 0;
    // Stores the records now, in one transaction (synchronously): the
    // engine relies on them being durable before it touches the mailbox.
    virtual bool store(const std::vector<Delivery> &deliveries, std::string &error) = 0;
    // Notes that this message is being recalled, so that a copy delivered
    // later is recalled on arrival (rule 11), by the marker's rules.
    virtual bool mark_recalled(const std::string &sender, const std::string &message_id,
                               const RecallMarker &marker, std::string &error) = 0;
    // A restore takes the marker away: later copies arrive as any mail.
    virtual bool unmark_recalled(const std::string &sender, const std::string &message_id,
                                 std::string &error) = 0;
    // What the access tracking saw happen to each copy (rules 5 and 6),
    // out[i] for copies[i]: asked once per run for all copies, so that a
    // ledger behind a server answers in one round trip, not one per copy.
    virtual bool marks(const std::vector<Delivery> &copies, std::vector<CopyMarks> &out,
                       std::string &error) = 0;
    // Returns once the records of deliveries made until now are listed:
    // a delivery server may commit its records a moment after it
    // delivered (a group commit).
    virtual void await_recent_deliveries() {}
};

// What the recipient's mailbox says about the recorded copy: every
// instance of it (its GUID) in the recipient's own folders, since a COPY
// or several RCPTs to one user leave more than one.
struct CopyFacts {
    bool present = false;  // false: no instance left (expunged by the recipient)
    bool seen = false;     // some instance has \Seen
    bool shared = false;   // rule 6: where one lies (namespace, ACL), $Forwarded
    // Every instance is the recorded message: its Message-ID, envelope
    // sender (Return-Path) and content digest match the record. A record
    // naming someone else's copy (forged into the ledger) is not genuine.
    bool genuine = true;
    // The recipient's mailbox never gives up a copy (recall_protected):
    // a compliance archive, a legal mailbox.
    bool protected_mailbox = false;
    // Rule 5: some instance carries its download mark (in its own index).
    bool fetched = false;
};

// One recipient's mail, opened for the duration of one recipient's step.
class RecipientMailbox {
public:
    virtual ~RecipientMailbox() = default;
    virtual bool inspect(CopyFacts &facts, std::string &error) = 0;
    // Expunges every instance found by inspect(); fails if one is left.
    virtual bool expunge(std::string &error) = 0;
    // Moves every instance found by inspect() into the recipient's hold,
    // until the record's held_until, out of the recipient's reach; fails
    // if one is left outside. Run again after a crash, it moves none twice.
    virtual bool hold(std::string &error) = 0;
    // Puts every held instance back into the folder it was recalled from,
    // with its flags and GUID; run again after a crash, none twice.
    virtual bool restore(std::string &error) = 0;
    // The notice is identified by its own Message-ID so that a resumed
    // recall can tell whether it was already saved.
    virtual bool has_notice(std::string &error, bool &present) = 0;
    virtual bool save_notice(std::string &error) = 0;
    // Removes the notice (a restore): done when there is none.
    virtual bool remove_notice(std::string &error) = 0;
};

class MailboxAccess {
public:
    virtual ~MailboxAccess() = default;
    // nullptr with error set when the recipient's mail cannot be opened.
    virtual std::unique_ptr<RecipientMailbox> open(const Delivery &delivery,
                                                   std::string &error) = 0;
};

class Clock {
public:
    virtual ~Clock() = default;
    virtual int64_t now() const = 0;
};

} // namespace recall
