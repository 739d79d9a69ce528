/* Rule 5's FETCHED kept with the copy itself (SPEC section 7): a one-byte
   record of the mailbox index ("recall-fetched"), written by the
   downloading session before the content leaves the server, carried along
   by COPY and MOVE, and read by the recall when it inspects each instance.
   A ledger row and commit per download cost several times more, and were
   lost while the ledger was away. */
#pragma once

struct mail;

/* Marks mail's instance as downloaded, committed at once. false when its
   mailbox cannot keep the mark (an in-memory index, a message not yet
   saved, a failed write): the caller records it in the ledger instead. */
bool recall_fetched_mark_set(struct mail *mail) noexcept;

/* Whether mail's instance carries the mark (in mail's transaction view). */
bool recall_fetched_mark_get(struct mail *mail) noexcept;

/* A copy of a marked instance is marked too: dst is the copy being saved
   in its transaction, which commits the mark with it. */
void recall_fetched_mark_copy(struct mail *src, struct mail *dst) noexcept;
