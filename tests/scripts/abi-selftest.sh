#!/bin/sh
# abi-selftest.sh - prove that `make abi-check` catches a broken ABI: in a
# scratch copy of the tree, change the signature of rs_set_num_threads
# (int -> long), and remove rs_clear_error; each must make abi-check fail,
# while the untouched copy passes.
set -eu
top=$(pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
copy() {
    rm -rf "$scratch/tree"; mkdir -p "$scratch/tree"
    (cd "$top" && tar --exclude=./build --exclude=./lib --exclude=./bin --exclude=./.git -cf - .) |
        (cd "$scratch/tree" && tar -xf -)
}
run() { (cd "$scratch/tree" && make -s abi-check >"$scratch/log" 2>&1); }

copy
run || { cat "$scratch/log"; echo "abi-selftest: the unchanged tree fails abi-check"; exit 1; }

copy
sed -i 's/RS_API int rs_set_num_threads(int n);/RS_API int rs_set_num_threads(long n);/' \
    "$scratch/tree/include/recsim.h"
sed -i -e 's/^int rs_set_num_threads(int n)/int rs_set_num_threads(long n)/' \
    -e 's/thread count %d is/thread count %ld is/' \
    -e 's/atomic_store(&configured_threads, n);/atomic_store(\&configured_threads, (int)n);/' \
    -e 's/default_threads() : n);/default_threads() : (int)n);/' \
    "$scratch/tree/src/core/parallel.c"
if run; then echo "abi-selftest: a changed signature passed abi-check"; exit 1; fi
grep -q "rs_set_num_threads" "$scratch/log" || { cat "$scratch/log"; exit 1; }

copy
sed -i '/^    rs_clear_error;$/d' "$scratch/tree/src/librecsim.map"
if run; then echo "abi-selftest: a removed symbol passed abi-check"; exit 1; fi

echo "abi-selftest: unchanged passes; changed signature and removed symbol both fail"
