/* What an exception escaping a Dovecot-called (noexcept) function becomes
   once a module installed its boundary (src/dovecot/recall-boundary.h):
   boundary-probe bad_alloc|runtime_error. */
#include "recall-boundary.h"

#include <cstring>
#include <new>
#include <stdexcept>

static void called_by_dovecot(const char *what) noexcept
{
    if (strcmp(what, "bad_alloc") == 0)
        throw std::bad_alloc();
    throw std::runtime_error("a probe's error");
}

int main(int argc, char **argv)
{
    recall_boundary_init();
    called_by_dovecot(argc > 1 ? argv[1] : "");
    return 0;
}
