#!/bin/sh
# make_seed_model.sh RECSIM OUT - the tiny built model the fuzzers start from
# (tests/fuzz/corpus/fuzz_model/seed.rsm): the three TSV files of tests/data imported and
# built with small vectors, then vacuumed into 512-byte pages so that a
# mutated copy stays small.  Rerun when the file format changes.
set -eu
recsim=$1 out=$2
rm -f "$out" "$out-wal" "$out-shm"
"$recsim" import --kind items --property description "$out" tests/data/model_v10_items.tsv
"$recsim" import --kind users --attribute country "$out" tests/data/model_v10_users.tsv
"$recsim" import --relation bought "$out" tests/data/model_v10_events.tsv
"$recsim" build --dim 8 "$out"
sqlite3 "$out" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;"
