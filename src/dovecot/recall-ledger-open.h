/* Opening the ledger's dict: what differs between Dovecot 2.3, where
   recall_dict is a dict URI (recall-ledger-open-dovecot23.cpp), and 2.4,
   which has no dict URIs: the ledger is the dict { } inside recall { }
   (recall-ledger-open-dovecot24.cpp). The ledger is the server's, never
   a user's: 2.4 reads it from the global settings, so that a dict kept
   after its first user (a delivery batch) never refers to that user's. */
#pragma once

struct dict;
struct event;
struct fs;

/* name: what names the ledger (RecallSettingSource::ledger(), 2.3 the
   URI); event: the dict's parent event (2.3); base_dir: where the dict
   server's socket is (2.3; 2.4 has it in the settings).
   listing_fs_r: for a 2.3 fs: ledger, the fs that lists its keys, else
   NULL. -1 with error_r naming the setting. */
int recall_ledger_open(const char *name, struct event *event, const char *base_dir,
                       struct dict **dict_r, struct fs **listing_fs_r, const char **error_r);
