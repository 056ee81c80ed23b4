#!/usr/bin/env python3
"""check-test-map.py - the table of which suite tests which source file
(tests/README.md) against the tree (run by `make check` as test-map-check).

    check-test-map.py [TABLE]

A row is a Markdown table line `| src/<m>/<file>.c | test_a.c, cli/x.sh | ... |`:
the source, then the test files that cover it, relative to tests/.  Exit
status 1 when a source file under src/ has no row, a row names a source
that does not exist or appears twice, or a listed test file does not
exist.  A suite that no row names is reported but does not fail the check
(a suite may test something that is not one source file).
"""
import glob
import os
import re
import sys

ROW = re.compile(r"^\|\s*(src/\S+\.c)\s*\|([^|]*)\|")


def main(argv):
    if len(argv) > 2:
        sys.stderr.write("usage: check-test-map.py [TABLE]\n")
        return 2
    table = argv[1] if len(argv) == 2 else "tests/README.md"
    errors, rows = [], {}
    with open(table, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            m = ROW.match(line)
            if not m:
                continue
            src, cell = m.group(1), m.group(2)
            where = "%s:%d" % (table, lineno)
            if src in rows:
                errors.append("%s: %s has a second row" % (where, src))
            tests = [t.strip() for t in cell.split(",") if t.strip()]
            rows[src] = tests
            if not os.path.isfile(src):
                errors.append("%s: %s does not exist (drop or rename its row)" % (where, src))
            if not tests:
                errors.append("%s: %s lists no test file" % (where, src))
            for t in tests:
                if not os.path.isfile(os.path.join("tests", t)):
                    errors.append("%s: %s: tests/%s does not exist" % (where, src, t))
    for src in sorted(glob.glob("src/**/*.c", recursive=True)):
        if src not in rows:
            errors.append("%s: %s has no row: add the test files that cover it"
                          % (table, src))
    named = {t for tests in rows.values() for t in tests}
    for suite in sorted(glob.glob("tests/test_*.c")):
        if os.path.basename(suite) not in named:
            print("test-map-check: note: %s is in no row of %s" % (suite, table))
    for e in errors:
        sys.stderr.write("test-map-check: %s\n" % e)
    if errors:
        return 1
    print("test-map-check: %d source files, each with its tests (%s)" % (len(rows), table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
