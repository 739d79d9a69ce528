/* Rule 6 by ACL: is a mailbox shared with anyone but its owner? */
#pragma once

struct mailbox;

/* 1 shared, 0 not, -1 unknown: Dovecot's acl plugin is not loaded (or not
   configured) for this user, or the ACL could not be read. */
int recall_mailbox_shared_by_acl(struct mailbox *box);
