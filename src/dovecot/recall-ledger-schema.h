/* The default SQLite ledger is created with its schema on first use, never
   by hand (SPEC section 7): also after an admin removed ledger.db, since
   the dict server would only make an empty file with no tables. */
#pragma once

struct event;

/* Creates the SQLite database at path (recall_sqlite_ledger) with the
   ledger's schema, in write-ahead-log mode, owned by its directory's owner
   (the dict server's user) and readable only by it, when it is missing or
   empty. Once per process, and only where root can be had again (LMTP,
   doveadm); a NULL or empty path does nothing. */
void recall_ledger_schema_ensure(const char *path, struct event *event);
