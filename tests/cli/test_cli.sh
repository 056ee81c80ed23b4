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

# import, stats and search on the demo data
data=examples/data/onlineretail_sample.tsv
model=$(mktemp -u).rsm
bad=$(mktemp).csv
trap 'rm -f "$out" "$err" "$model"* "$bad" "$model.rej"' EXIT
expect "import needs arguments" 2 "" "needs MODEL and FILE" -- import
expect "import unknown preset" 2 "" "unknown preset" -- import --preset nope "$model" "$data"
expect "import missing file" 1 "" "no-such-file" -- import "$model" no-such-file.tsv
expect "import retail" 0 "5983 rows read, 5458 kept" "" -- import --preset retail --reject "$model.rej" "$model" "$data"
[ "$(wc -l < "$model.rej")" -eq 525 ] && passed=$((passed + 1)) ||
    { failed=$((failed + 1)); echo "FAIL: reject file has $(wc -l < "$model.rej") lines, want 525"; }
expect "import --json" 0 '"cancellation": 180' "" -- -q import --json --preset retail "$model" "$data"
expect "stats" 0 "user  *240" "" -- stats "$model"
expect "stats --json" 0 '"item": 1681' "" -- stats --json "$model"
expect "stats on a missing model" 1 "" "cannot open model" -- stats /nonexistent/model.rsm
printf 'user,item\n"u1,i1\n' > "$bad"
expect "malformed CSV names file:line" 1 "" "$bad:2" -- import "$model" "$bad"
expect "model unchanged after a failed import" 0 "user  *240" "" -- stats "$model"
printf 'this is not a model file, just text\n' > "$bad"
expect "corrupt model" 1 "" "cannot open model" -- stats "$bad"
expect "search text" 0 "WHITE METAL LANTERN" "" -- search "$model" "metal lantern"
expect "search key" 0 "71053" "" -- search --key --type item "$model" 71053
expect "search prefix --json" 0 '"key": "7105' "" -- search --json --prefix --type item "$model" 7105
expect "search -k bad" 2 "" "-k wants" -- search -k 0 "$model" x
expect "search --key without --type" 2 "" "need --type" -- search --key "$model" x
expect "search no match" 0 "no match" "" -- search "$model" zzzqqq

# eval on the imported demo model
recs=$(mktemp)
expect "eval temporal" 0 "most-popular  *185" "" -- eval --relation bought --cut 2011-09-01 "$model"
expect "eval --json" 0 '"name": "recent-popular' "" -- eval --json --cut 2011-09-01 "$model"
expect "eval cold" 0 "cold-start users" "" -- eval --cold --cut 2011-09-01 "$model"
expect "eval random split" 0 "most-popular" "" -- eval --random 0.2 --seed 1 "$model"
expect "eval write recs" 0 "" "" -- -q eval --cut 2011-09-01 --write-recs "$recs" "$model"
awk -F'\t' 'NF != 3 || $3 < 1 || $3 > 10 { bad = 1 } END { exit bad || NR == 0 }' "$recs" &&
    passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: --write-recs format"; }
rm -f "$recs"
expect "eval two splits" 2 "" "choose one of" -- eval --cut 2011-09-01 --last 2 "$model"
expect "eval bad fraction" 2 "" "fraction between" -- eval --random 1.5 "$model"
expect "eval bad cut" 1 "" "splitting" -- eval --cut yesterday "$model"
expect "eval -k 0" 2 "" "-k wants" -- eval -k 0 "$model"

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
