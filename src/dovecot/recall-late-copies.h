/* Rule 11 in the recipient's mail: the copies of a message that arrived
   after its recall go on arrival, by the rules the sender's recall left
   in its marker. Both delivery paths end here: a delivery's own lookup
   (recall-delivery-record.h) and the lmtp group commit's
   (recall-delivery-batch.h). */
#pragma once

#include <vector>

#include "../core/recall-delivery.hpp"

struct dict;
struct fs;
struct mail_user;

/* Rule 11 for copies that user, their recipient, received of a message
   recalled with marker: each goes, or stays by the sender's rules. */
void recall_delivery_recall_arrived(struct mail_user *user, struct dict *dict,
                                    struct fs *listing_fs, std::vector<recall::Delivery> &copies,
                                    const recall::RecallMarker &marker);
