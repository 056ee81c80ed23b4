#!/usr/bin/python3
"""Score the lists of every configuration the build's selection evaluated
(bench/retail_model --candidates writes them, with OUTDIR/cand/index.tsv) on
the retail protocol's test part with the shared protocol's own functions,
and print validation NDCG@10 (from the selection report) against test.

    retail_candidates.py SHARED_EVAL_DIR CAND_DIR

The split is rebuilt in memory exactly as retail_eval.py does (nothing is
written to the shared directory).
"""
import contextlib
import io
import os
import sys


def main():
    shared, cand = sys.argv[1:3]
    sys.path.insert(0, shared)
    import retail_eval as re_  # the protocol's code, not a copy

    rows, _ = re_.read_rows(re_.DEFAULT_DATA)
    rows, _ = re_.clean(rows)
    events = re_.build_events(rows)
    s = re_.Split(events, re_.desc_counts(rows, re_.CUT), re_.CUT)
    n_items = len(s.items)
    warm = [s.users[u] for u in s.eval_users]
    print(f"{'file':>18s} {'group':5s} {'stage':6s} {'validation':>10s} {'test':>7s}  candidate")
    with open(os.path.join(cand, "index.tsv"), encoding="utf-8") as f:
        for line in f:
            name, group, stage, val, label = line.rstrip("\n").split("\t")
            who, truth = (warm, s.truth) if group == "warm" else (s.cold_users, s.cold_truth)
            with contextlib.redirect_stdout(io.StringIO()):
                top = re_.read_recs(os.path.join(cand, name), s, who)
            r = re_.evaluate(top, truth, n_items)
            print(f"{name:>18s} {group:5s} {stage:6s} {float(val):10.4f} {r['ndcg']:7.4f}  {label}",
                  flush=True)


if __name__ == "__main__":
    main()
