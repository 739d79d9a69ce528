/* One step of another backend's recall on a copy held here: what
   `doveadm recall step` runs (see recall-remote-mailbox.cpp for the side
   that asks). */
#include "recall-remote-step.h"
#include "recall-mailbox-access.h"
#include "recall-user.h"

#include "../core/recall-remote.hpp"

extern "C" {
#include "lib.h"
#include "mail-user.h"
#include <sysexits.h>
}

namespace {

bool run_operation(recall::RecipientMailbox &mailbox, const std::string &operation,
                   std::string &answer, std::string &error)
{
    if (operation == "inspect") {
        recall::CopyFacts facts;
        if (!mailbox.inspect(facts, error))
            return false;
        answer = recall::facts_answer(facts);
        return true;
    }
    if (operation == "has-notice") {
        bool present = false;
        if (!mailbox.has_notice(error, present))
            return false;
        answer = recall::presence_answer(present);
        return true;
    }
    answer = "ok";
    if (operation == "expunge" || operation == "hold") {
        /* Each step is a process of its own: find the copy first. */
        recall::CopyFacts facts;
        return mailbox.inspect(facts, error) &&
               (!facts.present ||
                (operation == "hold" ? mailbox.hold(error) : mailbox.expunge(error)));
    }
    if (operation == "restore")
        return mailbox.restore(error);
    if (operation == "save-notice")
        return mailbox.save_notice(error);
    if (operation == "remove-notice")
        return mailbox.remove_notice(error);
    error = "unknown operation '" + operation +
            "' (inspect, expunge, hold, restore, has-notice, save-notice or remove-notice)";
    return false;
}

} // namespace

int recall_remote_step(struct mail_user *user, const std::string &operation,
                     const std::string &record, std::string &answer, std::string &error) noexcept
{
    struct recall_user *ruser = recall_user_get(user);
    if (ruser == NULL) {
        error = "recall is disabled for this user (see the error log)";
        return EX_CONFIG;
    }
    std::optional<recall::Delivery> delivery = recall::decode_delivery(record);
    if (!delivery) {
        error = "not a delivery record";
        return EX_USAGE;
    }
    /* The step acts on the -u user's own copy, never on another's. */
    if (!recall::step_allowed(*delivery, user->username)) {
        error = "the record's recipient is " + delivery->recipient_user + ", not " +
                user->username;
        return EX_NOPERM;
    }
    const recall_templates *templates = recall_user_templates(ruser, error);
    if (templates == NULL)
        return EX_CONFIG;
    std::unique_ptr<recall::RecipientMailbox> mailbox =
        recall_user_mailbox(user, *delivery, *templates);
    return run_operation(*mailbox, operation, answer, error) ? 0 : EX_TEMPFAIL;
}
