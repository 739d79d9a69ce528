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
    for test, reason in result.skipped:  # said, so that no skip goes unseen
        print("%s: skipped %s: %s" % (label, test.id(), reason))
    print("%s: %d passed, %d failed" % (label, passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    # run.py [PATTERN], or run.py --suite DIR LABEL [PATTERN] for another
    # directory of tests that use this harness (tests/install, tests/package).
    args = sys.argv[1:]
    directory, label = HERE, "integration"
    if args[:1] == ["--suite"]:
        directory, label, args = os.path.abspath(args[1]), args[2], args[3:]
        sys.path.insert(0, directory)
    sys.exit(run_suite(directory, label, args[0] if args else "test_*.py"))
