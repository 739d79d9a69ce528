/* Dovecot 2.3: the recall settings are plugin { } strings, userdb fields
   applied (mail_user_plugin_getenv). */
#include "recall-settings-source.h"

#include "../core/recall-settings.hpp"

extern "C" {
#include "lib.h"
#include "strfuncs.h"
#include "settings-parser.h"
#include "master-service.h"
#include "master-service-settings.h"
#include "mail-storage-settings.h"
#include "mail-user.h"
}

namespace {

/* A plugin setting as the config gives it to every user, before userdb
   fields change it; NULL when unset or not to be found. */
const char *global_setting(const char *name)
{
    struct setting_parser_context *parser = master_service_get_settings_parser(master_service);
    const struct setting_parser_info *const *roots = settings_parser_get_roots(parser);
    void **sets = settings_parser_get_list(parser);
    for (unsigned int i = 0; roots[i] != NULL; i++) {
        /* Matched by name: the storage service extends the info with
           the plugins' settings, so it is a copy of the one declared. */
        if (strcmp(roots[i]->module_name, mail_user_setting_parser_info.module_name) == 0)
            return mail_user_set_plugin_getenv((const struct mail_user_settings *)sets[i], name);
    }
    return NULL;
}

bool parse_duration(const char *name, const char *value, int64_t &secs, const char **error_r)
{
    unsigned int parsed;
    const char *error;
    if (settings_get_time(value, &parsed, &error) < 0) {
        *error_r = t_strdup_printf("%s: invalid duration '%s': %s", name, value, error);
        return false;
    }
    secs = parsed;
    return true;
}

class PluginEnvSource : public RecallSettingSource {
public:
    explicit PluginEnvSource(struct mail_user *user) : user_(user) {}

    const char *text(const char *name) override
    {
        const char *value = mail_user_plugin_getenv(user_, name);
        return value != NULL && *value != '\0' ? value : NULL;
    }

    bool duration(const char *name, int64_t &secs, const char **error_r) override
    {
        const char *value = text(name);
        return value == NULL || parse_duration(name, value, secs, error_r);
    }

    bool yes_no(const char *name, bool &value, const char **error_r) override
    {
        const char *raw = text(name);
        if (raw == NULL)
            return true;
        std::optional<bool> parsed = recall::parse_yes_no(raw);
        if (!parsed) {
            *error_r = t_strdup_printf("%s: invalid value '%s' (expected yes or no)", name, raw);
            return false;
        }
        value = *parsed;
        return true;
    }

    const char *const *list(const char *name) override
    {
        const char *value = text(name);
        return t_strsplit_spaces(value != NULL ? value : "", " ,");
    }

    bool global_window(int64_t &secs) override
    {
        const char *value = global_setting("recall_window"), *error;
        return value == NULL || *value == '\0' ||
               parse_duration("recall_window", value, secs, &error);
    }

    bool ledger(const char **name_r, const char **error_r) override
    {
        *name_r = text("recall_dict");
        if (*name_r == NULL)
            *error_r = "recall_dict: not set (see conf.d/90-recall.conf)";
        return *name_r != NULL;
    }

private:
    struct mail_user *user_;
};

} // namespace

std::unique_ptr<RecallSettingSource> recall_setting_source(struct mail_user *user,
                                                           struct event *,
                                                           const char **)
{
    return std::make_unique<PluginEnvSource>(user);
}
