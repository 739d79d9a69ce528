#include "recall-templates.h"
#include "recall-file-read.h"

namespace {

bool load_template(const std::string &path, const char *setting,
                   const recall::Template &builtin, recall::Template &out, std::string &error)
{
    if (path.empty()) {
        out = builtin;
        return true;
    }
    std::string text, read_error;
    if (!recall_read_file(path, text, read_error)) {
        error = std::string(setting) + ": cannot read " + path + ": " + read_error;
        return false;
    }
    std::optional<recall::Template> parsed = recall::parse_template(text, error);
    if (!parsed) {
        error = std::string(setting) + ": " + path + ": " + error;
        return false;
    }
    out = *parsed;
    return true;
}

} // namespace

bool recall_templates_load(const recall::Settings &settings, recall_templates &templates,
                           std::string &error)
{
    return load_template(settings.notice_template, "recall_notice_template",
                         recall::builtin_notice_template(), templates.notice, error) &&
           load_template(settings.report_template, "recall_report_template",
                         recall::builtin_report_template(), templates.report, error);
}
