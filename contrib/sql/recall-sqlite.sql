-- The recall ledger (SPEC section 7) for SQLite behind Dovecot's dict
-- server. One row per delivered copy; the record holds every field.
-- msgkey and copykey are hex hashes computed by the plugin.
CREATE TABLE IF NOT EXISTS recall_delivery (
  msgkey  VARCHAR(32) NOT NULL,
  copykey VARCHAR(32) NOT NULL,
  record  TEXT NOT NULL,
  PRIMARY KEY (msgkey, copykey)
);
