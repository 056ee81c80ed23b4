#!/bin/sh
# bench_serve.sh BIN - `recsim serve` on loopback against the C API in the
# same run (issue 18, item 4): BIN (bench_serve.c) measures rs_model_recommend
# on 1 and 2 threads, then HTTP GET /recommend at 1, 8 and 64 keep-alive
# clients against a server with 2 request threads.  Uses the full Online
# Retail log (RECSIM_ONLINERETAIL or ../shared) when present, else the demo
# sample; the model is imported and built once into build/bench/.
# SERVE_SECONDS: seconds a run (default 5).
set -eu
bin=$1
cli=${RECSIM_CLI:-bin/recsim}
dir=$(dirname "$bin")
source=examples/data/onlineretail_sample.tsv
for candidate in "${RECSIM_ONLINERETAIL:-}" ../shared/data/onlineretail/onlineretail.tsv.gz \
    ../../shared/data/onlineretail/onlineretail.tsv.gz; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
        source=$candidate
        break
    fi
done
model=$dir/retail_serve.rsm
if [ ! -f "$model" ] || [ "$source" -nt "$model" ] || [ "$cli" -nt "$model" ]; then
    rm -f "$model" "$model"-*
    gzip -dcf "$source" > "$dir/serve_data.tsv"
    "$cli" -q import --preset retail "$model" "$dir/serve_data.tsv" > /dev/null
    "$cli" -q build "$model" > /dev/null
fi
# the model's customers, once each (numeric keys: no escaping in the URL)
"$cli" recommend --all -k 1 "$model" | sed 's/^{"user":"\([^"]*\)".*/\1/' > "$dir/serve_users.txt"
echo "-- $(wc -l < "$dir/serve_users.txt") customers of $source; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
"$cli" -q serve --port 0 --threads 2 "$model" > "$dir/serve.out" &
pid=$!
trap 'kill -TERM $pid 2> /dev/null || true' EXIT
tries=0
until grep -q listening "$dir/serve.out" 2> /dev/null; do
    tries=$((tries + 1))
    [ $tries -lt 600 ] || { echo "bench_serve: the server did not start"; exit 1; }
    sleep 0.2
done
port=$(sed -n 's|.*:\([0-9]*\)/$|\1|p' "$dir/serve.out")
"$bin" "$model" "$dir/serve_users.txt" "$port" "$pid" "${SERVE_SECONDS:-5}"
kill -TERM $pid
wait $pid
trap - EXIT
echo "-- server stopped cleanly (exit 0)"
