// One delivered copy as the ledger records it, and its text encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace recall {

// Where a copy stands in a recall. Stored so that an interrupted recall
// resumes without recalling or notifying twice (SPEC rule 12).
enum class Progress {
    Delivered, // untouched by any recall
    Recalling, // intent recorded; expunge and notice may be done or not
    Recalled,  // expunged (or found gone while Recalling) and notified
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
    int64_t delivered_at = 0;      // server clock, seconds
    int64_t expires_at = 0;        // after this the record is ignored
    Progress progress = Progress::Delivered;
    // Decided when the recall starts (recall_notify_recipients may depend
    // on \Seen, which is unknown once the copy is gone).
    bool notice_due = false;
};

// A line of key=value fields separated by tabs; values percent-escape
// every byte that could break the line. Versioned so new fields can be
// added without breaking older records.
std::string encode_delivery(const Delivery &delivery);
// Empty when the text is not a record this version understands.
std::optional<Delivery> decode_delivery(std::string_view text);

} // namespace recall
