#!/usr/bin/env python3
"""python_batch.py MODEL USERS_FILE [RUNS] [K] - batch recommendation for
every customer from Python (recsim.Model.recommend: one
rs_model_recommend_batch call, plus the key encoding and the numpy key
mapping), the same batch alternated with the bare library call in one
process (a ratio the machine's load does not skew: both see the same load),
and the same batch sharded over a 2-worker Dask LocalCluster.
Driven by bench/bench_model_batch.sh beside the C reference."""
import statistics
import sys
import time

import recsim


LAST_MIN = [0.0]


def timed(fn, runs, cpu=False):
    """Median wall (or process CPU) seconds of runs calls after a warm-up
    (the fastest run in LAST_MIN[0])."""
    clock = time.process_time if cpu else time.perf_counter
    fn()  # warm-up (and, for Dask, each worker's one open)
    out = []
    for _ in range(runs):
        t0 = clock()
        fn()
        out.append(clock() - t0)
    LAST_MIN[0] = min(out)
    return statistics.median(out)


def bare_vs_python(m, users, k, runs):
    """The same batch as the bare library call (users encoded and outputs
    allocated once, outside the timing: what the C program times) and as
    Model.recommend, ALTERNATED in one process so that both see the same
    machine load; the median of the per-pair ratios, wall and process CPU."""
    import ctypes
    import numpy as np
    from recsim import lib
    from recsim.model import _key_array, _ptr
    arr, n = _key_array(users, "users")
    scores = np.empty((n, k), dtype=np.float32)
    items = np.empty((n, k), dtype=np.uint32)
    counts = np.empty(n, dtype=np.uintp)

    def bare():
        lib.rs_model_recommend_batch(m._h, arr, n, k, None, _ptr(scores), _ptr(items),
                                     _ptr(counts))

    def python():
        m.recommend(users, k=k)
    bare()
    python()
    wall, cpu = [], []
    for _ in range(max(runs, 3) * 2):
        pair = []
        for fn in (bare, python):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            pair.append((time.perf_counter() - t0, time.process_time() - c0))
        wall.append(pair[1][0] / pair[0][0])
        cpu.append(pair[1][1] / pair[0][1] if pair[0][1] > 0 else float("nan"))
    print("Python / bare C call, alternated in one process, %d threads: median %.3fx wall, "
          "%.3fx cpu (%d pairs)" % (recsim.get_num_threads(), statistics.median(wall),
                                    statistics.median(cpu), len(wall)))


def main():
    path, users_file = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 7
    k = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    with open(users_file) as f:
        users = [line.rstrip("\n") for line in f if line.strip()]
    with recsim.Model.open(path, readonly=True) as m:
        single = timed(lambda: m.recommend(users, k=k), runs)
        fastest = LAST_MIN[0]
        cpu = timed(lambda: m.recommend(users, k=k), runs, cpu=True)
        print("Python  Model.recommend(batch):   %d users, k = %d, %d threads: median %.4f s "
              "of %d runs, min %.4f s, cpu %.4f s" % (len(users), k, recsim.get_num_threads(),
                                                      single, runs, fastest, cpu))
        want = m.recommend(users, k=k)
        # the Python side alone (key encoding, the numpy key mapping), which
        # the machine's load does not blur as it blurs the whole call
        from recsim.model import _key_array
        enc = timed(lambda: _key_array(users, "users"), runs)
        pack = timed(lambda: m._pack(want.scores.copy(), want.items.copy(), want.counts,
                                     users), runs)
        print("Python  side alone (encode users + map keys): %.4f s = %.2f%% of the call"
              % (enc + pack, 100 * (enc + pack) / single))
        bare_vs_python(m, users, k, runs)
        threads = recsim.get_num_threads()
        recsim.set_num_threads(1)
        one = timed(lambda: m.recommend(users, k=k), runs)
        one_min = LAST_MIN[0]
        recsim.set_num_threads(threads)
        print("Python  Model.recommend(batch):   %d users, k = %d, 1 threads: median %.4f s of "
              "%d runs, min %.4f s" % (len(users), k, one, runs, one_min))
    try:
        from distributed import Client, LocalCluster
        import recsim.dask as rd
    except ImportError:
        print("(python3-distributed not installed: no Dask run)")
        return
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(recsim.set_num_threads, 1)  # one library thread per worker process
        dask = timed(lambda: rd.recommend(client, path, users, k=k), runs)
        fixed = timed(lambda: rd.recommend(client, path, users[:10], k=k), runs)
        got = rd.recommend(client, path, users, k=k)
        same = (got.keys == want.keys).all() and (got.scores == want.scores).all()
    print("Dask    recsim.dask.recommend:    2 worker processes x 1 thread: median %.4f s "
          "(%.2fx the single process; lists identical: %s)" % (dask, dask / single, same))
    print("Dask    fixed cost of a call (10 users): %.4f s" % fixed)


if __name__ == "__main__":
    main()
