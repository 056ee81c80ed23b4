#!/bin/sh
# bench_ann.sh BINARY - recsim's approximate index against faiss (IVF-Flat,
# IVF-SQ8, HNSW) in the same run: bench_ann prints the machine, then
# bench_ann_peers.py builds and sweeps every index on the same data.
# BENCH_ANN_SIZES (default "1000000 10000000") chooses the synthetic sizes;
# BENCH_ANN_HNSW_MAX (default 1000000) the largest size HNSW is built for
# (its build at 10M takes many minutes on two cores).
set -eu
bin=$1
here=$(dirname "$0")
python=${PYTHON:-/usr/bin/python3}
library=${RECSIM_LIBRARY:-$here/../lib/librecsim.so.1}
"$bin"
"$python" "$here/bench_ann_peers.py" "$library"
