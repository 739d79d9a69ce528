#include "recall-settings-read.h"

extern "C" {
#include "lib.h"
#include "hostpid.h"
#include "strfuncs.h"
#include "settings-parser.h"
#include "master-service.h"
#include "master-service-settings.h"
#include "mail-storage-settings.h"
}

#include <optional>

namespace {

const char *setting(struct mail_user *user, const char *name)
{
    const char *value = mail_user_plugin_getenv(user, name);
    return value != NULL && *value != '\0' ? value : NULL;
}

/* Values end up in IMAP responses and log lines: no control characters. */
bool is_printable(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

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

bool parse_duration(const char *name, const char *value, int64_t &out, const char **error_r,
                    bool zero_allowed = false)
{
    const char *error;
    unsigned int secs;
    if (settings_get_time(value, &secs, &error) < 0) {
        *error_r = t_strdup_printf("%s: invalid duration '%s': %s", name, value, error);
        return false;
    }
    if (secs == 0 && !zero_allowed) {
        *error_r = t_strdup_printf("%s: invalid duration '%s': must be longer than 0", name, value);
        return false;
    }
    out = secs;
    return true;
}

bool read_duration(struct mail_user *user, const char *name, int64_t &out, const char **error_r,
                   bool zero_allowed = false)
{
    const char *value = setting(user, name);
    return value == NULL || parse_duration(name, value, out, error_r, zero_allowed);
}

/* The sender's window decides (rules 4, 5), but recipients track their
   copies without knowing who sent them: the global recall_window is the
   longest any sender has, and a longer per-user one is capped at it. */
void read_longest_window(struct event *event, recall::Settings &set)
{
    const char *global = global_setting("recall_window"), *error;
    int64_t longest = recall::Settings().window_secs;
    if (global != NULL && *global != '\0' &&
        !parse_duration("recall_window", global, longest, &error))
        longest = set.window_secs; /* the user's own error names the setting */
    set.longest_window_secs = longest;
    if (set.window_secs > longest) {
        e_warning(event, "recall_window %lld s of this user is longer than the "
                  "global recall_window (%lld s), which recipients track copies for: capped",
                  (long long)set.window_secs, (long long)longest);
        set.window_secs = longest;
    }
}

template <typename T>
bool read_choice(struct mail_user *user, const char *name,
                 std::optional<T> (*parse)(const std::string &), const char *allowed, T &out,
                 const char **error_r)
{
    const char *value = setting(user, name);
    if (value == NULL)
        return true;
    std::optional<T> parsed = parse(value);
    if (!parsed) {
        *error_r = t_strdup_printf("%s: invalid value '%s' (expected %s)", name, value, allowed);
        return false;
    }
    out = *parsed;
    return true;
}

bool read_networks(struct mail_user *user, std::vector<recall_network> &out, const char **error_r)
{
    const char *value = setting(user, "recall_webmail_networks");
    if (value == NULL)
        return true;
    for (const char *const *cidr = t_strsplit_spaces(value, " ,"); *cidr != NULL; cidr++) {
        recall_network net;
        if (net_parse_range(*cidr, &net.ip, &net.bits) < 0) {
            *error_r = t_strdup_printf("recall_webmail_networks: invalid network '%s'", *cidr);
            return false;
        }
        out.push_back(net);
    }
    return true;
}

bool read_text(struct mail_user *user, const char *name, std::string &out, const char **error_r)
{
    const char *value = setting(user, name);
    if (value == NULL)
        return true;
    if (!is_printable(value)) {
        *error_r = t_strdup_printf("%s: contains control characters", name);
        return false;
    }
    out = value;
    return true;
}

/* The mail domain of users whose username has no domain, when
   recall_domain does not say: the system's mail name (/etc/mailname, which
   Debian's MTAs append to local senders), else the host's domain. */
const std::string &system_mail_domain()
{
    static std::string system_domain;
    static bool read = false;
    if (!read) {
        read = true;
        FILE *f = fopen("/etc/mailname", "r");
        char line[256];
        if (f != NULL && fgets(line, sizeof(line), f) != NULL)
            system_domain = t_str_trim(line, " \t\r\n");
        if (f != NULL)
            fclose(f);
        if (system_domain.empty())
            system_domain = my_hostdomain();
    }
    return system_domain;
}

bool valid_host(const char *name, const char *value, const char **error_r)
{
    if (recall::parse_host_port(value))
        return true;
    *error_r = t_strdup_printf("%s: invalid value '%s' (expected name:port)", name, value);
    return false;
}

bool read_host(struct mail_user *user, std::string &out, const char **error_r)
{
    const char *value = setting(user, "recall_host");
    if (value == NULL)
        return true;
    if (!valid_host("recall_host", value, error_r))
        return false;
    out = value;
    return true;
}

bool read_backends(struct mail_user *user, std::vector<std::string> &out, const char **error_r)
{
    const char *value = setting(user, "recall_backends");
    if (value == NULL)
        return true;
    for (const char *const *host = t_strsplit_spaces(value, " ,"); *host != NULL; host++) {
        if (!valid_host("recall_backends", *host, error_r))
            return false;
        out.emplace_back(*host);
    }
    return true;
}

} // namespace

bool recall_settings_read(struct mail_user *user, struct recall_user_state &state,
                          const char **error_r)
{
    recall::Settings &set = state.settings;
    const char *dict_uri = setting(user, "recall_dict");
    if (dict_uri == NULL) {
        *error_r = "recall_dict: not set (see conf.d/90-recall.conf)";
        return false;
    }
    state.dict_uri = dict_uri;
    std::string domain;
    if (!read_text(user, "recall_domain", domain, error_r))
        return false;
    /* Only a username without a domain needs the system's: virtual users'
       processes (deliveries, downloads) never read /etc/mailname or ask
       the resolver. */
    if (domain.empty() && strchr(user->username, '@') == NULL)
        domain = system_mail_domain();
    set.address = recall::default_address(user->username, domain);
    if (!read_text(user, "recall_address", set.address, error_r) ||
        !read_text(user, "recall_org", set.org, error_r) ||
        !read_text(user, "recall_upgrade_url", set.upgrade_url, error_r) ||
        !read_text(user, "recall_notice_template", set.notice_template, error_r) ||
        !read_text(user, "recall_report_template", set.report_template, error_r) ||
        !read_duration(user, "recall_window", set.window_secs, error_r) ||
        !read_duration(user, "recall_retention", set.retention_secs, error_r) ||
        /* 0, the default, turns the hold off. */
        !read_duration(user, "recall_hold", set.hold_secs, error_r, true) ||
        !read_choice(user, "recall_account", recall::parse_account, "paid, free or personal",
                     set.account, error_r) ||
        !read_choice(user, "recall_read_messages", recall::parse_yes_no, "yes or no",
                     set.recall_read, error_r) ||
        !read_choice(user, "recall_report", recall::parse_yes_no, "yes or no", set.report,
                     error_r) ||
        !read_choice(user, "recall_protected", recall::parse_yes_no, "yes or no",
                     set.protected_mailbox, error_r) ||
        !read_choice(user, "recall_notify_recipients", recall::parse_notify_mode,
                     "yes, no or read", set.notify, error_r) ||
        !read_networks(user, state.webmail_networks, error_r) ||
        !read_host(user, set.host, error_r) || !read_backends(user, set.backends, error_r) ||
        !read_text(user, "recall_host_password", state.host_password, error_r))
        return false;
    read_longest_window(state.event, set);
    set.address = recall::lower_ascii(set.address);
    set.org = set.org.empty() ? recall::address_domain(set.address) : recall::lower_ascii(set.org);
    return true;
}
