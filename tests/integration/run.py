"""Runs every integration test module here; ends with "N passed, N failed".
tests/e2e/run.py runs its own directory through run_suite()."""

import collections
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


class TimedResult(unittest.TextTestResult):
    """Adds up each module's wall time (its tests and its set-up, which
    runs inside the first test's span), so the CI budget can be watched."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.seconds = collections.Counter()
        self._last = time.monotonic()

    def stopTest(self, test):
        super().stopTest(test)
        now = time.monotonic()
        self.seconds[type(test).__module__] += now - self._last
        self._last = now


def run_suite(directory, label, pattern):
    suite = unittest.defaultTestLoader.discover(directory, pattern=pattern, top_level_dir=directory)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout,
                                     resultclass=TimedResult).run(suite)
    for module, seconds in result.seconds.most_common():
        print("%s: %s took %.0f s" % (label, module, seconds))
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
