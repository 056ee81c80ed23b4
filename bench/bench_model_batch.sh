#!/bin/sh
# bench_model_batch.sh BIN - batch recommendation for every customer of the
# Online Retail model: rs_model_recommend_batch from C (BIN), the same call
# through the Python package, and a 2-worker Dask run (issue 15, item 6);
# then a simulation of every customer (scorer and popular, 20 steps) in one
# process and with its users sharded over 2 Dask workers.
# Uses the full log (RECSIM_ONLINERETAIL or ../shared) when present, else
# the demo sample.  The model is built once into build/bench/.
set -eu
bin=$1
python=${PYTHON:-/usr/bin/python3}
cli=${RECSIM_CLI:-bin/recsim}
dir=$(dirname "$bin")
data=examples/data/onlineretail_sample.tsv
for candidate in "${RECSIM_ONLINERETAIL:-}" ../shared/data/onlineretail/onlineretail.tsv.gz \
    ../../shared/data/onlineretail/onlineretail.tsv.gz; do
    if [ -n "$candidate" ] && [ -f "$candidate" ]; then
        gzip -dc "$candidate" > "$dir/retail.tsv"
        data=$dir/retail.tsv
        break
    fi
done
model=$dir/retail_batch.rsm
if [ ! -f "$model" ] || [ "$data" -nt "$model" ]; then
    rm -f "$model"
    "$cli" import --preset retail "$model" "$data" > /dev/null 2>&1
    "$cli" build "$model" > /dev/null 2>&1
fi
# every customer of the log, once
awk -F'\t' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "CustomerID") c = i; next }
            $c != "" && $c != "NA" && !seen[$c]++ { print $c }' "$data" > "$dir/batch_users.txt"
echo "-- $(wc -l < "$dir/batch_users.txt") customers of $data"
ours=$("$bin" "$model" "$dir/batch_users.txt" ${RUNS:-3} 10); echo "$ours"
ours1=$("$bin" "$model" "$dir/batch_users.txt" ${RUNS:-3} 10 1); echo "$ours1"
py=$(RECSIM_LIBRARY=${RECSIM_LIBRARY:-$(pwd)/lib/librecsim.so.1} PYTHONPATH=bindings/python \
     "$python" bench/python_batch.py "$model" "$dir/batch_users.txt" ${RUNS:-3} 10 2>/dev/null)
echo "$py"
# the ratios: at 1 library thread (little disturbed by the machine load), then at the default
py1=$(echo "$py" | grep " 1 threads")
echo "$ours1" "$py1" | awk '{ for (i = 1; i <= NF; i++) {
        if ($i == "median") t[++n] = $(i + 1); if ($i == "min") f[++l] = $(i + 1) } }
    END { printf "Python / C, 1 library thread: median %.3fx, fastest run %.3fx\n",
                 t[2] / t[1], f[2] / f[1] }'
echo "$ours" "$(echo "$py" | grep "Model.recommend" | grep -v " 1 threads")" | awk '{ for (i = 1; i <= NF; i++) {
        if ($i == "median") t[++n] = $(i + 1); if ($i == "min") f[++l] = $(i + 1)
        if ($i == "cpu") c[++m] = $(i + 1) } }
    END { printf "Python / C, default threads: median %.3fx, fastest run %.3fx, cpu %.3fx (wall swings with the machine load)\n",
                 t[2] / t[1], f[2] / f[1], c[2] / c[1] }'
# the simulation, one process against 2 Dask workers (users sharded, clicks
# exchanged every step), alternated run by run
RECSIM_LIBRARY=${RECSIM_LIBRARY:-$(pwd)/lib/librecsim.so.1} PYTHONPATH=bindings/python \
    "$python" bench/python_sim_dask.py "$model" ${RUNS:-3} 0 20 2>/dev/null || \
    echo "(no Dask simulation: python3-distributed missing?)"
