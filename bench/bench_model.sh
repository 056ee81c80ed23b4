#!/bin/sh
# bench_model.sh BINARY - rs_model on the Online Retail log: import and build
# it with bin/recsim (the full log when ../shared or /work/shared holds it,
# else the sample in examples/data), then time the whole process
# `recsim recommend MODEL USER` (median of RUNS, default 9; the issue's bound is 0.15 s on
# the full log) and run BINARY for the in-process open and the batch ratio.
set -eu
bin=$1
recsim=${RECSIM:-bin/recsim}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_model.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
data=examples/data/onlineretail_sample.tsv user=13705
for gz in ../shared/data/onlineretail/onlineretail.tsv.gz /work/shared/data/onlineretail/onlineretail.tsv.gz; do
    if [ -f "$gz" ]; then
        gunzip -c "$gz" > "$tmp/retail.tsv"
        data=$tmp/retail.tsv user=12347
        break
    fi
done
"$recsim" -q import --preset retail "$tmp/m.rsm" "$data" > /dev/null
"$recsim" -q build "$tmp/m.rsm" > /dev/null
runs=${RUNS:-9}
"$recsim" recommend "$tmp/m.rsm" "$user" > /dev/null # the file into the page cache
times=""
run=0
while [ "$run" -lt "$runs" ]; do
    t0=$(date +%s.%N)
    "$recsim" recommend "$tmp/m.rsm" "$user" > /dev/null
    t1=$(date +%s.%N)
    times="$times $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
    run=$((run + 1))
done
echo "bench_model: $data, user $user; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "recsim recommend, whole process: $(echo $times | tr ' ' '\n' | sort -n |
    sed -n "$(( (runs + 1) / 2 ))p") s (median of $runs, bound 0.15 s on a quiet machine:$times)"
"$bin" "$tmp/m.rsm" "$user"
