#include "recall-settings-read.h"

extern "C" {
#include "settings-parser.h"
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

bool read_duration(struct mail_user *user, const char *name, int64_t &out, const char **error_r)
{
    const char *value = setting(user, name), *error;
    unsigned int secs;
    if (value == NULL)
        return true;
    if (settings_get_time(value, &secs, &error) < 0) {
        *error_r = t_strdup_printf("%s: invalid duration '%s': %s", name, value, error);
        return false;
    }
    if (secs == 0) {
        *error_r = t_strdup_printf("%s: invalid duration '%s': must be longer than 0", name, value);
        return false;
    }
    out = secs;
    return true;
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

bool read_host(struct mail_user *user, std::string &out, const char **error_r)
{
    const char *value = setting(user, "recall_host");
    if (value == NULL)
        return true;
    if (!recall::parse_host_port(value)) {
        *error_r = t_strdup_printf("recall_host: invalid value '%s' (expected name:port)", value);
        return false;
    }
    out = value;
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
    set.address = user->username;
    if (!read_text(user, "recall_address", set.address, error_r) ||
        !read_text(user, "recall_org", set.org, error_r) ||
        !read_text(user, "recall_upgrade_url", set.upgrade_url, error_r) ||
        !read_text(user, "recall_notice_template", set.notice_template, error_r) ||
        !read_text(user, "recall_report_template", set.report_template, error_r) ||
        !read_duration(user, "recall_window", set.window_secs, error_r) ||
        !read_duration(user, "recall_retention", set.retention_secs, error_r) ||
        !read_choice(user, "recall_account", recall::parse_account, "paid, free or personal",
                     set.account, error_r) ||
        !read_choice(user, "recall_read_messages", recall::parse_yes_no, "yes or no",
                     set.recall_read, error_r) ||
        !read_choice(user, "recall_report", recall::parse_yes_no, "yes or no", set.report,
                     error_r) ||
        !read_choice(user, "recall_notify_recipients", recall::parse_notify_mode,
                     "yes, no or read", set.notify, error_r) ||
        !read_networks(user, state.webmail_networks, error_r) ||
        !read_host(user, state.host, error_r) ||
        !read_text(user, "recall_host_password", state.host_password, error_r))
        return false;
    set.address = recall::lower_ascii(set.address);
    set.org = set.org.empty() ? recall::address_domain(set.address) : recall::lower_ascii(set.org);
    return true;
}
