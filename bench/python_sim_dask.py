#!/usr/bin/env python3
"""python_sim_dask.py MODEL [RUNS] [USERS] [STEPS] - one simulation
(Model.simulate, policies scorer and popular) in one process beside the
same simulation with its users sharded over a 2-worker Dask LocalCluster
(recsim.dask.simulate: each worker keeps its block of users' simulator and
runs a step per task; per step the client merges the parts and hands the
summed clicks back).  The two are ALTERNATED, run after run, so that both
see the same machine load; printed: the median of each, the median of the
per-pair ratios (issue 15 item 6 asks <= 1.3x), whether the traces are
identical, and the fixed cost (a simulation of 2 users: the per-call set-up
and the per-step round trips, which the ratio includes).
Driven by bench/bench_model_batch.sh.

    RECSIM_LIBRARY=lib/librecsim.so.1 PYTHONPATH=bindings/python \\
        python3 bench/python_sim_dask.py build/bench/retail_batch.rsm 5 0 20
"""
import os
import statistics
import sys
import time
import warnings

import recsim

POLICIES = ["scorer", "popular"]


def seconds(fn):
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def main():
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    users = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    from distributed import Client, LocalCluster
    import recsim.dask as rd
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    kw = dict(users=users, steps=steps, slate=10, seed=1)
    threads = recsim.get_num_threads()
    with recsim.Model.open(path, readonly=True) as m, \
            LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                         dashboard_address=None) as cluster, Client(cluster) as client:
        client.run(recsim.set_num_threads, 1)  # one library thread per worker process
        want = m.simulate(POLICIES, **kw)  # warm-up (page cache)
        got = rd.simulate(client, path, POLICIES, **kw)  # warm-up: each worker opens the model
        same = got.trace.equals(want.trace)
        singles, dasks, ratios = [], [], []
        for _ in range(runs):
            s, _ = seconds(lambda: m.simulate(POLICIES, **kw))
            d, _ = seconds(lambda: rd.simulate(client, path, POLICIES, **kw))
            singles.append(s)
            dasks.append(d)
            ratios.append(d / s)
        tiny = dict(kw, users=2)
        fixed = statistics.median(seconds(lambda: rd.simulate(client, path, POLICIES, **tiny))[0]
                                  for _ in range(runs))
        fixed1 = statistics.median(seconds(lambda: rd.simulate(client, path, POLICIES,
                                                               **dict(tiny, steps=1)))[0]
                                   for _ in range(runs))
        fixed_one = statistics.median(seconds(lambda: m.simulate(POLICIES, **tiny))[0]
                                      for _ in range(runs))
        recsim.set_num_threads(1)
        one = statistics.median(seconds(lambda: m.simulate(POLICIES, **kw))[0]
                                for _ in range(max(1, runs // 2)))
        recsim.set_num_threads(threads)
    n_users = int(want.trace["impressions"].iloc[0])
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    print("-- CPU %s, %d cores; BLAS %s" % (cpu, os.cpu_count() or 0, recsim.blas_corename()))
    print("-- simulate %s, %d users, %d steps, slate 10, on %s (load %.1f)"
          % ("+".join(POLICIES), n_users, steps, os.path.basename(path), os.getloadavg()[0]))
    print("one process, %d library threads: median %.3f s of %d runs (1 thread: %.3f s)"
          % (threads, statistics.median(singles), runs, one))
    print("Dask, 2 worker processes x 1 thread, users sharded: median %.3f s; per alternated "
          "pair Dask / one process: median %.3fx, best %.3fx (traces identical: %s)"
          % (statistics.median(dasks), statistics.median(ratios), min(ratios), same))
    print("Dask fixed cost: %.3f s a call of %d steps (2 users; one process: %.3f s, the "
          "catalogue's and the policies' set-up), %.3f s of 1 step: about %.1f ms a step, "
          "%.3f s a call" % (fixed, steps, fixed_one, fixed1,
                             1000 * (fixed - fixed1) / max(steps - 1, 1),
                             fixed1 - (fixed - fixed1) / max(steps - 1, 1)))


if __name__ == "__main__":
    main()
