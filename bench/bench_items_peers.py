"""bench_items_peers.py DATADIR LIBRARY - recsim (through ctypes), faiss
IndexFlatIP.search and numpy (Q @ X.T + argpartition) on the data that
bench_items wrote to DATADIR.

The contenders run interleaved -- one run of each in turn, repeated -- so
that load from other processes on the machine falls on all of them alike;
each time reported is the median of its runs.  faiss runs at 1 and 2 OpenMP
threads and its best is kept for the ratio.  The bounds (read bandwidth,
sgemm peak) come from DATADIR/results.tsv, measured by bench_items."""
import ctypes
import os
import sys
import time

import numpy as np

RUNS = 5
SLOW_RUNS = 3      # for a contender whose warm-up run took over SLOW_SECONDS
SLOW_SECONDS = 2.0
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


def interleaved(contenders):
    """contenders: {name: fn}; returns {name: median ms}."""
    times = {name: [] for name in contenders}
    runs = {}
    for name, fn in contenders.items():  # warm up, and decide how many runs
        t0 = time.perf_counter()
        fn()
        runs[name] = SLOW_RUNS if time.perf_counter() - t0 > SLOW_SECONDS else RUNS
    for r in range(RUNS):
        for name, fn in contenders.items():
            if r >= runs[name]:
                continue
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return {name: float(np.median(t)) * 1e3 for name, t in times.items()}


def main():
    data, library = sys.argv[1], sys.argv[2]
    try:
        import faiss
    except ImportError:
        faiss = None
        print("faiss not importable (python3-faiss missing): only numpy is compared")
    lib = load_recsim(library)
    bounds = {}
    with open(os.path.join(data, "results.tsv")) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if parts[0] == "bound":
                bounds[parts[1]] = float(parts[2])
    print("\ninterleaved, same process, same data (median ms; OpenBLAS core %s):"
          % lib.rs_blas_corename().decode())
    print("%-12s %-5s %9s %9s %9s %9s %8s %8s %8s | %9s %8s %9s" % (
        "config", "batch", "recsim", "faiss-1t", "faiss-2t", "numpy", "x faiss", "x numpy",
        "q/s", "bf16", "x faiss", "recall@10"))
    for n, d in CONFIGS:
        x = np.fromfile(os.path.join(data, "items_%d_%d.f32" % (n, d)),
                        dtype=np.float32).reshape(n, d)
        qs = np.fromfile(os.path.join(data, "queries_%d.f32" % d),
                         dtype=np.float32).reshape(-1, d)
        store = recsim_store(lib, x)
        store_bf16 = recsim_store(lib, x, bf16=True)
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
                          "recsim-bf16": lambda: recsim_search(lib, store_bf16, q, bf_i, bf_s)}
            if index is not None:
                def faiss_at(threads):
                    def run():
                        faiss.omp_set_num_threads(threads)
                        return index.search(q, K)
                    return run
                contenders["faiss-1t"] = faiss_at(1)
                contenders["faiss-2t"] = faiss_at(2)
            contenders["numpy"] = lambda: numpy_search(x, q)
            ms = interleaved(contenders)
            ours = ms["recsim"]
            best = min(ms.get("faiss-1t", np.nan), ms.get("faiss-2t", np.nan))
            if index is not None:  # same answers (indices) as faiss
                _, fi = index.search(q, K)
                agree = float(np.mean(fi == out_i.astype(np.int64)))
            recall = np.mean([len(set(bf_i[r]) & set(out_i[r])) / K for r in range(b)])
            print("%-12s %-5d %9.2f %9.2f %9.2f %9.2f %7.2fx %7.2fx %8.0f | %9.2f %7.2fx %9.4f" % (
                "%dx%d" % (n, d), b, ours, ms.get("faiss-1t", np.nan),
                ms.get("faiss-2t", np.nan), ms["numpy"], best / ours, ms["numpy"] / ours,
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
            if index is not None:
                note += ", %.4f of indices equal to faiss" % agree
            print("%18s %s" % ("", note))
        lib.rs_item_store_free(store)
        lib.rs_item_store_free(store_bf16)
        del index, x
    print("targets: x faiss >= 3 at batches 1 and 32, >= 1.5 at 256 (exact search);")
    print("bf16: RS_SCAN_BF16 with the default re-rank of 4 x k, recall@10 against exact")


if __name__ == "__main__":
    main()
