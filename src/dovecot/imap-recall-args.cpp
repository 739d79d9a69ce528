#include "imap-recall-args.h"

extern "C" {
#include "lib.h"
#include "imap-arg.h"
#include "strnum.h"
}

bool imap_recall_args_parse(const struct imap_arg *args, struct imap_recall_args *result)
{
    const char *word;
    result->check_only = imap_arg_atom_equals(args, "CHECK");
    if (result->check_only)
        args++;
    /* Only an atom: a quoted string or literal is not a message number. A
       leading digit 1-9 refuses zero, signs and sets before conversion. */
    return imap_arg_get_atom(args, &word) && IMAP_ARG_IS_EOL(&args[1]) && word[0] >= '1' &&
           word[0] <= '9' && str_to_uint32(word, &result->number) == 0;
}
