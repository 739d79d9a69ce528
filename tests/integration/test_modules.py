"""The installed modules carry libstdc++ themselves (issue 13): a pop3 or
imap process that loads them loads no libstdc++.so, and none of
libstdc++'s own symbols leaks into the process's symbol table."""

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

    def test_libstdcxx_symbols_stay_hidden(self):
        # std::__throw_length_error is defined in libstdc++.a, not inline.
        for module in MODULES:
            exported = [line for line in readelf("--dyn-syms", module).splitlines()
                        if "_ZSt20__throw_length_errorPKc" in line and " UND " not in line]
            self.assertEqual([], exported, module)


if __name__ == "__main__":
    unittest.main()
