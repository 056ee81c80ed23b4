"""bench_items_peers.py DATADIR LIBRARY - recsim (through ctypes), faiss
IndexFlatIP.search and numpy (Q @ X.T + argpartition) on the data that
bench_items wrote to DATADIR.

The contenders run interleaved -- one run of each in turn, repeated, the
order rotating and with a pause before each run (see SETTLE_SECONDS) -- so
that load from other processes on the machine falls on all of them alike;
each time reported is the median of its runs.  faiss runs at 1 and 2 OpenMP
threads with OpenBLAS at its default (2 threads; faiss and recsim share the
process's one OpenBLAS), and at 1 OpenMP thread with OpenBLAS at 1 thread
("faiss-1b1": no spinning helper threads); its best is kept for the ratio.  The bounds (read bandwidth,
sgemm peak) come from DATADIR/results.tsv, measured by bench_items.

With RECSIM_BEFORE=path/to/another/librecsim.so (say a build of an earlier
commit), that library's exact search runs interleaved too, and the ratio
before / now is printed: a change measured under the same load.

recsim-warm (a diagnostic, not in the ratios) is recsim timed right after an
untimed call of its own instead of after the pause: the difference from
recsim is what the pause costs a search (idle cores waking, the matrix
falling out of the caches), which a longer contender pays alike but notices
less."""
import ctypes
import os
import sys
import time

import numpy as np

RUNS = 5
SLOW_RUNS = 3      # for a contender whose warm-up run took over SLOW_SECONDS
SLOW_SECONDS = 2.0
# Before each timed call: OpenBLAS's worker threads keep spinning (yielding)
# for 2^28 TSC cycles (~0.13 s here) after every BLAS call, on the cores the
# next contender needs.  Measured: a 32-query recsim search right after a
# numpy sgemm took 7% longer (median of 30) than after a pause.  The pause and
# a rotating order keep one contender's leftovers off the next one's clock.
SETTLE_SECONDS = 0.15
K = 10
BATCHES = (1, 32, 256)
CONFIGS = ((1000000, 64), (100000, 128))


def load_recsim(path):
    lib = ctypes.CDLL(path)
    lib.rs_item_store_create.argtypes = [ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p)]
    lib.rs_item_store_add.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p,
                                      ctypes.c_size_t, ctypes.c_void_p]
    lib.rs_item_store_free.argtypes = [ctypes.c_void_p]
    lib.rs_item_store_search.argtypes = [
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t, ctypes.c_size_t,
        ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p, ctypes.c_size_t,
        ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.rs_item_store_set_int.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int64]
    lib.rs_errmsg.restype = ctypes.c_char_p
    lib.rs_blas_corename.restype = ctypes.c_char_p
    return lib


def recsim_store(lib, x, bf16=False):
    store = ctypes.c_void_p()
    n, d = x.shape
    if lib.rs_item_store_create(d, ctypes.byref(store)) != 0:
        raise RuntimeError(lib.rs_errmsg())
    if bf16 and lib.rs_item_store_set_int(store, 0, 1) != 0:  # RS_ITEM_STORE_SCAN, BF16
        raise RuntimeError(lib.rs_errmsg())
    base = x.ctypes.data
    row = d * 4
    add = lib.rs_item_store_add
    for i in range(n):
        if add(store, b"i%d" % i, base + i * row, d, None) != 0:
            raise RuntimeError(lib.rs_errmsg())
    return store


def recsim_search(lib, store, q, index, score):
    rc = lib.rs_item_store_search(store, q.ctypes.data, q.shape[0], q.shape[1], K, 0, None, 0,
                                  None, 0, index.ctypes.data, score.ctypes.data, None)
    if rc != 0:
        raise RuntimeError(lib.rs_errmsg())


def numpy_search(x, q):
    scores = q @ x.T
    part = np.argpartition(-scores, K, axis=1)[:, :K]
    top = np.take_along_axis(scores, part, axis=1)
    order = np.argsort(-top, axis=1)
    return np.take_along_axis(part, order, axis=1)


# Contenders called once, untimed, right before each timed call (after the
# pause): see recsim-warm in the docstring.
WARMED = ("recsim-warm",)


def interleaved(contenders):
    """contenders: {name: fn}; returns {name: median ms}."""
    times = {name: [] for name in contenders}
    runs = {}
    for name, fn in contenders.items():  # warm up, and decide how many runs
        t0 = time.perf_counter()
        fn()
        runs[name] = SLOW_RUNS if time.perf_counter() - t0 > SLOW_SECONDS else RUNS
    names = list(contenders)
    for r in range(RUNS):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:
            if r >= runs[name]:
                continue
            fn = contenders[name]
            time.sleep(SETTLE_SECONDS)
            if name in WARMED:
                fn()
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) * 1e3 for name, t in times.items()}


def openblas_threads_setter():
    """openblas_set_num_threads of the process's OpenBLAS, or None."""
    for name in ("libopenblas.so.0", "libopenblas.so"):
        try:
            blas = ctypes.CDLL(name)
        except OSError:
            continue
        if hasattr(blas, "openblas_set_num_threads"):
            blas.openblas_set_num_threads.argtypes = [ctypes.c_int]
            return blas.openblas_set_num_threads
    return None


