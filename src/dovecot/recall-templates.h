/* The texts of the notice and the report: the admin's template files
   (recall_notice_template, recall_report_template) or the built-in ones. */
#pragma once

#include <string>

#include "../core/recall-settings.hpp"
#include "../core/recall-text.hpp"

struct recall_templates {
    recall::Template notice;
    recall::Template report;
};

/* The admin's template files, or the built-in text; error names the setting. */
bool recall_templates_load(const recall::Settings &settings, recall_templates &templates,
                           std::string &error);
