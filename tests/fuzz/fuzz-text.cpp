// libFuzzer target: the notice/report text (values come from messages).
// The input is split into a template and a value; no output may carry a
// control character other than the body's own line breaks, nor be invalid
// UTF-8 where the value was substituted.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "../../src/core/recall-text.hpp"

static void require_single_line(const std::string &text)
{
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f)
            abort();
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string_view input(reinterpret_cast<const char *>(data), size);
    size_t split = input.find('\0');
    std::string_view value = input.substr(0, split);
    std::string_view tmpl_text = split == std::string_view::npos ? "" : input.substr(split + 1);

    std::string line = recall::sanitize_line(value, 900);
    require_single_line(line);
    if (line.size() > 900 || recall::sanitize_line(line, 900) != line)
        abort();

    std::string error;
    std::optional<recall::Template> tmpl = recall::parse_template(tmpl_text, error);
    const recall::Template &used = tmpl ? *tmpl : recall::builtin_notice_template();
    recall::Template out = recall::render(
        used, {{"subject", std::string(value)}, {"sender", std::string(value)},
               {"recipients", std::string(value) + "\n" + std::string(value)}});
    require_single_line(out.subject);
    return 0;
}
