/* Where recall_settings_read() gets SPEC section 6's values: the one place
   that knows how the Dovecot this build is for gives settings. 2.3: the
   plugin { } strings of the user (recall-settings-source-dovecot23.cpp);
   2.4: the typed recall settings (recall-settings-source-dovecot24.cpp),
   which Dovecot has already parsed. The reader checks what both give. */
#pragma once

#include <cstdint>
#include <memory>

struct event;
struct mail_user;

class RecallSettingSource {
public:
    virtual ~RecallSettingSource() = default;
    /* The value, NULL when unset or empty; valid in the data stack frame. */
    virtual const char *text(const char *name) = 0;
    /* Seconds; false with error_r naming the setting when malformed,
       secs untouched when unset. */
    virtual bool duration(const char *name, int64_t &secs, const char **error_r) = 0;
    /* false with error_r when malformed, value untouched when unset. */
    virtual bool yes_no(const char *name, bool &value, const char **error_r) = 0;
    /* A list setting's items, NULL-terminated (none when unset). */
    virtual const char *const *list(const char *name) = 0;
    /* recall_window as the configuration gives it to every user, before
       userdb; secs untouched when unset, false when it cannot be read. */
    virtual bool global_window(int64_t &secs) = 0;
    /* What names the ledger's dict (recall-ledger-open.h); false with
       error_r when the configuration has none. */
    virtual bool ledger(const char **name_r, const char **error_r) = 0;
};

/* The user's source; NULL with error_r when its settings cannot be read
   at all (2.4: a userdb value Dovecot cannot parse). */
std::unique_ptr<RecallSettingSource> recall_setting_source(struct mail_user *user,
                                                           struct event *event,
                                                           const char **error_r);
