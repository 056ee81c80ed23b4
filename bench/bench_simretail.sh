#!/bin/sh
# bench_simretail.sh BINARY - the simulator's speed on the full retail
# catalogue (bench_simretail.c).  The model: $RS_BENCH_SIM_MODEL when set (a
# model built from the whole Online Retail log, to save the build), else
# the log of ../shared or /work/shared imported and built with bin/recsim
# into build/bench/simretail.rsm once (kept for the next run).  Skipped
# without the log.
set -eu
bin=$1
recsim=${RECSIM:-bin/recsim}
model=${RS_BENCH_SIM_MODEL:-build/bench/simretail.rsm}
if [ ! -f "$model" ]; then
    data=
    for gz in ../shared/data/onlineretail/onlineretail.tsv.gz \
              /work/shared/data/onlineretail/onlineretail.tsv.gz; do
        [ -f "$gz" ] && data=$gz && break
    done
    if [ -z "$data" ]; then
        echo "bench_simretail: no Online Retail log (../shared/data); skipped"
        exit 0
    fi
    "$recsim" -q import --preset retail "$model.tmp" "$data" > /dev/null
    "$recsim" -q build "$model.tmp" > /dev/null
    mv "$model.tmp" "$model"
fi
"$bin" "$model" ${RS_BENCH_SIM_STEPS:-10}
