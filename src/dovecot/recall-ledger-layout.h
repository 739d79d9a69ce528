/* The ledger's key layout (SPEC section 7) in a Dovecot dict, and the small
   steps both halves of the adapter share (recall-ledger-dict.cpp writes
   and reads, recall-ledger-prune.cpp expires).
     shared/recall/d/<message key>/<copy key>  the delivery record
     shared/recall/e/<bucket>/<message key>    records expiring in bucket
     shared/recall/g/<bucket>/<group id>       the same for a batch's messages
     shared/recall/r/<message key>             the message was recalled
     shared/recall/r/epoch                     changed with every marker
     shared/recall/f/<copy key>                the copy was downloaded
     shared/recall/s/<copy key>                the copy was shared
     shared/recall/x/<bucket>/<copy key>       marks expiring in bucket
     shared/recall/b/<bucket>                  buckets that have entries
     shared/recall/k/<copy key>                the copy's recipient has it in the hold
     shared/recall/h/<time>-<hash>             the history: one recall or restore
   Keys are hex hashes and numbers, so nothing taken from a message ever
   becomes part of a path or query. */
#pragma once

#include <stdint.h>
#include <string>
#include <vector>

#include "../core/recall-delivery.hpp"

extern "C" {
#include "lib.h"
#include "dict.h"
}

/* hash(lower(sender), Message-ID) and hash(recipient user, GUID). */
std::string recall_message_key(const std::string &sender, const std::string &message_id);
std::string recall_copy_key(const std::string &user, const std::string &guid);
std::string recall_copy_key(const recall::Delivery &delivery);

namespace recall_ledger_layout {

extern const std::string kDeliveries;
extern const std::string kExpiring;
extern const std::string kExpiryGroups;
extern const std::string kBuckets;
extern const std::string kFetched;
extern const std::string kShared;
extern const std::string kRecalled;
extern const std::string kMarksExpiring;
extern const std::string kHeld;
extern const std::string kHistory;
extern const std::string kRecallEpoch;
/* A bucket is a minute of expiry time. */
constexpr int64_t kBucketSecs = 60;

/* 128 bits of SHA-256 of a and b. */
std::string hash_key(const std::string &a, const std::string &b);
/* d/<message key>/<copy key> */
std::string delivery_key(const recall::Delivery &delivery);
/* The bucket of an expiry time. */
std::string bucket_of(int64_t expires_at);
/* The last path element: a listing returns whole keys. */
std::string leaf(const std::string &key);
/* The messages an expiry index entry names (e/ or g/). */
std::vector<std::string> indexed_messages(const std::string &key, const std::string &value);
/* Writes a new recall epoch in trans (a marker was written or removed). */
void new_recall_epoch(struct dict_transaction_context *trans);
/* The ledger is no user's: its operations carry no user settings. */
struct dict_op_settings no_user_settings();

} // namespace recall_ledger_layout
