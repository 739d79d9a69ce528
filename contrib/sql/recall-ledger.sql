-- The recall ledger (SPEC section 7) behind Dovecot's dict server, for
-- SQLite and PostgreSQL alike; the maps are
-- conf.d/dovecot-dict-recall-maps.conf.ext. Keys are hex hashes and minute
-- numbers computed by the plugin. Idempotent: running it again keeps rows.
--
-- Every query of a recall is an equality on a primary key or its first
-- column (the deliveries of one message, the marks of one copy, one
-- message's recalled marker), so its cost grows with the message's
-- recipients, not with the table. Expiry reads only the expired minutes'
-- buckets of the expiry indexes and deletes by primary key: no scan at any
-- table size. (SQLite: `make install` also sets journal_mode = WAL.)

-- One row per delivered copy; the record holds every field.
CREATE TABLE IF NOT EXISTS recall_delivery (
  msgkey  VARCHAR(32) NOT NULL,
  copykey VARCHAR(32) NOT NULL,
  record  TEXT NOT NULL,
  PRIMARY KEY (msgkey, copykey)
);

-- Expiry index: which messages have records expiring in which minute, so
-- that `doveadm recall prune` reads only what expired.
CREATE TABLE IF NOT EXISTS recall_expiry (
  bucket VARCHAR(20) NOT NULL,
  msgkey VARCHAR(32) NOT NULL,
  flag   VARCHAR(1) NOT NULL,
  PRIMARY KEY (bucket, msgkey)
);

-- The same for an lmtp process's group commit: one row per commit and
-- minute, its messages' keys separated by spaces (at most 500).
CREATE TABLE IF NOT EXISTS recall_expiry_group (
  bucket   VARCHAR(20) NOT NULL,
  groupkey VARCHAR(32) NOT NULL,
  msgkeys  TEXT NOT NULL,
  PRIMARY KEY (bucket, groupkey)
);

CREATE TABLE IF NOT EXISTS recall_bucket (
  bucket VARCHAR(20) NOT NULL PRIMARY KEY,
  flag   VARCHAR(1) NOT NULL
);

-- Copies a POP3 or (non-webmail) IMAP client downloaded, and their expiry.
CREATE TABLE IF NOT EXISTS recall_fetched (
  copykey VARCHAR(32) NOT NULL PRIMARY KEY,
  flag    VARCHAR(1) NOT NULL
);

CREATE TABLE IF NOT EXISTS recall_mark_expiry (
  bucket  VARCHAR(20) NOT NULL,
  copykey VARCHAR(32) NOT NULL,
  flag    VARCHAR(1) NOT NULL,
  PRIMARY KEY (bucket, copykey)
);

-- Messages that were recalled, with the rules for a copy delivered later
-- (the sender's organization, window end, notice setting and the
-- message's content digest): it is recalled on arrival if it obeys them.
CREATE TABLE IF NOT EXISTS recall_marker (
  msgkey VARCHAR(32) NOT NULL PRIMARY KEY,
  marker TEXT NOT NULL
);
-- Its predecessor held only a time, which late copies can no longer be
-- judged by.
DROP TABLE IF EXISTS recall_recalled;

-- Copies shared after delivery (opened by another user through a shared
-- namespace, or copied into a shared mailbox).
CREATE TABLE IF NOT EXISTS recall_shared (
  copykey VARCHAR(32) NOT NULL PRIMARY KEY,
  flag    VARCHAR(1) NOT NULL
);

-- Recipients with a recalled copy in the hold (recall_hold): until when,
-- so that doveadm recall prune purges the hold once it has passed.
CREATE TABLE IF NOT EXISTS recall_hold (
  copykey VARCHAR(32) NOT NULL PRIMARY KEY,
  entry   TEXT NOT NULL
);

-- The history (doveadm recall history): one row per recall or restore,
-- pruned with the records of its time.
CREATE TABLE IF NOT EXISTS recall_history (
  histkey VARCHAR(64) NOT NULL PRIMARY KEY,
  entry   TEXT NOT NULL
);
