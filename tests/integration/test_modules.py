"""The installed modules carry libstdc++ and libgcc's unwinder themselves
(issue 13): a pop3 or imap process that loads them loads no libstdc++.so
and no libgcc_s.so (whose constructor's CPUID calls are dear in a virtual
machine), and none of their own symbols leaks into the process's symbol
table."""

import subprocess
import unittest

MODULES = ["/usr/lib/dovecot/modules/lib90_recall_plugin.so",
           "/usr/lib/dovecot/modules/lib91_recall_deliver_plugin.so",
           "/usr/lib/dovecot/modules/lib95_imap_recall_plugin.so",
           "/usr/lib/dovecot/modules/doveadm/lib10_doveadm_recall_plugin.so"]


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


if __name__ == "__main__":
    unittest.main()
