#!/bin/sh
# bench_learn.sh BINARY - seconds per implicit-ALS iteration (f = 64, 3 CG
# steps) of librecsim and of the numpy peer (bench_learn_peer.py, the same
# algorithm) on the same data in the same run, with the same thread count:
# the retail train set (when ../shared is there) and a synthetic power-law
# log of 200,000 users x 50,000 items at 1.25 M, 2.5 M and 5 M events (the
# growth), numpy timed at 5 M only (one iteration takes minutes).
set -eu
bin=$1
here=$(dirname "$0")
python=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_learn.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
threads=$("$python" -c 'import os; print(os.cpu_count())')
export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-$threads}"
echo "bench_learn: OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} threads=$OPENBLAS_NUM_THREADS (both)"
"$bin" gen "$tmp"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fx", b / a }'; }
if [ -f "$tmp/retail.bin" ]; then
    set -- $("$bin" time "$tmp/retail.bin" 0 5)
    ours=$1 pairs=$2 ours_cpu=$3
    set -- $("$python" "$here/bench_learn_peer.py" "$tmp/retail.bin" 0 1)
    echo "retail train ($pairs pairs): recsim $ours s/it (CPU $ours_cpu s), numpy $1 s/it (CPU $3 s);" \
         "recsim faster by $(ratio "$ours" "$1") wall, $(ratio "$ours_cpu" "$3") CPU"
fi
for n in 1250000 2500000 5000000; do
    set -- $("$bin" time "$tmp/synth.bin" $n 1)
    echo "synthetic $n events ($2 pairs): recsim $1 s/it (CPU $3 s;" \
         "$(awk -v s="$3" -v n="$2" 'BEGIN { printf "%.0f", s / n * 1e9 }') CPU ns per pair)"
    ours=$1 ours_cpu=$3
done
set -- $("$python" "$here/bench_learn_peer.py" "$tmp/synth.bin" 5000000 1)
echo "synthetic 5000000 events ($2 pairs): numpy $1 s/it (CPU $3 s);" \
     "recsim faster by $(ratio "$ours" "$1") wall, $(ratio "$ours_cpu" "$3") CPU"
