/* The C++/C boundary of a recall module. Every function Dovecot calls (a
   hook, a vfunc, a callback, a command, a module entry point) and every
   function of recall_plugin_api is noexcept, so no C++ exception unwinds
   through Dovecot's C frames or into another module's runtime. What could
   still escape one (std::bad_alloc above all) ends in std::terminate, and
   the handler this installs turns that into Dovecot's out-of-memory fatal,
   or a panic naming the exception, instead of a bare abort. Each module
   links its own static libstdc++, so each installs its own handler: call
   init first in the module's init, deinit last in its deinit. */
#pragma once

void recall_boundary_init(void) noexcept;
void recall_boundary_deinit(void) noexcept;
