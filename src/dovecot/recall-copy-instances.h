/* Every instance of a recorded copy in its recipient's own folders: the
   copy is named by its GUID, which a COPY keeps, and one LMTP transaction
   with several RCPTs to one user saves several (SPEC rule 2). */
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

extern "C" {
#include "lib.h"
#include "mail-storage.h"
}

#include "../core/recall-ports.hpp"

struct mail;
struct mail_user;
struct mailbox;
struct mailbox_info;

struct recall_copy_instance {
    std::string vname;
    uint32_t uid;
};

/* The folders of one user that one step of a recall works in, each opened
   once and freed together: a step finds the copy's instances, reads them,
   expunges them and finds again, which opened every folder four times. */
class RecallOpenFolders {
public:
    explicit RecallOpenFolders(struct mail_user *user) : user_(user) {}
    ~RecallOpenFolders() { close(); }
    RecallOpenFolders(const RecallOpenFolders &) = delete;
    RecallOpenFolders &operator=(const RecallOpenFolders &) = delete;

    struct mail_user *user() const { return user_; }
    /* The folder, opened once; NULL with error empty when it does not
       exist, with error set when it cannot be opened. */
    struct mailbox *opened(const std::string &vname, std::string &error);
    /* The same, synced now (what another process changed since is seen);
       error set too when it cannot be synced. */
    struct mailbox *synced(const std::string &vname, std::string &error);
    /* Frees every folder; the user's end must come after. */
    void close();

    /* Notes that a search of box (just synced) saw every message it has. */
    void note_search(const std::string &vname, struct mailbox *box);
    /* The first UID of box that the last noted search did not see: a new
       instance can only come with a new UID. 1 when there was no such
       search or the folder's UIDVALIDITY changed since. */
    uint32_t unsearched_from(const std::string &vname, struct mailbox *box) const;

private:
    struct Searched {
        uint32_t uidvalidity, uidnext;
    };
    struct mail_user *user_;
    std::map<std::string, struct mailbox *> boxes_;
    std::map<std::string, Searched> searched_;
};

/* Calls fn with each selectable folder of the user's private namespaces
   (those this process may see) until fn returns false; false when the
   listing fails. */
bool recall_for_each_private_folder(struct mail_user *user,
                                    const std::function<bool(const struct mailbox_info *)> &fn);

/* The instances in the user's private folders, the delivery's mailbox
   first. false with error when a folder cannot be read. */
bool recall_copy_instances_find(RecallOpenFolders &folders, const recall::Delivery &delivery,
                                std::vector<recall_copy_instance> &out, std::string &error);

/* What the instances say together; genuine only if every one is the
   recorded message (Message-ID, Return-Path, content digest). */
bool recall_copy_instances_inspect(RecallOpenFolders &folders, const recall::Delivery &delivery,
                                   const std::vector<recall_copy_instance> &instances,
                                   recall::CopyFacts &facts, std::string &error);

/* Never RECALLED while an instance survives (a COPY meanwhile): finds
   again after the removal of known (found in folders earlier), where a
   folder searched then is searched for known and for what arrived since;
   an error naming what came before if any is left. */
bool recall_copy_instances_none_left(RecallOpenFolders &folders,
                                     const recall::Delivery &delivery,
                                     const std::vector<recall_copy_instance> &known,
                                     const char *after, std::string &error);

/* Expunges the instances, then finds again: an error if any is left. */
bool recall_copy_instances_expunge(RecallOpenFolders &folders, const recall::Delivery &delivery,
                                   const std::vector<recall_copy_instance> &instances,
                                   std::string &error);

/* Opens a folder of the user's (any namespace); NULL with error empty
   when it does not exist, with error set when it cannot be opened. */
struct mailbox *recall_open_folder(struct mail_user *user, const std::string &vname,
                                   std::string &error);

/* Runs fn on each of the UIDs (those still there) in one transaction,
   then commits and syncs with sync_flags; false on error (the mailbox's
   last error says why). */
bool recall_for_each_uid(struct mailbox *box, const std::vector<uint32_t> &uids,
                         const std::function<void(struct mail *)> &fn,
                         enum mailbox_sync_flags sync_flags);

/* The UIDs of the GUID's instances in an open (synced) mailbox, among
   the UIDs from from_uid on. */
void recall_guid_uids(struct mailbox *box, const std::string &guid, std::vector<uint32_t> &uids,
                      uint32_t from_uid = 1);
