#!/bin/sh
# bench_text_quality.sh BIN - neighbour overlap of the hashing embedder with
# exact TF-IDF on the distinct Online Retail descriptions (issue 5, item 7).
set -eu
bin=$1
. bench/text_data.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! text_descriptions "$tmp/descriptions.txt"; then
    echo "bench_text_quality: Online Retail data not found (set RECSIM_ONLINERETAIL); skipped"
    exit 0
fi
"$bin" "$tmp/descriptions.txt" 1000
