#!/bin/sh
# bench_model.sh BINARY - rs_model on the Online Retail log: import and build
# it with bin/recsim (the full log when ../shared or /work/shared holds it,
# else the sample in examples/data), then time the whole process
# `recsim recommend MODEL USER` with BINARY (fork + exec, median of 9; the
# issue's bound is 0.15 s on the full log), the in-process open and the
# batch ratio, with the load average.
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
echo "bench_model: $data, user $user"
"$bin" "$tmp/m.rsm" "$user" "$recsim"
