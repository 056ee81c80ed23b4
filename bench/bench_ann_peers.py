"""bench_ann_peers.py LIBRARY - recsim's approximate index (RS_INDEX_IVF,
RS_INDEX_IVF_SQ8) against faiss's IndexIVFFlat, IndexIVFScalarQuantizer
(8-bit) and IndexHNSWFlat on the same data, in one process.

Data: clustered synthetic unit vectors (BENCH_ANN_SIZES, default 1M and 10M
x 64) and the retail catalogue's item vectors (the library's hashing text
embedder over ../shared's item descriptions).  Metric: inner product (=
cosine on unit vectors).  Ground truth: recsim's exact search.  Recall@10 is
|approx top-10 & exact top-10| / 10 over 1000 held-out queries, searched as
one batch.

Each index is swept over its search parameter (nprobe, SQ8 re-rank depth,
efSearch) at 1 and 2 threads; for each recall target the fastest setting
reaching it is reported (QPS: median of RUNS runs).  Indexes are built one at
a time and freed before the next, so that 10M x 64 fits beside other work.
Build time: recsim's rs_item_store_build_index (k-means + lists) vs faiss's
train + add, both at 2 threads.  Bytes per vector: what the index adds per
item (recsim's IVF_SQ8 also keeps the store's float32 vectors, which exact
search needs anyway; listed apart)."""
import ctypes
import gc
import os
import sys
import time

import numpy as np

RUNS = 3
K = 10
N_QUERIES = 1000
TARGETS = (0.90, 0.95, 0.99)
THREADS = (1, 2)
NPROBES = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
EF_SEARCH = (10, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512)
RERANKS = (2, 6)
STOP_RECALL = 0.995  # a sweep stops past this: higher settings only slow down

# recsim option numbers (include/recsim.h)
OPT_RERANK, OPT_INDEX, OPT_NLIST, OPT_NPROBE, OPT_SEED = 1, 2, 3, 4, 5
INDEX_EXACT, INDEX_IVF, INDEX_IVF_SQ8 = 0, 1, 2


def load_recsim(path):
    lib = ctypes.CDLL(path)
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    lib.rs_item_store_create.argtypes = [sz, ctypes.POINTER(vp)]
    lib.rs_item_store_add.argtypes = [vp, ctypes.c_char_p, vp, sz, vp]
    lib.rs_item_store_free.argtypes = [vp]
    lib.rs_item_store_build_index.argtypes = [vp]
    lib.rs_item_store_search.argtypes = [vp, vp, sz, sz, sz, ctypes.c_int, vp, sz, vp, sz,
                                         vp, vp, vp]
    lib.rs_item_store_set_int.argtypes = [vp, ctypes.c_int, ctypes.c_int64]
    lib.rs_errmsg.restype = ctypes.c_char_p
    lib.rs_blas_corename.restype = ctypes.c_char_p
    lib.rs_embedder_create_hashing.argtypes = [ctypes.POINTER(vp)]
    lib.rs_embedder_fit.argtypes = [vp, vp, sz]
    lib.rs_embedder_embed_batch.argtypes = [vp, vp, sz, vp, sz]
    lib.rs_embedder_dim.argtypes = [vp]
    lib.rs_embedder_dim.restype = sz
    lib.rs_embedder_free.argtypes = [vp]
    return lib


def check(lib, rc):
    if rc != 0:
        raise RuntimeError(lib.rs_errmsg().decode())


