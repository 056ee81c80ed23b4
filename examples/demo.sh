#!/bin/sh
# demo.sh RECSIM WORKDIR - the end-to-end job on the raw Online Retail sample:
# clean and import it, show what the model holds, search it, and evaluate on
# a temporal split.  Run by `make demo`.
set -eu
recsim=$1 work=$2
data=examples/data/onlineretail_sample.tsv
model=$work/shop.rsm
mkdir -p "$work"
rm -f "$model" "$model-wal" "$model-shm" "$work/rejects.txt"

# Bold headings on a terminal, plain text in a log.
if [ -t 1 ]; then bold=$(printf '\033[1m') plain=$(printf '\033[0m'); else bold='' plain=''; fi
step() { printf '\n%s== %s%s\n' "$bold" "$1" "$plain"; }

step "1. Clean and import the raw export ($data)"
"$recsim" import --preset retail --reject "$work/rejects.txt" "$model" "$data"
echo "first rejected rows (all $(wc -l < "$work/rejects.txt") are in $work/rejects.txt):"
head -n 3 "$work/rejects.txt" | sed 's/^/  /'

step "2. What the model holds"
"$recsim" stats "$model"

step "3. Full-text search over the catalogue: \"metal lantern\""
"$recsim" search -k 5 "$model" "metal lantern"

step "4. Evaluate on a temporal split (train before 2011-09-01, new items after)"
"$recsim" eval --relation bought --cut 2011-09-01 "$model"

printf '\nThe model is %s; try: %s search %s "heart"\n' "$model" "$recsim" "$model"