def main():
    data, library = sys.argv[1], sys.argv[2]
    try:
        import faiss
    except ImportError:
        faiss = None
        print("faiss not importable (python3-faiss missing): only numpy is compared")
    lib = load_recsim(library)
    set_blas_threads = openblas_threads_setter()
    blas_default = os.cpu_count() or 1
    before_path = os.environ.get("RECSIM_BEFORE")
    before = load_recsim(before_path) if before_path else None
    bounds = {}
    with open(os.path.join(data, "results.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "bound":
                bounds[parts[1]] = float(parts[2])
    print("\ninterleaved, same process, same data (median ms; OpenBLAS core %s, "
          "RECSIM_ITEM_KERNEL=%s; load average %.2f %.2f %.2f):"
          % ((lib.rs_blas_corename().decode(), os.environ.get("RECSIM_ITEM_KERNEL", "unset"))
             + os.getloadavg()))
    print("%-12s %-5s %9s %9s %9s %9s %9s %8s %8s %8s | %9s %8s %9s" % (
        "config", "batch", "recsim", "faiss-1t", "faiss-2t", "faiss-1b1", "numpy", "x faiss",
        "x numpy", "q/s", "bf16", "x faiss", "recall@10"))
    for n, d in CONFIGS:
        x = np.fromfile(os.path.join(data, "items_%d_%d.f32" % (n, d)),
                        dtype=np.float32).reshape(n, d)
        qs = np.fromfile(os.path.join(data, "queries_%d.f32" % d),
                         dtype=np.float32).reshape(-1, d)
        store = recsim_store(lib, x)
        store_bf16 = recsim_store(lib, x, bf16=True)
        store_before = recsim_store(before, x) if before else None
        index = None
        if faiss is not None:
            index = faiss.IndexFlatIP(d)
            index.add(x)
        for b in BATCHES:
            q = np.ascontiguousarray(qs[:b])
            out_i = np.empty((b, K), dtype=np.uint32)
            out_s = np.empty((b, K), dtype=np.float32)
            bf_i = np.empty((b, K), dtype=np.uint32)
            bf_s = np.empty((b, K), dtype=np.float32)
            contenders = {"recsim": lambda: recsim_search(lib, store, q, out_i, out_s),
                          "recsim-bf16": lambda: recsim_search(lib, store_bf16, q, bf_i, bf_s),
                          "recsim-warm": lambda: recsim_search(lib, store, q, out_i, out_s)}
            if before:
                old_i = np.empty((b, K), dtype=np.uint32)
                old_s = np.empty((b, K), dtype=np.float32)
                contenders["before"] = lambda: recsim_search(before, store_before, q, old_i,
                                                             old_s)
            if index is not None:
                def faiss_at(threads, blas_threads=None):
                    def run():
                        faiss.omp_set_num_threads(threads)
                        if blas_threads is None:
                            return index.search(q, K)
                        set_blas_threads(blas_threads)
                        try:
                            return index.search(q, K)
                        finally:
                            set_blas_threads(blas_default)
                    return run
                contenders["faiss-1t"] = faiss_at(1)
                contenders["faiss-2t"] = faiss_at(2)
                if set_blas_threads is not None:
                    contenders["faiss-1b1"] = faiss_at(1, 1)
            contenders["numpy"] = lambda: numpy_search(x, q)
            ms = interleaved(contenders)
            ours = ms["recsim"]
            faiss_ms = [ms[c] for c in ("faiss-1t", "faiss-2t", "faiss-1b1") if c in ms]
            best = min(faiss_ms) if faiss_ms else np.nan
            if index is not None:  # same answers (indices) as faiss
                _, fi = index.search(q, K)
                agree = float(np.mean(fi == out_i.astype(np.int64)))
            recall = np.mean([len(set(bf_i[r]) & set(out_i[r])) / K for r in range(b)])
            print("%-12s %-5d %9.2f %9.2f %9.2f %9.2f %9.2f %7.2fx %7.2fx %8.0f | %9.2f %7.2fx "
                  "%9.4f" % (
                "%dx%d" % (n, d), b, ours, ms.get("faiss-1t", np.nan),
                ms.get("faiss-2t", np.nan), ms.get("faiss-1b1", np.nan), ms["numpy"],
                best / ours, ms["numpy"] / ours,
                b / (ours / 1e3), ms["recsim-bf16"], best / ms["recsim-bf16"], recall))
            gbs = n * d * 4 / (ours / 1e3) / 1e9
            note = "%.1f GB/s of the item matrix" % gbs
            if b == 1 and "bw2" in bounds:
                note += ", %.0f%% of the 2-thread read bandwidth (target >= 75%%)" % (
                    100 * gbs / bounds["bw2"])
            if b == 256 and "sgemm" in bounds:
                gf = 2.0 * b * n * d / (ours / 1e3) / 1e9
                note += ", %.1f GFLOP/s = %.0f%% of the sgemm peak (target >= 50%%)" % (
                    gf, 100 * gf / bounds["sgemm"])
            note += "; recsim-warm %.2f ms" % ms["recsim-warm"]
            if index is not None:
                note += ", %.4f of indices equal to faiss" % agree
            if before:
                note += "; before: %.2f ms, before / now = %.2fx" % (ms["before"],
                                                                   ms["before"] / ours)
            print("%18s %s" % ("", note))
        lib.rs_item_store_free(store)
        lib.rs_item_store_free(store_bf16)
        if before:
            before.rs_item_store_free(store_before)
        del index, x
    print("load average at the end: %.2f %.2f %.2f" % os.getloadavg())
    print("targets: x faiss >= 3 at batches 1 and 32, >= 1.5 at 256 (exact search);")
    print("bf16: RS_SCAN_BF16 with the default re-rank of 4 x k, recall@10 against exact")


if __name__ == "__main__":
    main()
