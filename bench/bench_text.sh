#!/bin/sh
# bench_text.sh BIN - texts/s per core of librecsim's hashing embedder and of
# scikit-learn (HashingVectorizer + TfidfTransformer, same features) on the
# same texts in the same run: the distinct Online Retail descriptions and
# 1,000,000 synthetic short texts (issue 5, item 8).
set -eu
bin=$1
python=${PYTHON:-/usr/bin/python3}
. bench/text_data.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
ratio() { # ratio LIBRECSIM_LINE SKLEARN_LINE
    echo "$1" "$2" | awk '{ for (i = 1; i <= NF; i++) if ($i == "texts/s/core") r[++n] = $(i - 1)
                           } END { printf "speed-up: %.1fx\n", r[1] / r[2] }'
}
if text_descriptions "$tmp/descriptions.txt"; then
    echo "-- distinct Online Retail descriptions"
    ours=$("$bin" "$tmp/descriptions.txt" 5); echo "$ours"
    theirs=$("$python" bench/bench_text.py "$tmp/descriptions.txt" 5); echo "$theirs"
    ratio "$ours" "$theirs"
else
    echo "(Online Retail data not found: set RECSIM_ONLINERETAIL)"
fi
echo "-- 1,000,000 synthetic short texts"
"$bin" --synthetic 1000000 "$tmp/synthetic.txt"
ours=$("$bin" "$tmp/synthetic.txt" 3); echo "$ours"
theirs=$("$python" bench/bench_text.py "$tmp/synthetic.txt" 1); echo "$theirs"
ratio "$ours" "$theirs"
