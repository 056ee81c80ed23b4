#!/bin/sh
# run.sh BENCHDIR - run every benchmark.  A benchmark is bench/bench_NAME.c
# (built into BENCHDIR/bench_NAME); when bench/bench_NAME.sh exists it drives
# the run instead (to time the peers in the same run), given the binary path.
#
# Every contender gets the same OpenBLAS kernel: where Debian's OpenBLAS 0.3.21
# does not recognise the CPU and would fall back to its slow generic kernel,
# `make bench` sets OPENBLAS_CORETYPE to one the CPU supports
# (build-aux/blas-coretype.c); otherwise OpenBLAS's own choice stands.
set -u
dir=$1
status=0
for bin in "$dir"/bench_*; do
    [ -x "$bin" ] || continue
    name=${bin##*/}
    echo "==== $name (OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset, OpenBLAS chose})"
    if [ -f "bench/$name.sh" ]; then
        sh "bench/$name.sh" "$bin" || status=1
    else
        "$bin" || status=1
    fi
done
exit $status
