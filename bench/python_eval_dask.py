#!/usr/bin/env python3
"""python_eval_dask.py MODEL [RUNS] [K] - one evaluation (Model.evaluate)
in one process beside the same evaluation with its users sharded over a
2-worker Dask LocalCluster (recsim.dask.evaluate: each worker repeats the
train fit and scores its block of users; the client merges the parts).
Prints the median wall seconds of each, their ratio, whether the tables are
identical (every column but seconds) and the merged rows.  Not part of
`make bench`: on the retail model with build.tune 1 a run takes minutes
(the tuning search on the train part dominates; scoring is under a second).

    RECSIM_LIBRARY=lib/librecsim.so.1 PYTHONPATH=bindings/python \\
        python3 bench/python_eval_dask.py build/bench/retail_batch.rsm 3
"""
import statistics
import sys
import time
import warnings

import recsim


def median_seconds(fn, runs):
    out, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t0)
    return statistics.median(out), result


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    k = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    from distributed import Client, LocalCluster
    import recsim.dask as rd
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    with recsim.Model.open(path, readonly=True) as m:
        single, want = median_seconds(lambda: m.evaluate(k=k), runs)
    print("one process, %d library threads: evaluate median %.2f s of %d runs"
          % (recsim.get_num_threads(), single, runs))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(recsim.set_num_threads, 1)  # one library thread per worker process
        rd.recommend(client, path, ["warm-up"], k=1)  # each worker opens the model
        dask, got = median_seconds(lambda: rd.evaluate(client, path, k=k), runs)
    same = got.drop(columns="seconds").equals(want.drop(columns="seconds"))
    print("Dask, 2 worker processes x 1 thread, users sharded: median %.2f s = %.2fx the one "
          "process (tables identical but seconds: %s)" % (dask, dask / single, same))
    print(got[["name", "users", "ndcg", "coverage", "gini", "novelty", "seconds"]].to_string())


if __name__ == "__main__":
    main()
