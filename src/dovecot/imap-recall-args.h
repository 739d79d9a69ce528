/* The arguments of XRECALL, after Dovecot's IMAP parser: "[CHECK] <one
   message number>". Kept apart from the command so that a fuzzer can
   drive it through the same parser (tests/fuzz/fuzz-xrecall-args.cpp). */
#pragma once

#include <cstdint>

struct imap_arg;

struct imap_recall_args {
    bool check_only;
    uint32_t number; /* 1 .. 4294967295: a UID or a sequence number */
};

/* false when the arguments are anything else: no number, a set, a range,
   '*', zero, a number too large, a string or literal, a list, extra
   arguments. */
bool imap_recall_args_parse(const struct imap_arg *args, struct imap_recall_args *result);
