/* Dovecot's mailbox-list-private.h, made to compile as C++. Dovecot 2.4's
   declares HASH_TABLE(const char *, void *), whose member
   "const const char *_const_key" C allows and C++ refuses. The same member
   written "const char *const" has the same layout, and only its type is
   ever used (by hash.h's type checks, in C). */
#pragma once

extern "C" {
#include "lib.h"
#if DOVECOT_PREREQ(2, 4, 0)
#undef HASH_TABLE_UNION
#define HASH_TABLE_UNION(key_type, value_type) { \
        struct hash_table *_table; \
        key_type _key; \
        key_type *_keyp; \
        key_type const _const_key; \
        value_type _value; \
        value_type *_valuep; \
    }
#endif
#include "mailbox-list-private.h"
}
