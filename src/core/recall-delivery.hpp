// One delivered copy as the ledger records it, and its text encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "recall-settings.hpp"

namespace recall {

// The longest a delivering process holds a record before its group commit
// to the ledger: a recall waits this long before it lists the records, so
// that the deliveries it raced are listed too.
constexpr unsigned int kGroupCommitMsecs = 100;

// Where a copy stands in a recall. Stored so that an interrupted recall
// resumes without recalling or notifying twice (SPEC rule 12).
enum class Progress {
    Delivered, // untouched by any recall
    Recalling, // intent recorded; expunge and notice may be done or not
    Recalled,  // expunged or held (or found gone while Recalling) and notified
    Restored,  // put back from the hold by a restore: recallable again
};

struct Delivery {
    std::string sender;            // envelope sender, lower-cased
    std::string message_id;
    std::string recipient_user;    // username that owns the copy
    std::string recipient_address; // envelope recipient
    std::string recipient_org;
    std::string mailbox;           // where it was delivered
    // The backend that holds the copy (its recall_host); empty: this one.
    std::string host;
    uint32_t uid = 0;
    std::string guid;
    std::string subject;           // for the notice, already sanitised
    // What the message said when it was delivered (content_digest()):
    // a copy, or a later delivery, is this message only if it matches.
    std::string digest;
    int64_t delivered_at = 0;      // server clock, seconds
    int64_t expires_at = 0;        // after this the record is ignored
    Progress progress = Progress::Delivered;
    // Decided when the recall starts (recall_notify_recipients may depend
    // on \Seen, which is unknown once the copy is gone).
    bool notice_due = false;
    // Recalled into the hold (the sender's recall_hold) until this time,
    // for `doveadm recall restore`; 0: expunged, or never recalled.
    int64_t held_until = 0;
};

// What a recall leaves for copies that arrive after it (rule 11): they are
// recalled on arrival only inside the sender's organization and window,
// with the sender's notice setting, and only if they are the same message.
struct RecallMarker {
    std::string org;     // the sender's organization
    int64_t until = 0;   // end of the sender's window
    NotifyMode notify = NotifyMode::Yes; // the sender's recall_notify_recipients
    std::string digest;  // of the message's first delivery
    int64_t hold_secs = 0; // the sender's recall_hold: late copies go there too
};

// Why a copy delivered now, after the recall, is delivered normally
// (another organization, the window closed, another message), or nullptr
// when it is recalled on arrival.
const char *late_copy_kept_because(const RecallMarker &marker, const Delivery &late,
                                   int64_t now);
inline bool recalled_on_arrival(const RecallMarker &marker, const Delivery &late, int64_t now)
{
    return late_copy_kept_because(marker, late, now) == nullptr;
}

// A line of key=value fields separated by tabs; values percent-escape
// every byte that could break the line. Versioned so new fields can be
// added without breaking older records.
std::string encode_delivery(const Delivery &delivery);
// Empty when the text is not a record this version understands.
std::optional<Delivery> decode_delivery(std::string_view text);
// What prune deletes: a record past its expiry, and one this version cannot
// read (no recall could act on it).
bool record_prunable(const std::optional<Delivery> &record, int64_t now);
std::string encode_marker(const RecallMarker &marker);
// Empty for an unreadable marker (or one written by an older version,
// which held only a time): no late copy is then recalled.
std::optional<RecallMarker> decode_marker(std::string_view text);

} // namespace recall
