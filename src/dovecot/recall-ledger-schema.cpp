#include "recall-ledger-schema.h"
#include "recall-privileges.h"

#include "recall-ledger-schema-sql.h" /* generated from contrib/sql/recall-ledger.sql */

extern "C" {
#include "lib.h"
}

#include <sqlite3.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

bool create(const char *path, std::string &error)
{
    sqlite3 *db;
    bool ok = sqlite3_open(path, &db) == SQLITE_OK &&
              sqlite3_exec(db, recall_ledger_schema_sql, NULL, NULL, NULL) == SQLITE_OK &&
              sqlite3_exec(db, "PRAGMA journal_mode = WAL;", NULL, NULL, NULL) == SQLITE_OK;
    if (!ok)
        error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return ok;
}

} // namespace

void recall_ledger_schema_ensure(const char *path, struct event *event)
{
    static bool checked = false;
    if (checked || path == NULL || *path == '\0' || getuid() != 0)
        return;
    checked = true;
    /* As root: the ledger's directory is the dict server's alone (0700). */
    enum { Present, Created, Failed } outcome = Failed;
    std::string error;
    recall_as_root([&] {
        struct stat st, dir_st;
        std::string dir(path);
        dir = dir.substr(0, dir.find_last_of('/') + 1);
        if (stat(path, &st) == 0 && st.st_size > 0)
            outcome = Present;
        else if (stat(dir.c_str(), &dir_st) < 0)
            error = dir + ": " + strerror(errno);
        else if (!create(path, error))
            ;
        else if (chown(path, dir_st.st_uid, dir_st.st_gid) < 0 || chmod(path, 0600) < 0)
            error = std::string("chown/chmod: ") + strerror(errno);
        else
            outcome = Created;
        return outcome != Failed;
    });
    if (outcome == Created)
        e_info(event, "created the ledger %s with its schema", path);
    else if (outcome == Failed)
        e_error(event, "the ledger %s cannot be created: %s", path, error.c_str());
}