def clustered(n, d, seed, per_cluster=1000, noise=0.6, chunk=1 << 20):
    """n unit vectors around n / per_cluster Gaussian centres."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((max(1, n // per_cluster), d)).astype(np.float32)
    x = np.empty((n, d), dtype=np.float32)
    for lo in range(0, n, chunk):
        m = min(chunk, n - lo)
        part = centres[rng.integers(len(centres), size=m)]
        part += noise * rng.standard_normal((m, d)).astype(np.float32)
        part /= np.linalg.norm(part, axis=1, keepdims=True)
        x[lo:lo + m] = part
    return x


def retail_vectors(lib):
    here = os.path.dirname(os.path.abspath(__file__))
    for base in (os.path.join(here, "..", "..", "shared"), os.path.join(here, "..", "..", "..",
                                                                         "shared")):
        path = os.path.join(base, "eval", "retail_split", "items.tsv")
        if os.path.exists(path):
            break
    else:
        return None
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            texts.append((parts[1] if len(parts) > 1 else parts[0]).encode())
    emb = ctypes.c_void_p()
    check(lib, lib.rs_embedder_create_hashing(ctypes.byref(emb)))
    arr = (ctypes.c_char_p * len(texts))(*texts)
    check(lib, lib.rs_embedder_fit(emb, arr, len(texts)))
    d = lib.rs_embedder_dim(emb)
    x = np.zeros((len(texts), d), dtype=np.float32)
    check(lib, lib.rs_embedder_embed_batch(emb, arr, len(texts), x.ctypes.data, d))
    lib.rs_embedder_free(emb)
    keep = np.linalg.norm(x, axis=1) > 0
    return np.ascontiguousarray(x[keep])


# ------------------------------------------------------------------ recsim

def recsim_store(lib, x):
    store = ctypes.c_void_p()
    n, d = x.shape
    check(lib, lib.rs_item_store_create(d, ctypes.byref(store)))
    base, row, add = x.ctypes.data, d * 4, lib.rs_item_store_add
    for i in range(n):
        if add(store, b"%d" % i, base + i * row, d, None) != 0:
            raise RuntimeError(lib.rs_errmsg().decode())
    return store


def recsim_search(lib, store, q, k=K):
    index = np.empty((q.shape[0], k), dtype=np.uint32)
    score = np.empty((q.shape[0], k), dtype=np.float32)
    check(lib, lib.rs_item_store_search(store, q.ctypes.data, q.shape[0], q.shape[1], k, 0,
                                        None, 0, None, 0, index.ctypes.data,
                                        score.ctypes.data, None))
    return index


def recall(found, truth):
    hits = sum(len(set(a.tolist()) & set(b.tolist())) for a, b in zip(found, truth))
    return hits / truth.size


def progress(text):
    print("   %s (load %.2f)" % (text, os.getloadavg()[0]))
    sys.stdout.flush()


def timed(fn):
    times = []
    result = None
    for _ in range(RUNS):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2], result


def sweep(name, settings, run, truth, n_queries, results):
    """run(setting, threads) -> found indices; appends (name, setting,
    threads, recall, qps) and stops a thread count's sweep past STOP_RECALL.
    Prints the contender's best per target as soon as it is known, so that
    a run cut short still reports what it measured."""
    for threads in THREADS:
        for setting in settings:
            secs, found = timed(lambda: run(setting, threads))
            r = recall(found, truth)
            results.append((name, setting, threads, r, n_queries / secs))
            if r >= STOP_RECALL:
                break
    cells = []
    for t in TARGETS:
        ok = [x for x in results if x[0] == name and x[3] >= t]
        top = max(ok, key=lambda x: x[4]) if ok else None
        cells.append("%.2f: %s" % (t, "%.0f q/s (%s, t%d)" % (top[4], top[1], top[2])
                                   if top else "not reached"))
    progress("%s swept: %s" % (name, "; ".join(cells)))


def recsim_contender(lib, store, kind, nlist, q, truth, results, n):
    check(lib, lib.rs_item_store_set_int(store, OPT_INDEX, kind))
    check(lib, lib.rs_item_store_set_int(store, OPT_NLIST, nlist))
    check(lib, lib.rs_item_store_set_int(store, OPT_SEED, 1))
    lib.rs_set_num_threads(2)
    start = time.perf_counter()
    check(lib, lib.rs_item_store_build_index(store))
    build = time.perf_counter() - start
    name = "recsim IVF" if kind == INDEX_IVF else "recsim IVF-SQ8"
    progress("%s built in %.1f s" % (name, build))
    settings = NPROBES if kind == INDEX_IVF else [(p, r) for r in RERANKS for p in NPROBES]

    def run(setting, threads):
        nprobe, rerank = (setting, 4) if kind == INDEX_IVF else setting
        lib.rs_set_num_threads(threads)
        check(lib, lib.rs_item_store_set_int(store, OPT_NPROBE, nprobe))
        check(lib, lib.rs_item_store_set_int(store, OPT_RERANK, rerank))
        return recsim_search(lib, store, q)

    if kind == INDEX_IVF:
        sweep(name, settings, run, truth, len(q), results)
    else:
        for r in RERANKS:
            sweep(name, [(p, r) for p in NPROBES], run, truth, len(q), results)
    d = q.shape[1]
    extra = (4 * d if kind == INDEX_IVF else d) + 12 + 4.0 * nlist * d / n
    return name, build, extra, 4 * d if kind == INDEX_IVF_SQ8 else 0


# ------------------------------------------------------------------ faiss

def faiss_contenders(faiss, x, q, truth, nlist, results, with_hnsw):
    n, d = x.shape
    out = []
    kinds = [("faiss IVF-Flat", "ivf"), ("faiss IVF-SQ8", "sq8")]
    if with_hnsw:
        kinds.append(("faiss HNSW32", "hnsw"))
    for name, kind in kinds:
        faiss.omp_set_num_threads(2)
        start = time.perf_counter()
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(d, 32, faiss.METRIC_INNER_PRODUCT)
            index.add(x)
        else:
            quantizer = faiss.IndexFlatIP(d)
            if kind == "ivf":
                index = faiss.IndexIVFFlat(quantizer, d, nlist, faiss.METRIC_INNER_PRODUCT)
            else:
                index = faiss.IndexIVFScalarQuantizer(quantizer, d, nlist,
                                                      faiss.ScalarQuantizer.QT_8bit,
                                                      faiss.METRIC_INNER_PRODUCT)
            # The same training budget as recsim's (10 Lloyd iterations on
            # up to 64 points per list; faiss's defaults are 25 and 256):
            # the build times compare equal work, the recall shows its effect.
            index.cp.niter = 10
            index.cp.max_points_per_centroid = 64
            index.train(x)
            index.add(x)
        build = time.perf_counter() - start
        progress("%s built in %.1f s" % (name, build))

        def run(setting, threads, index=index, kind=kind):
            faiss.omp_set_num_threads(threads)
            if kind == "hnsw":
                index.hnsw.efSearch = setting
            else:
                index.nprobe = setting
            return index.search(q, K)[1]

        sweep(name, EF_SEARCH if kind == "hnsw" else NPROBES, run, truth, len(q), results)
        if kind == "hnsw":
            per = 4 * d + index.hnsw.neighbors.size() * 4 / n
        else:
            per = index.code_size + 8 + 4.0 * nlist * d / n
        out.append((name, build, per, 0))
        del index
        gc.collect()
    return out


# ------------------------------------------------------------------ report

def report(title, results, builds):
    print("\n== %s" % title)
    print("%-16s %10s %12s %14s" % ("index", "build s", "bytes/vec", "(+float store)"))
    for name, build, per, store in builds:
        print("%-16s %10.2f %12.1f %14s" % (name, build, per, "+%d" % store if store else ""))
    names = sorted({r[0] for r in results})
    print("%-16s %s" % ("QPS at recall@10", "  ".join("%22s" % ("%.2f" % t) for t in TARGETS)))
    best = {}
    for name in names:
        cells = []
        for t in TARGETS:
            ok = [r for r in results if r[0] == name and r[3] >= t]
            if not ok:
                cells.append("%22s" % "not reached")
                continue
            top = max(ok, key=lambda r: r[4])
            best[(name, t)] = top[4]
            cells.append("%22s" % ("%.0f (%s,t%d,r%.3f)" % (top[4], top[1], top[2], top[3])))
        print("%-16s %s" % (name, "  ".join(cells)))
    for t in TARGETS:
        ours = max([v for (n, tt), v in best.items() if tt == t and n.startswith("recsim")],
                   default=0)
        theirs = [(v, n) for (n, tt), v in best.items() if tt == t and n.startswith("faiss")]
        if ours and theirs:
            v, n = max(theirs)
            print("recall %.2f: recsim best / faiss best (%s) = %.2fx" % (t, n, ours / v))
    fb = [b for n, b, _, _ in builds if n.startswith("faiss IVF")]
    for name, build, _, _ in builds:
        if name.startswith("recsim") and fb:
            print("build %s / faiss IVF fastest = %.2fx the time" % (name, build / min(fb)))
    print("load average: %.2f %.2f %.2f" % os.getloadavg())
    sys.stdout.flush()


def run_dataset(lib, faiss, title, x, q, nlist, with_hnsw):
    n = len(x)
    print("\n-- %s: %d x %d, nlist %d, %d queries (load %.2f)" % (title, n, x.shape[1], nlist,
                                                              len(q), os.getloadavg()[0]))
    sys.stdout.flush()
    store = recsim_store(lib, x)
    progress("recsim store filled")
    lib.rs_set_num_threads(2)
    check(lib, lib.rs_item_store_set_int(store, OPT_INDEX, INDEX_EXACT))
    truth = recsim_search(lib, store, q)
    results, builds = [], []
    for kind in (INDEX_IVF, INDEX_IVF_SQ8):
        builds.append(recsim_contender(lib, store, kind, nlist, q, truth, results, n))
    lib.rs_item_store_free(store)
    gc.collect()
    builds += faiss_contenders(faiss, x, q, truth, nlist, results, with_hnsw)
    report(title, results, builds)


def main():
    import faiss
    lib = load_recsim(sys.argv[1])
    print("faiss %s; recsim OpenBLAS core %s" % (faiss.__version__,
                                                 lib.rs_blas_corename().decode()))
    sizes = [int(s) for s in os.environ.get("BENCH_ANN_SIZES", "1000000 10000000").split()]
    hnsw_max = int(os.environ.get("BENCH_ANN_HNSW_MAX", "1000000"))
    x = retail_vectors(lib)
    if x is not None:
        rng = np.random.default_rng(7)
        q = np.ascontiguousarray(x[rng.choice(len(x), size=min(N_QUERIES, len(x)),
                                              replace=False)])
        run_dataset(lib, faiss, "retail item vectors", x, q,
                    max(1, int(4 * np.sqrt(len(x)))), True)
    for n in sizes:
        d = 64
        x = clustered(n + N_QUERIES, d, seed=n)
        q, x = np.ascontiguousarray(x[:N_QUERIES]), x[N_QUERIES:]
        nlist = int(os.environ.get("BENCH_ANN_NLIST", "4096"))
        run_dataset(lib, faiss, "clustered %dM x %d" % (n // 1000000, d) if n >= 1000000
                    else "clustered %d x %d" % (n, d), x, q, min(nlist, n // 39), n <= hnsw_max)
        del x, q
        gc.collect()


if __name__ == "__main__":
    main()
