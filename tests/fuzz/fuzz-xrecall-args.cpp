// libFuzzer target: the XRECALL arguments as a client sends them. The input
// is the rest of a command line after "XRECALL "; Dovecot's own IMAP parser
// (libdovecot, as in imap) turns it into arguments, then the plugin's
// imap_recall_args_parse() decides. Whatever it accepts must be exactly
// "[CHECK] <decimal 1..4294967295>" written as atoms.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "../../src/dovecot/imap-recall-args.h"

extern "C" {
#include "lib.h"
#include "istream.h"
#include "imap-parser.h"
}

static void require(bool condition)
{
    if (!condition)
        abort();
}

// What an accepted line must look like, written without Dovecot's helpers.
static void check_accepted(const struct imap_arg *args, const imap_recall_args &parsed)
{
    const char *atom = imap_arg_as_astring(args);
    if (parsed.check_only)
        atom = imap_arg_as_astring(++args);
    require(args[0].type == IMAP_ARG_ATOM && args[1].type == IMAP_ARG_EOL);
    require(parsed.number >= 1);
    require(std::to_string(parsed.number) == atom);
}

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    lib_init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    std::string line(reinterpret_cast<const char *>(data), size);
    line += "\r\n";
    T_BEGIN {
        struct istream *input = i_stream_create_from_data(line.data(), line.size());
        struct imap_parser *parser = imap_parser_create(input, NULL, 65536, NULL);
        const struct imap_arg *args;
        (void)i_stream_read(input);
        int ret = imap_parser_read_args(parser, 0, (enum imap_parser_flags)0, &args);
        if (ret >= 0) {
            imap_recall_args parsed;
            if (imap_recall_args_parse(args, &parsed))
                check_accepted(args, parsed);
        }
        imap_parser_unref(&parser);
        i_stream_unref(&input);
    } T_END;
    return 0;
}
