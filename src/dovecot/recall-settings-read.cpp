#include "recall-settings-read.h"
#include "recall-settings-source.h"

extern "C" {
#include "lib.h"
#include "hostpid.h"
#include "strfuncs.h"
}

#include <optional>

namespace {

/* Values end up in IMAP responses and log lines: no control characters. */
bool is_printable(const char *value)
{
    for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return false;
    }
    return true;
}

bool read_duration(RecallSettingSource &source, const char *name, int64_t &out,
                   const char **error_r, bool zero_allowed = false)
{
    int64_t secs = out;
    if (!source.duration(name, secs, error_r))
        return false;
    if (secs == 0 && !zero_allowed) {
        *error_r = t_strdup_printf("%s: invalid duration '0': must be longer than 0", name);
        return false;
    }
    out = secs;
    return true;
}

/* The sender's window decides (rules 4, 5), but recipients track their
   copies without knowing who sent them: the global recall_window is the
   longest any sender has, and a longer per-user one is capped at it. */
void read_longest_window(RecallSettingSource &source, struct event *event, recall::Settings &set)
{
    int64_t longest = recall::Settings().window_secs;
    if (!source.global_window(longest))
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
bool read_choice(RecallSettingSource &source, const char *name,
                 std::optional<T> (*parse)(const std::string &), const char *allowed, T &out,
                 const char **error_r)
{
    const char *value = source.text(name);
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

bool read_networks(RecallSettingSource &source, std::vector<recall_network> &out,
                   const char **error_r)
{
    for (const char *const *cidr = source.list("recall_webmail_networks"); *cidr != NULL;
         cidr++) {
        recall_network net;
        if (net_parse_range(*cidr, &net.ip, &net.bits) < 0) {
            *error_r = t_strdup_printf("recall_webmail_networks: invalid network '%s'", *cidr);
            return false;
        }
        out.push_back(net);
    }
    return true;
}

bool read_text(RecallSettingSource &source, const char *name, std::string &out,
               const char **error_r)
{
    const char *value = source.text(name);
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

bool read_host(RecallSettingSource &source, std::string &out, const char **error_r)
{
    const char *value = source.text("recall_host");
    if (value == NULL)
        return true;
    if (!valid_host("recall_host", value, error_r))
        return false;
    out = value;
    return true;
}

bool read_backends(RecallSettingSource &source, std::vector<std::string> &out,
                   const char **error_r)
{
    for (const char *const *host = source.list("recall_backends"); *host != NULL; host++) {
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
    std::unique_ptr<RecallSettingSource> source =
        recall_setting_source(user, state.event, error_r);
    if (!source)
        return false;
    recall::Settings &set = state.settings;
    const char *ledger;
    if (!source->ledger(&ledger, error_r))
        return false;
    state.dict_uri = ledger;
    std::string domain;
    if (!read_text(*source, "recall_domain", domain, error_r) ||
        !read_text(*source, "recall_sqlite_ledger", state.sqlite_ledger, error_r))
        return false;
    /* Only a username without a domain needs the system's: virtual users'
       processes (deliveries, downloads) never read /etc/mailname or ask
       the resolver. */
    if (domain.empty() && strchr(user->username, '@') == NULL)
        domain = system_mail_domain();
    set.address = recall::default_address(user->username, domain);
    if (!read_text(*source, "recall_address", set.address, error_r) ||
        !read_text(*source, "recall_org", set.org, error_r) ||
        !read_text(*source, "recall_upgrade_url", set.upgrade_url, error_r) ||
        !read_text(*source, "recall_notice_template", set.notice_template, error_r) ||
        !read_text(*source, "recall_report_template", set.report_template, error_r) ||
        !read_duration(*source, "recall_window", set.window_secs, error_r) ||
        !read_duration(*source, "recall_retention", set.retention_secs, error_r) ||
        /* 0, the default, turns the hold off. */
        !read_duration(*source, "recall_hold", set.hold_secs, error_r, true) ||
        !read_choice(*source, "recall_account", recall::parse_account, "paid, free or personal",
                     set.account, error_r) ||
        !source->yes_no("recall_read_messages", set.recall_read, error_r) ||
        !source->yes_no("recall_report", set.report, error_r) ||
        !source->yes_no("recall_protected", set.protected_mailbox, error_r) ||
        !read_choice(*source, "recall_notify_recipients", recall::parse_notify_mode,
                     "yes, no or read", set.notify, error_r) ||
        !read_networks(*source, state.webmail_networks, error_r) ||
        !read_host(*source, set.host, error_r) || !read_backends(*source, set.backends, error_r) ||
        !read_text(*source, "recall_host_password", state.host_password, error_r))
        return false;
    read_longest_window(*source, state.event, set);
    set.address = recall::lower_ascii(set.address);
    set.org = set.org.empty() ? recall::address_domain(set.address) : recall::lower_ascii(set.org);
    return true;
}
