"""Runs every integration test module here; ends with "N passed, N failed".
tests/e2e/run.py runs its own directory through run_suite()."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def run_suite(directory, label, pattern):
    suite = unittest.defaultTestLoader.discover(directory, pattern=pattern, top_level_dir=directory)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    print("%s: %d passed, %d failed" % (label, passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(run_suite(HERE, "integration", sys.argv[1] if len(sys.argv) > 1 else "test_*.py"))
