"""bench_items_peers.py DATADIR - faiss IndexFlatIP.search and numpy
(Q @ X.T + argpartition) on the data bench_items wrote to DATADIR, then the
ratio table against the recsim timings in DATADIR/results.tsv.

faiss runs at 1 and 2 OpenMP threads and its best is kept; every time is the
median of several runs."""
import os
import sys
import time

import numpy as np

RUNS = 5
K = 10
BATCHES = (1, 32, 256)
CONFIGS = ((1000000, 64), (100000, 128))


def median_ms(fn):
    fn()  # warm up
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)) * 1e3


def numpy_search(x, q):
    scores = q @ x.T
    part = np.argpartition(-scores, K, axis=1)[:, :K]
    top = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-top, axis=1)
    return np.take_along_axis(part, order, axis=1)


def main():
    data = sys.argv[1]
    try:
        import faiss
    except ImportError:
        faiss = None
        print("faiss not importable: python3-faiss missing; only numpy is timed")
    results = {}
    bounds = {}
    with open(os.path.join(data, "results.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "bound":
                bounds[parts[1]] = float(parts[2])
            else:
                results[(int(parts[1]), int(parts[2]), int(parts[3]))] = float(parts[4])
    print("\npeers on the same data (median of %d runs, ms):" % RUNS)
    print("%-14s %-6s %9s %9s %9s %9s %10s %10s" % (
        "config", "batch", "recsim", "faiss-1t", "faiss-2t", "numpy",
        "x faiss", "x numpy"))
    for n, d in CONFIGS:
        x = np.fromfile(os.path.join(data, "items_%d_%d.f32" % (n, d)),
                        dtype=np.float32).reshape(n, d)
        qs = np.fromfile(os.path.join(data, "queries_%d.f32" % d),
                         dtype=np.float32).reshape(-1, d)
        index = None
        if faiss is not None:
            index = faiss.IndexFlatIP(d)
            index.add(x)
        for b in BATCHES:
            q = np.ascontiguousarray(qs[:b])
            ours = results.get((n, d, b), float("nan"))
            faiss_ms = {}
            if index is not None:
                for threads in (1, 2):
                    faiss.omp_set_num_threads(threads)
                    faiss_ms[threads] = median_ms(lambda: index.search(q, K))
            numpy_ms = median_ms(lambda: numpy_search(x, q))
            best = min(faiss_ms.values()) if faiss_ms else float("nan")
            print("%-14s %-6d %9.2f %9.2f %9.2f %9.2f %9.2fx %9.2fx" % (
                "%dx%d" % (n, d), b, ours, faiss_ms.get(1, float("nan")),
                faiss_ms.get(2, float("nan")), numpy_ms, best / ours,
                numpy_ms / ours))
            if b == 1 and "bw2" in bounds:
                gbs = n * d * 4 / (ours / 1e3) / 1e9
                print("%-14s %-6s single query %.1f GB/s = %.0f%% of the 2-thread read "
                      "bandwidth (target >= 75%%)" % ("", "", gbs, 100 * gbs / bounds["bw2"]))
            if b == 256 and "sgemm" in bounds:
                gf = 2.0 * b * n * d / (ours / 1e3) / 1e9
                print("%-14s %-6s 256-batch %.1f GFLOP/s = %.0f%% of the sgemm peak "
                      "(target >= 50%%)" % ("", "", gf, 100 * gf / bounds["sgemm"]))
        del index, x
    print("targets: x faiss >= 3 at batches 1 and 32, >= 1.5 at 256")


if __name__ == "__main__":
    main()
