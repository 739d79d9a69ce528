"""The installed modules carry libstdc++ and libgcc's unwinder themselves
(issue 13): a pop3 or imap process that loads them loads no libstdc++.so
and no libgcc_s.so (whose constructor's CPUID calls are dear in a virtual
machine), and none of their own symbols leaks into the process's symbol
table. Each exports its module entry points only, and lib90 its table
recall_plugin_api, the one way the other modules reach it (issue 14)."""

import re
import subprocess
import unittest

MODULES = ["/usr/lib/dovecot/modules/lib90_recall_plugin.so",
           "/usr/lib/dovecot/modules/lib91_recall_deliver_plugin.so",
           "/usr/lib/dovecot/modules/lib95_imap_recall_plugin.so",
           "/usr/lib/dovecot/modules/doveadm/lib10_doveadm_recall_plugin.so"]


ENTRY_POINTS = ["init", "deinit", "version", "dependencies", "binary_dependency"]
EXPORTS = {
    # No dependencies: it needs no other module in any process.
    MODULES[0]: {"recall_plugin_" + e for e in ENTRY_POINTS[:3]} | {"recall_plugin_api"},
    MODULES[1]: {"recall_deliver_plugin_" + e for e in ENTRY_POINTS},
    MODULES[2]: {"imap_recall_plugin_" + e for e in ENTRY_POINTS},
    MODULES[3]: {"doveadm_recall_plugin_" + e for e in ENTRY_POINTS[:3]},
}


def dynamic_symbols(module, defined):
    """The names in the module's dynamic symbol table, defined or needed."""
    args = ["nm", "-D", "--defined-only" if defined else "--undefined-only", module]
    lines = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in lines.splitlines() if line.strip()}


def readelf(*args):
    return subprocess.run(["readelf", "-W", *args], capture_output=True, text=True,
                          check=True).stdout


class StaticLibstdcxxTest(unittest.TestCase):
    def test_no_module_needs_the_shared_libstdcxx(self):
        for module in MODULES:
            needed = [line for line in readelf("-d", module).splitlines() if "(NEEDED)" in line]
            self.assertTrue(needed, module)
            self.assertFalse([line for line in needed if "libstdc++" in line], module)
            self.assertFalse([line for line in needed if "libgcc_s" in line], module)

    def test_libstdcxx_and_unwinder_symbols_stay_hidden(self):
        # std::__throw_length_error is defined in libstdc++.a, not inline;
        # _Unwind_Resume in libgcc_eh.a.
        for module in MODULES:
            for symbol in ("_ZSt20__throw_length_errorPKc", "_Unwind_Resume"):
                exported = [line for line in readelf("--dyn-syms", module).splitlines()
                            if symbol in line and " UND " not in line]
                self.assertEqual([], exported, (module, symbol))


class ModuleInterfaceTest(unittest.TestCase):
    def test_each_module_exports_its_entry_points_only(self):
        for module in MODULES:
            self.assertEqual(EXPORTS[module], dynamic_symbols(module, defined=True), module)

    def test_no_module_needs_a_recall_symbol_it_does_not_define(self):
        # Dovecot loads modules lazily bound: a missing definition of ours
        # would only show as a failed load in production.
        ours = re.compile(r"recall|Ledger|_ZN6recall")
        for module in MODULES:
            needed = {name for name in dynamic_symbols(module, defined=False) if ours.search(name)}
            self.assertEqual(set() if module == MODULES[0] else {"recall_plugin_api"}, needed,
                             module)

    def test_the_other_modules_reach_lib90_through_its_table_only(self):
        lib90 = dynamic_symbols(MODULES[0], defined=True)
        for module in MODULES[1:]:
            self.assertEqual({"recall_plugin_api"},
                             dynamic_symbols(module, defined=False) & lib90, module)


if __name__ == "__main__":
    unittest.main()
