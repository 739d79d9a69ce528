"""The rules of the glue in src/dovecot (docs/ARCHITECTURE.md, issue 14),
checked on the source and on what the build makes of it: no C++ exception
unwinds through Dovecot's C frames, and one that would ends as Dovecot's
own fatal error; mail processes log through events of the recall
category, so log_debug=category=recall selects recall's messages."""

import glob
import os
import re
import subprocess
import tempfile
import unittest

from harness import DOVECOT_24, Dovecot, send

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GLUE = os.path.join(ROOT, "src", "dovecot")


def code_of(path):
    """The file without comments and string contents (same line numbers)."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", lambda m: re.sub(r"[^\n]", " ", m.group(0)), text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\\n])*"', '""', text)


# A function defined at namespace scope: the return type may be on the
# line before; class and struct bodies are not definitions.
DEFINITION = re.compile(
    r"^(?!\s|(?:class|struct)\s+\w+\s*[{:;])[\w:<>,*& ]*(?:\n(?!\s)[\w:<>,*& ]*)?"
    r"\b([A-Za-z_]\w*)\s*\([^;{}]*?\)\s*(?:const\s*)?(noexcept)?\s*(?:override\s*)?\{", re.M)


def functions_handed_out():
    """(file, name, noexcept) of every function whose address the glue hands
    to someone: a vfunc or hook it sets, a callback it passes, a table it
    fills. Those are the functions Dovecot calls."""
    sources = {path: code_of(path) for path in sorted(glob.glob(GLUE + "/*.cpp"))}
    headers = "".join(code_of(path) for path in glob.glob(GLUE + "/*.h"))
    found = []
    for path, code in sources.items():
        for match in DEFINITION.finditer(code):
            name = match.group(1)
            if name in ("if", "for", "while", "switch") or \
                    re.search(r"::\s*$", code[:match.start(1)]):
                continue  # a method: reached through its object, not handed out
            as_value = re.compile(r"(?:[=,({]\s*|&)" + name + r"(?=\s*[,;)}])")
            declared = re.search(r"\b" + name + r"\s*\(", headers)
            scope = sources.values() if declared else [code]
            if any(as_value.search(other) for other in scope):
                found.append((os.path.basename(path), name, match.group(2) is not None))
    return found


def include_cycles():
    """The groups of src/ files (a .cpp and its header are one) that reach
    each other through their #include "..." lines (Tarjan's algorithm)."""
    source = os.path.join(ROOT, "src")
    edges = {}
    for path in glob.glob(source + "/*/*"):
        if not re.search(r"\.(cpp|h|hpp)$", path):
            continue
        unit = os.path.splitext(os.path.relpath(path, source))[0]
        for name in re.findall(r'^#include "([^"]+)"', open(path).read(), re.M):
            target = os.path.normpath(os.path.join(os.path.dirname(path), name))
            if os.path.exists(target):
                other = os.path.splitext(os.path.relpath(target, source))[0]
                if other != unit:
                    edges.setdefault(unit, set()).add(other)
    index, low, stack, cycles = {}, {}, [], []

    def visit(unit):
        index[unit] = low[unit] = len(index)
        stack.append(unit)
        for other in edges.get(unit, ()):
            if other not in index:
                visit(other)
                low[unit] = min(low[unit], low[other])
            elif other in stack:
                low[unit] = min(low[unit], index[other])
        if low[unit] == index[unit]:
            group = []
            while not group or group[-1] != unit:
                group.append(stack.pop())
            if len(group) > 1:
                cycles.append(sorted(group))

    for unit in list(edges):
        if unit not in index:
            visit(unit)
    return cycles


class IncludeTest(unittest.TestCase):
    def test_no_include_cycle_in_src(self):
        self.assertEqual([], include_cycles())


class ExceptionBoundaryTest(unittest.TestCase):
    def test_every_function_dovecot_calls_is_noexcept(self):
        handed_out = functions_handed_out()
        # The scan finds the known surfaces (sanity: it is not blind).
        names = {name for _, name, _ in handed_out}
        for surface in ("recall_user_created", "recall_get_stream", "transaction_commit",
                        "cmd_xrecall", "cmd_recall_prune", "recalled_callback",
                        "hold_iter_next", "recall_deliver_mail", "recall_execute"):
            self.assertIn(surface, names)
        self.assertEqual([], [(path, name) for path, name, noexcept in handed_out
                              if not noexcept])

    def probe(self, what):
        with tempfile.TemporaryDirectory() as tmp:
            binary = os.path.join(tmp, "boundary-probe")
            subprocess.run(
                ["g++", "-std=gnu++17", "-w", "-I", GLUE, "-I/usr/include/dovecot",
                 "-include", "/usr/include/dovecot/config.h",
                 os.path.join(ROOT, "tests", "integration", "probes", "boundary-probe.cpp"),
                 os.path.join(GLUE, "recall-boundary.cpp"),
                 "-L/usr/lib/dovecot", "-ldovecot", "-Wl,-rpath,/usr/lib/dovecot",
                 "-o", binary], check=True)
            return subprocess.run([binary, what], capture_output=True, text=True)

    def test_bad_alloc_becomes_dovecots_out_of_memory_fatal(self):
        result = self.probe("bad_alloc")
        self.assertIn("Fatal: recall: out of memory", result.stderr)
        self.assertEqual(83, result.returncode)  # FATAL_OUTOFMEM

    def test_any_other_exception_becomes_a_panic_that_names_it(self):
        result = self.probe("runtime_error")
        self.assertIn("Panic: recall: C++ exception at the boundary: a probe's error",
                      result.stderr)
        self.assertEqual(-6, result.returncode)  # i_panic() aborts


class LoggingTest(unittest.TestCase):
    def test_mail_process_code_logs_through_events(self):
        # doveadm's commands write their errors to the admin's terminal.
        calls = re.compile(r"\bi_(error|warning|info|debug)\s*\(")
        found = [(os.path.basename(path), code_of(path).count("\n", 0, match.start()) + 1)
                 for path in sorted(glob.glob(GLUE + "/*.cpp"))
                 if not os.path.basename(path).startswith("doveadm-")
                 for match in calls.finditer(code_of(path))]
        self.assertEqual([], found)

    def untracked_delivery_logged(self, extra_conf):
        dovecot = Dovecot(extra_conf=extra_conf).start()
        try:
            send(dovecot, "alice@example.com", ["bob@example.com"], message_id=False)
            send(dovecot, "alice@example.com", ["bob@example.com"])  # logged after the first
            dovecot.wait_for_log("Debug: ", seconds=2.0)
            return [line for line in dovecot.log_text().splitlines()
                    if "recall: delivery not tracked (no Message-ID)" in line]
        finally:
            dovecot.stop()

    def test_log_debug_category_recall_shows_recalls_debug_messages(self):
        lines = self.untracked_delivery_logged("log_debug = category=recall\n")
        self.assertEqual(1, len(lines), lines)
        # Under the user's event: its prefixes (2.3's lmtp adds the
        # recipient's), then recall's.
        self.assertIn("lmtp(bob@example.com)", lines[0])
        self.assertIn("Debug: recall: " if DOVECOT_24 else "rcpt bob@example.com: recall: ",
                      lines[0])

    def test_without_it_they_stay_out_of_the_log(self):
        self.assertEqual([], self.untracked_delivery_logged(""))


if __name__ == "__main__":
    unittest.main()
