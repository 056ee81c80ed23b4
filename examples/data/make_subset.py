#!/usr/bin/python3
"""make_subset.py - rebuild examples/data/onlineretail_sample.tsv from the full raw log.

    /usr/bin/python3 make_subset.py ../../../shared/data/onlineretail/onlineretail.tsv.gz

Keeps, in file order and unchanged: every row of 240 customers (seeded choice among
those with 8 to 40 raw rows; 200 of them bought both before and after 2011-09-01, so a
temporal split has train and test rows; every row of theirs is kept, cancellations,
duplicates and postage included) plus 300 rows with no CustomerID.
"""
import gzip
import random
import sys

CUT = "2011-09-01 00:00:00"
src = sys.argv[1]
out = sys.argv[2] if len(sys.argv) > 2 else "onlineretail_sample.tsv"
with gzip.open(src, "rt", encoding="utf-8", newline="") if src.endswith(".gz") else \
        open(src, encoding="utf-8", newline="") as f:
    lines = f.read().split("\n")
if lines[-1] == "":
    lines.pop()
header, rows = lines[0], [ln.split("\t") for ln in lines[1:]]
by_customer = {}
for n, r in enumerate(rows):
    by_customer.setdefault(r[6], []).append(n)
rng = random.Random(20111209)
candidates = sorted(c for c, idx in by_customer.items() if c not in ("", "NA") and 8 <= len(idx) <= 40)
both = [c for c in candidates
        if min(rows[i][4] for i in by_customer[c]) < CUT <= max(rows[i][4] for i in by_customer[c])]
rest = [c for c in candidates if c not in set(both)]
chosen = set(rng.sample(both, 200)) | set(rng.sample(rest, 40))
keep = {i for c in chosen for i in by_customer[c]}
keep |= set(rng.sample(by_customer.get("", []) + by_customer.get("NA", []), 300))
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write(header + "\n")
    for i in sorted(keep):
        f.write("\t".join(rows[i]) + "\n")
print(f"{out}: {len(keep)} rows, {len(chosen)} customers")
