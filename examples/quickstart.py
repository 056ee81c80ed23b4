#!/usr/bin/env python3
"""quickstart.py [MODEL] - the Python package end to end on the demo data:
import (a pandas DataFrame), build, recommend, explain, evaluate, simulate.
Run by `make check`; MODEL defaults to quickstart.rsm in the current directory."""
import os
import sys

import pandas as pd

import recsim

here = os.path.dirname(os.path.abspath(__file__))
log = pd.read_csv(os.path.join(here, "data", "onlineretail_sample.tsv"), sep="\t",
                  dtype={"InvoiceNo": str, "StockCode": str})
path = sys.argv[1] if len(sys.argv) > 1 else "quickstart.rsm"
if os.path.exists(path):
    os.remove(path)

with recsim.Model.create(path) as m:
    report = m.import_log(log, preset="retail")          # the CLI's cleaning rules
    print("kept %(kept)d of %(rows)d rows" % report["interactions"])
    m.options["scorer.w_popularity"] = 0.2               # any option, by name
    m.build()

    keys, scores = m.recommend("13705", k=5)             # numpy: str keys, float32 scores
    for key, score in zip(keys, scores):
        print("%-8s %.3f" % (key, score))
    why = m.explain("13705", keys[0])
    print(why.text, "|", " -> ".join(n[1] for n in why.nodes))

    batch = m.recommend(log["CustomerID"].dropna().astype(int).unique(), k=10)  # one C call
    print(batch.keys.shape, "lists for every customer")

    table = m.evaluate(cut="2011-09-01")                 # the scorer beside the baselines
    print(table[["name", "users", "precision", "ndcg", "coverage"]].to_string(index=False))

    sim = m.simulate(["scorer", "popular"], users=100, steps=10)
    print(sim.summary[["ctr", "coverage", "gini"]])
