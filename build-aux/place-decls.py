#!/usr/bin/env python3
"""place-decls.py - carry a branch's edits of the one-file recsim.h into the
per-module headers include/recsim/*.h (issue 19).

    place-decls.py BASE THEIRS [--include DIR] [--dry-run]

BASE is the one-file recsim.h the branch started from, THEIRS the branch's
recsim.h, for instance

    git show $(git merge-base HEAD other):include/recsim.h > /tmp/base.h
    git show other:include/recsim.h > /tmp/theirs.h
    python3 build-aux/place-decls.py /tmp/base.h /tmp/theirs.h
    git checkout HEAD -- include/recsim.h    # keep the umbrella

Every hunk of the diff BASE -> THEIRS is applied to the module header that
holds its context: an added block goes after the BASE lines that precede it
(or before those that follow it), found once in exactly one header; a
changed or deleted block must be found verbatim.  Names renamed by issue 19
(rs_format -> rs_reader_format, RS_METRIC_COSINE -> RS_ITEM_METRIC_COSINE,
...) are matched under either spelling, and the placed text is moved to the
new names, so the deprecated aliases do not leak into new declarations.  A
hunk that cannot be placed is printed and the exit status is 1: place it by
hand in the header of its section.  Then run `make header-check` (a
declaration that needs a higher layer's type belongs to that higher header)
and `make -j2 WERROR=1 check`.
"""
import argparse
import difflib
import glob
import os
import re
import sys

EVAL_METRICS = ["PRECISION", "RECALL", "F1", "NDCG", "MAP", "MRR", "HIT_RATE"]
RENAMES = ([("rs_format", "rs_reader_format"), ("rs_role", "rs_io_role"),
            ("rs_norm", "rs_io_norm"), ("rs_match", "rs_cleaner_match"),
            ("rs_drop", "rs_cleaner_drop"), ("rs_type", "rs_cleaner_type"),
            ("rs_part", "rs_eval_part"), ("rs_metric", "rs_eval_metric"),
            ("RS_METRIC_INNER_PRODUCT", "RS_ITEM_METRIC_INNER_PRODUCT"),
            ("RS_METRIC_COSINE", "RS_ITEM_METRIC_COSINE"),
            ("RS_METRIC_COUNT", "RS_EVAL_METRIC_COUNT")]
           + [("RS_METRIC_" + m, "RS_EVAL_METRIC_" + m) for m in EVAL_METRICS])


def rename(line):
    for old, new in RENAMES:
        line = re.sub(r"(?<![\w.])%s\b(?!\()" % old, new, line)
    return line


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read().split("\n")


def find_block(headers, block):
    """(path, index) of the one place where block's lines (renamed) occur."""
    want = [rename(l) for l in block]
    hits = []
    for path, lines in headers.items():
        norm = [rename(l) for l in lines]
        for i in range(len(norm) - len(want) + 1):
            if norm[i:i + len(want)] == want:
                hits.append((path, i))
    return hits[0] if len(hits) == 1 else None


def context(lines, start, step, n=3):
    """Up to n non-blank lines of lines going from start by step, with the
    blank lines between them, as a contiguous block (in file order)."""
    out, i = [], start
    while 0 <= i < len(lines) and sum(1 for l in out if l.strip()) < n:
        out.append(lines[i])
        i += step
    return out if step > 0 else out[::-1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("base")
    ap.add_argument("theirs")
    ap.add_argument("--include", default="include")
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    base, theirs = read(args.base), read(args.theirs)
    headers = {p: read(p) for p in sorted(glob.glob(os.path.join(args.include, "recsim", "*.h")))}
    if not headers:
        sys.exit("place-decls: no %s/recsim/*.h" % args.include)

    failed = 0
    ops = difflib.SequenceMatcher(None, base, theirs, autojunk=False).get_opcodes()
    # Apply from the end so that indices found earlier stay valid per file.
    edits = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        added = [rename(l) for l in theirs[j1:j2]]
        where = None
        if tag == "insert":
            before = context(base, i1 - 1, -1)
            hit = find_block(headers, before) if before else None
            if hit:
                where = (hit[0], hit[1] + len(before), hit[1] + len(before))
            else:
                after = context(base, i1, +1)
                hit = find_block(headers, after) if after else None
                if hit:
                    where = (hit[0], hit[1], hit[1])
        else:
            old = base[i1:i2]
            hit = find_block(headers, old) if any(l.strip() for l in old) else None
            if hit:
                where = (hit[0], hit[1], hit[1] + len(old))
        if where is None:
            failed += 1
            print("place-decls: cannot place the %s at %s:%d (%s:%d), by hand:"
                  % (tag, args.base, i1 + 1, args.theirs, j1 + 1))
            for l in base[i1:i2]:
                print("  - " + l)
            for l in theirs[j1:j2]:
                print("  + " + l)
            continue
        edits.append((where, added, tag))
    for (path, a, b), added, tag in sorted(edits, key=lambda e: (e[0][0], -e[0][1])):
        headers[path][a:b] = added
        print("place-decls: %s of %d line(s) into %s at line %d" % (tag, len(added), path, a + 1))
    if not args.dry_run:
        for path, lines in headers.items():
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
