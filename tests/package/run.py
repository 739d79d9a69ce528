"""Runs the package test here (test_*.py); ends with "package: N passed, N failed".
It builds the Debian package from this checkout's HEAD and installs it into
a fresh Debian 12 made with debootstrap (Debian's mirror, as apt has it)."""

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
    sys.exit(runner.run_suite(HERE, "package", sys.argv[1] if len(sys.argv) > 1 else "test_*.py"))
