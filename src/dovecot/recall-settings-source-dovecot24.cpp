/* Dovecot 2.4: the recall settings are typed (recall-settings-dovecot24.c)
   and parsed by Dovecot, userdb fields applied; each value is found by its
   name in the settings' own declaration. */
#include "recall-settings-source.h"

extern "C" {
#include "lib.h"
#include "array.h"
#include "settings.h"
#include "master-service.h"
#include "recall-settings-dovecot24.h"
}

namespace {

/* The ledger is the dict { } inside recall { } (recall-ledger-open.h). */
const char *const kLedgerFilter = "recall";

class TypedSource : public RecallSettingSource {
public:
    explicit TypedSource(const struct recall_settings *set) : set_(set) {}
    ~TypedSource() override { settings_free(set_); }

    const char *text(const char *name) override
    {
        const char *value = *(const char *const *)field(name, SET_STR, SET_ENUM);
        return *value != '\0' ? value : NULL;
    }

    bool duration(const char *name, int64_t &secs, const char **) override
    {
        secs = *(const unsigned int *)field(name, SET_TIME, SET_TIME);
        return true;
    }

    bool yes_no(const char *name, bool &value, const char **) override
    {
        value = *(const bool *)field(name, SET_BOOL, SET_BOOL);
        return true;
    }

    const char *const *list(const char *name) override
    {
        const ARRAY_TYPE(const_string) *items =
            (const ARRAY_TYPE(const_string) *)field(name, SET_BOOLLIST, SET_BOOLLIST);
        return array_is_created(items) ? settings_boollist_get(items) : t_new(const char *, 1);
    }

    bool global_window(int64_t &secs) override
    {
        const struct recall_settings *global;
        const char *error;
        if (recall_settings_get(master_service_get_event(master_service), &global, &error) < 0)
            return false;
        secs = global->recall_window;
        settings_free(global);
        return true;
    }

    bool ledger(const char **name_r, const char **) override
    {
        *name_r = kLedgerFilter;
        return true;
    }

private:
    /* A name not declared, or declared with another type, is this
       plugin's bug. */
    const void *field(const char *name, enum setting_type type, enum setting_type alt) const
    {
        for (const struct setting_define *def = recall_setting_parser_info.defines;
             def->key != NULL; def++) {
            if (strcmp(def->key, name) == 0 && (def->type == type || def->type == alt))
                return (const char *)set_ + def->offset;
        }
        i_panic("recall setting %s is not declared as read", name);
    }

    const struct recall_settings *set_;
};

} // namespace

std::unique_ptr<RecallSettingSource> recall_setting_source(struct mail_user *,
                                                           struct event *event,
                                                           const char **error_r)
{
    const struct recall_settings *set;
    if (recall_settings_get(event, &set, error_r) < 0)
        return nullptr;
    return std::make_unique<TypedSource>(set);
}
