#include "recall-boundary.h"

extern "C" {
#include "lib.h"
}

#include <exception>
#include <new>

namespace {

std::terminate_handler previous_handler;

[[noreturn]] void exception_escaped() noexcept
{
    if (std::exception_ptr escaped = std::current_exception()) {
        try {
            std::rethrow_exception(escaped);
        } catch (const std::bad_alloc &) {
            i_fatal_status(FATAL_OUTOFMEM, "recall: out of memory");
        } catch (const std::exception &e) {
            i_panic("recall: C++ exception at the boundary: %s", e.what());
        } catch (...) {
        }
    }
    i_panic("recall: std::terminate called");
}

} // namespace

void recall_boundary_init(void) noexcept
{
    previous_handler = std::set_terminate(exception_escaped);
}

void recall_boundary_deinit(void) noexcept
{
    std::set_terminate(previous_handler);
}
