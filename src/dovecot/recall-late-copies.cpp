#include "recall-late-copies.h"
#include "recall-clock.h"
#include "recall-ledger-dict.h"
#include "recall-mailbox-access.h"
#include "recall-user.h"

extern "C" {
#include "lib.h"
#include "ioloop.h"
#include "mail-user.h"
}

namespace {

/* Rule 11: a copy of a recalled message goes on arrival only by the
   sender's rules, which the recall left in its marker. */
void recall_arrived_copy(struct mail_user *user, recall::Engine &engine,
                         recall::Delivery &delivery, const recall::RecallMarker &marker,
                         const recall_templates &templates)
{
    const char *kept = recall::late_copy_kept_because(marker, delivery, ioloop_time);
    if (kept != NULL) {
        e_info(recall_user_event(user), "%s arrived after its recall, delivered normally: %s",
               delivery.message_id.c_str(), kept);
        return;
    }
    std::unique_ptr<recall::RecipientMailbox> box =
        recall_user_mailbox(user, delivery, templates);
    recall::Row row = engine.recall_arrival(delivery, *box, marker);
    if (row.state == recall::State::Recalled)
        e_info(recall_user_event(user), "%s arrived after its recall: recalled on arrival",
               delivery.message_id.c_str());
    else
        e_error(recall_user_event(user), "%s arrived after its recall, not recalled: %s",
                delivery.message_id.c_str(), row.reason.c_str());
}

} // namespace

void recall_delivery_recall_arrived(struct mail_user *user, struct dict *dict,
                                    struct fs *listing_fs, std::vector<recall::Delivery> &copies,
                                    const recall::RecallMarker &marker)
{
    struct recall_user *ruser = recall_user_get(user);
    if (ruser == NULL) {
        e_error(recall_user_event(user), "late copy not recalled: "
                "the recipient's recall settings are malformed");
        return;
    }
    const recall::Settings &settings = recall_user_settings(ruser);
    std::string error;
    const recall_templates *templates = recall_user_templates(ruser, error);
    if (templates == NULL) {
        e_error(recall_user_event(user), "late copy not recalled: %s", error.c_str());
        return;
    }
    DictLedger ledger(dict, recall_user_event(user), listing_fs);
    StorageMailboxAccess mailboxes(user, *templates);
    IoloopClock clock;
    recall::Engine engine(ledger, mailboxes, clock, settings);
    for (recall::Delivery &delivery : copies)
        recall_arrived_copy(user, engine, delivery, marker, *templates);
}
