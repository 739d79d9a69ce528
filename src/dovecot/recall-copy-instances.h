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
    /* The folder, synced now (what another process changed since is
       seen); NULL with error empty when it does not exist, with error
       set when it cannot be opened or synced. */
    struct mailbox *synced(const std::string &vname, std::string &error);
    /* Frees every folder; the user's end must come after. */
    void close();

private:
    struct mail_user *user_;
    std::map<std::string, struct mailbox *> boxes_;
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
   again after a removal; an error naming what came before if any is left. */
bool recall_copy_instances_none_left(RecallOpenFolders &folders,
                                     const recall::Delivery &delivery, const char *after,
                                     std::string &error);

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

/* The UIDs of the GUID's instances in an open (synced) mailbox. */
void recall_guid_uids(struct mailbox *box, const std::string &guid, std::vector<uint32_t> &uids);
