#!/bin/sh
# test_ulimit.sh RECSIM - every command under `ulimit -v` of several sizes
# either works or fails with an out-of-memory message and a non-zero exit;
# none hangs (issue 21 F6: OpenBLAS retried its 128 MiB buffer forever).
# `timeout` turns a hang into exit 124, which fails the check.
set -u
recsim=$1
data=examples/data/onlineretail_sample.tsv
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0
limit_s=${ULIMIT_TIMEOUT:-120}

"$recsim" -q import --preset retail "$work/built.rsm" "$data" >/dev/null &&
    "$recsim" -q build --no-tune "$work/built.rsm" >/dev/null ||
    { echo "ulimit: could not prepare the model"; exit 1; }

# run KB NAME ARGS... : one command under `ulimit -v KB`.
run() {
    kb=$1 name=$2
    shift 2
    (ulimit -v "$kb" && exec timeout -k 5 "$limit_s" "$recsim" -q "$@") \
        >"$work/out" 2>"$work/err"
    got=$?
    [ -z "${ULIMIT_VERBOSE:-}" ] || echo "$kb $name: exit $got $(cat "$work/err")"
    if [ "$got" -eq 0 ]; then
        passed=$((passed + 1))
    elif [ "$got" -eq 124 ] || [ "$got" -eq 137 ]; then
        failed=$((failed + 1))
        echo "FAIL: $name under ulimit -v $kb hangs"
    elif grep -qi -e 'out of memory' -e 'cannot allocate' -e 'failed to map' \
        "$work/err"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name under ulimit -v $kb: exit $got without an out-of-memory message"
        echo "  stderr: $(head -c 300 "$work/err")"
    fi
}

for kb in 60000 120000 180000 250000 400000; do
    cp "$work/built.rsm" "$work/m.rsm"
    run "$kb" version version
    run "$kb" stats stats "$work/m.rsm"
    run "$kb" search search "$work/m.rsm" "metal lantern"
    run "$kb" options options "$work/m.rsm"
    run "$kb" recommend recommend "$work/m.rsm" 13705
    run "$kb" similar similar "$work/m.rsm" 71053
    run "$kb" import import --append --preset retail "$work/m.rsm" "$data"
    run "$kb" build build --no-tune "$work/m.rsm"
    run "$kb" eval eval --cut 2011-09-01 "$work/built.rsm"
    run "$kb" simulate simulate --users 20 --steps 3 "$work/built.rsm"
    rm -f "$work/m.rsm"*
done

echo "ulimit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
