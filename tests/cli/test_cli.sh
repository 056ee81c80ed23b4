#!/bin/sh
# test_cli.sh RECSIM - run the recsim binary and check its output and exit
# codes.  Prints "N passed, N failed" and fails if any check failed.
set -u
recsim=$1
passed=0 failed=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect NAME STATUS PATTERN-IN-STDOUT PATTERN-IN-STDERR -- ARGS...
expect() {
    name=$1 want=$2 pat_out=$3 pat_err=$4
    shift 5
    "$recsim" "$@" >"$out" 2>"$err"
    got=$?
    ok=1
    [ "$got" -eq "$want" ] || ok=0
    [ -z "$pat_out" ] || grep -q -- "$pat_out" "$out" || ok=0
    [ -z "$pat_err" ] || grep -q -- "$pat_err" "$err" || ok=0
    if [ $ok -eq 1 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $name: exit $got (want $want)"
        echo "  stdout: $(head -c 300 "$out")"
        echo "  stderr: $(head -c 300 "$err")"
    fi
}

expect "no command is a usage error" 2 "" "usage: recsim" -- 
expect "--help" 0 "Commands:" "" -- --help
expect "unknown command" 2 "" "unknown command 'frobnicate'" -- frobnicate
expect "unknown option" 2 "" "unknown option '--bogus'" -- --bogus version
expect "version" 0 "librecsim 1\." "" -- version
expect "version --json" 0 '"blas_core": "' "" -- version --json
expect "--version" 0 "OpenBLAS kernel" "" -- --version
expect "version --help" 0 "usage: recsim version" "" -- version --help
expect "help version" 0 "usage: recsim version" "" -- help version
expect "version extra argument" 2 "" "unknown argument 'x'" -- version x
expect "-j 1" 0 "threads: 1" "" -- -j 1 version
expect "-j 0 refused" 2 "" "not a thread count" -- -j 0 version
expect "-j without a number" 2 "" "needs a number" -- -j
expect "-j garbage" 2 "" "not a thread count" -- -j two version

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
