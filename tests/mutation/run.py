"""Mutation check of the protections in README's "Security and reliability":
each mutant removes one protection from the source, the tree is rebuilt and
installed, and the test that guards it must fail. The source is restored
after each mutant and the real build reinstalled at the end.

    python3 tests/mutation/run.py            # every mutant (about 15 minutes)
    python3 tests/mutation/run.py M3 M5      # some

Needs a configured tree (tools/setup) and root, like tests/run. Prints one
line per mutant and "mutation: N passed, N failed" (a mutant passes when
its test failed)."""

import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENGINE = "src/core/recall-engine.cpp"
SENDER_CHECK = ("if (lower_ascii(d.sender) != sender || d.message_id", "if (d.message_id")
SENDER_KEY = ("return hash_key(recall::lower_ascii(sender), message_id);",
              "return hash_key(std::string(), message_id);")

# (id, what is removed, [(file, old, new)], guarding test: "unit" or a module)
MUTANTS = [
    ("M1a", "rule 1: the engine's sender check", [(ENGINE, *SENDER_CHECK)], "unit"),
    ("M1b", "rule 1: the sender in the ledger key and in the engine",
     [(ENGINE, *SENDER_CHECK), ("src/dovecot/recall-ledger-layout.cpp", *SENDER_KEY)],
     "test_imap_recall.py"),
    ("M2", "rule 2: the organization check",
     [(ENGINE, "if (lower_ascii(d.recipient_org) == org)", "if (true)")], "test_imap_recall.py"),
    ("M3", "section 5: sanitize_line() keeps control characters",
     [("src/core/recall-text.cpp", "} else if (c < 0x20 || c == 0x7f) {", "} else if (false) {")],
     "test_hostile_input.py"),
    ("M4", "XRECALL takes quoted strings and literals as numbers",
     [("src/dovecot/imap-recall-args.cpp", "imap_arg_get_atom(args, &word)",
       "imap_arg_get_astring(args, &word)")], "test_hostile_input.py"),
    ("M5", "rule 13: recall goes on when the ledger cannot be written",
     [(ENGINE, "!ledger_.mark_recalled(request.sender, request.message_id, marker, outcome.error)",
       "(ledger_.mark_recalled(request.sender, request.message_id, marker, outcome.error), false)")],
     "test_ledger_outage.py"),
    ("M6", "rule 12: the intent record before the expunge",
     [(ENGINE, "        if (!ledger_.store(writes, error))\n"
               "            return row_for(delivery, State::Failed, \"ledger: \" + error);\n"
               "        completed_.clear();\n", "        completed_.clear();\n")],
     "test_interrupted_recall.py"),
    ("M7", "the per-user recall lock",
     [("src/dovecot/recall-execute.cpp", "if (writes && mail_user_lock_file_create",
       "if (false && mail_user_lock_file_create")], "test_imap_recall.py"),
    ("M8", "a malformed setting disables recall",
     [("src/dovecot/recall-user-lifecycle.cpp", "if (!recall_settings_read(user, *state, &error)) {",
       "if (!recall_settings_read(user, *state, &error) && false) {")], "test_delivery_ledger.py"),
    ("M9", "the 1 s bound on the ledger wait at the end of a delivery",
     [("src/dovecot/recall-dict-wait.h", "kRecallDictWaitMsecs = 1000", "kRecallDictWaitMsecs = 60000")],
     "test_delivery_ledger.py"),
    ("M10", "the audit event",
     [("src/dovecot/recall-execute.cpp", 'e_info(event, "%s of %s by %s: %s',
       'if (0) e_info(event, "%s of %s by %s: %s')], "test_doveadm_recall.py"),
    ("M11", "rule 5: a COPY or MOVE carries the download mark",
     [("src/dovecot/recall-access-hook.cpp", "    recall_fetched_mark_copy(src, dst);\n", "")],
     "test_copies.py"),
    ("M12", "section 2: the search after the expunge looks at what arrived since the first",
     [("src/dovecot/recall-copy-instances.cpp", "        return 1;\n    return found->second.uidnext;",
       "        return 1;\n    return (uint32_t)-1;")], "test_copies.py"),
    ("M13", "rule 12: a recall's last completions written at its end",
     [(ENGINE, "    finish_run(outcome);\n", "")], "unit"),
]


def sh(command):
    return subprocess.run(command, shell=True, cwd=REPO, capture_output=True, text=True)


def run_guard(test):
    """(the guard failed, its summary)"""
    if test == "unit":
        r = sh("make tests/unit/recall-unit-tests >/dev/null 2>&1 && tests/unit/recall-unit-tests")
        lines = (r.stdout + r.stderr).strip().splitlines()
        return r.returncode != 0, " ".join(l for l in lines if l.startswith(("OK (", "Run:", "1) ")))
    r = sh("python3 tests/integration/run.py " + test)
    lines = r.stdout.splitlines()
    failing = [l.split("(")[0].split(": ")[1].strip() for l in lines if l.startswith(("FAIL:", "ERROR:"))]
    summary = [l for l in lines if l.startswith("integration:")]
    return r.returncode != 0, "%s %s" % (summary[-1] if summary else "no summary", failing)


def apply(edits):
    """Applies the edits; returns {path: original text}."""
    saved = {}
    for path, old, new in edits:
        full = os.path.join(REPO, path)
        text = saved.setdefault(full, open(full).read())
        current = open(full).read()
        if old not in current:
            raise SystemExit("mutant no longer applies to %s: %r" % (path, old))
        with open(full, "w") as f:
            f.write(current.replace(old, new, 1))
    return saved


def main():
    wanted = set(sys.argv[1:])
    killed = survived = 0
    for ident, what, edits, test in MUTANTS:
        if wanted and ident not in wanted:
            continue
        saved = apply(edits)
        try:
            build = sh("make -j2 && make install")
            if build.returncode != 0:
                raise SystemExit("%s does not build:\n%s" % (ident, build.stderr[-2000:]))
            failed, summary = run_guard(test)
        finally:
            for full, text in saved.items():
                with open(full, "w") as f:
                    f.write(text)
        killed += failed
        survived += not failed
        print("%s %s: %s %s -> %s" % (ident, what, test, "FAILED (good)" if failed else
                                      "still passes (bad)", summary), flush=True)
    sh("make -j2 && make install")
    print("mutation: %d passed, %d failed" % (killed, survived))
    return 0 if survived == 0 and killed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
