/* The notice to recipients and the report to the sender (SPEC section 5)
   as RFC 5322 messages, and saving them into a mailbox. */
#pragma once

#include <string>

#include "../core/recall-engine.hpp"
#include "recall-templates.h"

struct mail_user;

/* The notice's own Message-ID: the same for a recipient and message on
   every run, so that a resumed recall or a late copy can find a notice
   already saved. */
std::string recall_notice_message_id(const recall::Delivery &delivery);
std::string recall_build_notice(const recall::Delivery &delivery,
                                const recall_templates &templates);
std::string recall_build_report(const recall::Settings &settings, const recall::Request &request,
                                const recall::Outcome &outcome,
                                const recall_templates &templates);

/* Saves text into the user's mailbox (INBOX for both messages). */
bool recall_save_message(struct mail_user *user, const char *vname, const std::string &text,
                         std::string &error);
