"""Runs the install tests here (test_*.py); ends with "install: N passed, N failed".
They run `make install` and `make uninstall` of this checkout (built and
configured by tools/setup) into a staging directory and into the system,
and reinstall it at the end."""

import importlib.util
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RUNNER = os.path.join(os.path.dirname(HERE), "integration", "run.py")

if __name__ == "__main__":
    spec = importlib.util.spec_from_file_location("integration_run", RUNNER)
    runner = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runner)
    sys.path.insert(0, HERE)
    sys.exit(runner.run_suite(HERE, "install", sys.argv[1] if len(sys.argv) > 1 else "test_*.py"))
