#!/usr/bin/python3
"""bench_learn_peer.py FILE NNZ ITERS - the numpy peer of bench_learn: the same
implicit-ALS algorithm (confidence 1 + alpha * count, users then items, each
row solved by 3 warm-started conjugate-gradient steps, Gram matrix Y^T Y by
BLAS), written straightforwardly with numpy (a Python loop over rows, numpy
vector operations inside).  Prints seconds per iteration (median of 3 fits of
ITERS iterations), the number of distinct pairs and CPU seconds per
iteration (all threads)."""
import sys
import time

import numpy as np

F, CG_STEPS, ALPHA, LAMBDA = 64, 3, 1.0, 30.0


def load(path, limit):
    with open(path, "rb") as f:
        nu, ni, nnz = np.frombuffer(f.read(24), dtype=np.uint64)
        u = np.frombuffer(f.read(4 * int(nnz)), dtype=np.uint32)
        i = np.frombuffer(f.read(4 * int(nnz)), dtype=np.uint32)
    if limit and limit < nnz:
        u, i = u[:limit], i[:limit]
    return int(nu), int(ni), u, i


def csr(rows, cols, n_rows, n_cols):
    keys = rows.astype(np.int64) * n_cols + cols
    uniq, counts = np.unique(keys, return_counts=True)
    r, c = uniq // n_cols, uniq % n_cols
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    np.add.at(indptr, r + 1, 1)
    return np.cumsum(indptr), c.astype(np.int64), counts.astype(np.float32)


def half(solve, other, indptr, index, weight):
    gram = other.T @ other + LAMBDA * np.eye(F, dtype=np.float32)
    for row in range(solve.shape[0]):
        b, e = indptr[row], indptr[row + 1]
        y = other[index[b:e]]
        c1 = ALPHA * weight[b:e]
        x = solve[row]
        r = -(gram @ x) + ((1.0 + c1) - c1 * (y @ x)) @ y
        p = r.copy()
        rr = r @ r
        for _ in range(CG_STEPS):
            if rr <= 0:
                break
            ap = gram @ p + (c1 * (y @ p)) @ y
            step = rr / (p @ ap)
            x += step * p
            r -= step * ap
            rr_new = r @ r
            p = r + (rr_new / rr) * p
            rr = rr_new
        solve[row] = x


def main():
    path, limit, iters = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    nu, ni, u, i = load(path, limit)
    uptr, uidx, uw = csr(u, i, nu, ni)
    iptr, iidx, iw = csr(i, u, ni, nu)
    times, cpus = [], []
    for rep in range(3):
        rng = np.random.default_rng(42)
        x = (rng.standard_normal((nu, F)) * 0.01).astype(np.float32)
        y = (rng.standard_normal((ni, F)) * 0.01).astype(np.float32)
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(iters):
            half(x, y, uptr, uidx, uw)
            half(y, x, iptr, iidx, iw)
        times.append((time.perf_counter() - t0) / iters)
        cpus.append((time.process_time() - c0) / iters)
        if times[-1] * iters > 60:  # one slow fit is enough
            break
    times.sort()
    cpus.sort()
    print("%.4f %d %.4f" % (times[len(times) // 2], len(uidx), cpus[len(cpus) // 2]))


if __name__ == "__main__":
    main()
