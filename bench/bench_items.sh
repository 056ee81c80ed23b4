#!/bin/sh
# bench_items.sh BINARY - the top-k kernel and its peers (faiss, numpy) on the
# same generated data in the same run.  bench_items measures the machine's
# bounds and the kernel alone and writes the data to a temporary directory;
# bench_items_peers.py then times recsim (through the shared library),
# faiss and numpy interleaved on that data, and prints the ratios.
set -eu
bin=$1
here=$(dirname "$0")
python=${PYTHON:-/usr/bin/python3}
library=${RECSIM_LIBRARY:-$here/../lib/librecsim.so.1}
# The OpenBLAS kernel every contender shares (build-aux/blas-coretype.c):
# set only when OpenBLAS fell back to generic code, or when
# RECSIM_ITEM_KERNEL=avx2 measures the AVX2 path on an AVX-512 CPU (faiss's
# sgemm then runs on AVX2 too, as it would on an AVX2-only CPU).
coretype=$(dirname "$bin")/../blas-coretype
if [ -z "${OPENBLAS_CORETYPE:-}" ] && [ -x "$coretype" ]; then
    setting=$("$coretype")
    if [ -n "$setting" ]; then
        export "${setting?}"
        echo "bench_items.sh: $setting (RECSIM_ITEM_KERNEL=${RECSIM_ITEM_KERNEL:-unset})"
    fi
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_items.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" "$tmp"
"$python" "$here/bench_items_peers.py" "$tmp" "$library"
