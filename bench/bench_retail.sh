#!/bin/sh
# bench_retail.sh BINARY - the retail protocol's model as a user builds it
# (bench/retail_model: import the train part, build), timed with the
# build's validation-based selection and without it (build.tune=0), then
# BINARY times scoring every warm test customer with the chosen
# configuration, stage by stage.  Needs the protocol's split
# (../shared/eval/retail_split); skipped without it.
set -eu
bin=$1
dir=$(dirname "$bin")
split=""
for d in ${RETAIL_SPLIT:-} ../shared/eval/retail_split ../../shared/eval/retail_split \
         /work/shared/eval/retail_split; do
    if [ -n "$d" ] && [ -f "$d/test.tsv" ]; then split=$d; break; fi
done
if [ -z "$split" ]; then
    echo "bench_retail: skipped (no retail split; set RETAIL_SPLIT)"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_retail.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
gzip -dc "$split/train_events.tsv.gz" > "$tmp/train.tsv"
mkdir -p "$tmp/plain" "$tmp/tuned"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$dir/retail_model" "$split" "$tmp/train.tsv" "$tmp/plain" build.tune=0 |
    sed -n 's/.*build \([0-9.]*\) s.*/build without the selection: \1 s/p'
"$dir/retail_model" "$split" "$tmp/train.tsv" "$tmp/tuned" |
    sed -n 's/.*build \([0-9.]*\) s.*/build with the selection:    \1 s/p'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" "$tmp/tuned/model.rsm" "$split/test.tsv"
