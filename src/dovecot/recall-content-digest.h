/* What a message says, as one value (SPEC rule 11): a copy, or a later
   delivery, is the recorded message only if its digest matches the one
   taken at the first delivery. The envelope sender and Message-ID alone
   can be forged by anyone. */
#pragma once

#include <string>

struct mail;

/* Hex SHA-256 (128 bits) of the headers that make the message (From, To,
   Cc, Subject, Date, Message-ID) and of its body, line endings and header
   folding left out, so that the incoming CRLF stream and the stored copy
   give the same value; headers a server adds on the way (Received,
   Return-Path, Delivered-To) are not part of it. Kept on the mail, so the
   incoming mail of an LMTP transaction is read once for all recipients.
   Empty when the message cannot be read. */
std::string recall_content_digest(struct mail *mail) noexcept;
