#!/bin/sh
# abi-selftest.sh - prove that `make abi-check` catches a broken ABI: in a
# scratch copy of the tree, change the signature of rs_set_num_threads
# (int -> long), remove rs_clear_error, change rs_reader_open's format parameter
# (a function abidiff does not tie to the headers), change a status value, shrink a count; each must make abi-check fail, while
# the untouched copy passes.
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
    "$scratch/tree/include/recsim/base.h"
sed -i -e 's/^int rs_set_num_threads(int n)/int rs_set_num_threads(long n)/' \
    -e 's/thread count %d is/thread count %ld is/' \
    -e 's/atomic_store(&configured_threads, n);/atomic_store(\&configured_threads, (int)n);/' \
    -e 's/default_threads() : n);/default_threads() : (int)n);/' \
    "$scratch/tree/src/core/parallel.c"
if run; then echo "abi-selftest: a changed signature passed abi-check"; exit 1; fi
grep -q "abi-check: FAILED" "$scratch/log" && grep -q "rs_set_num_threads" "$scratch/log" ||
    { cat "$scratch/log"; echo "abi-selftest: the signature change was not caught by abidiff"; exit 1; }

copy
sed -i '/^    rs_clear_error;$/d' "$scratch/tree/src/librecsim.map"
if run; then echo "abi-selftest: a removed symbol passed abi-check"; exit 1; fi
grep -q "abi-check: FAILED" "$scratch/log" ||
    { cat "$scratch/log"; echo "abi-selftest: the removal was not caught by abidiff"; exit 1; }

# A function abidiff does not tie to the headers (rs_reader_open) and an
# enumerator value: caught by the API surface check.
copy
sed -i 's/^RS_API int rs_reader_open(const char \*path, int format,/RS_API int rs_reader_open(const char *path, long format,/' \
    "$scratch/tree/include/recsim/io.h"
sed -i 's/^int rs_reader_open(const char \*path, int format,/int rs_reader_open(const char *path, long format,/' \
    "$scratch/tree/src/io/reader.c"
if run; then echo "abi-selftest: a changed rs_reader_open passed abi-check"; exit 1; fi
# It must be the API check that refused it, not a broken build.
grep -q "check-api: FAILED" "$scratch/log" && grep -q "rs_reader_open" "$scratch/log" ||
    { cat "$scratch/log"; echo "abi-selftest: rs_reader_open not caught by check-api"; exit 1; }
copy
sed -i 's/RS_ERR_CORRUPT = -9,/RS_ERR_CORRUPT = -99,/' "$scratch/tree/include/recsim/base.h"
if run; then echo "abi-selftest: a changed status value passed abi-check"; exit 1; fi
grep -q "enum RS_ERR_CORRUPT = -9" "$scratch/log" ||
    { cat "$scratch/log"; echo "abi-selftest: status value not caught by check-api"; exit 1; }

# A count of an append-only enumeration may grow but not shrink.
copy
# (raising the baseline's value is the same test as shrinking the header's,
# and keeps the tree compiling)
sed -i 's/^define RS_EVAL_FIELD_COUNT [0-9]*$/define RS_EVAL_FIELD_COUNT 99/' "$scratch/tree/abi/recsim-api.txt"
if run; then echo "abi-selftest: a shrunken count passed abi-check"; exit 1; fi
grep -q "define RS_EVAL_FIELD_COUNT" "$scratch/log" ||
    { cat "$scratch/log"; echo "abi-selftest: shrunken count not caught by check-api"; exit 1; }

echo "abi-selftest: unchanged passes; a changed signature, a removed symbol, a changed"
echo "  declaration abidiff cannot see, a changed status value and a shrunken count all fail"
