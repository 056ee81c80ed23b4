#!/bin/sh
# golden.sh RECSIM WORKDIR - the answers of the demo pipeline on
# examples/data, printed in one stream that tests/data/golden_demo.txt pins
# byte for byte (test_golden.sh, in `make cli-check`): the import's counts,
# the build's selection, recommend (lists, scores to the float, explanations),
# similar, and eval's metrics (every digit; the seconds left out), for three
# builds: the default (selection on validation), EASE and ALS.  One thread:
# the lists do not depend on it, but the figures stay comparable run to run.
#
# Not here: simulate (its random draws are being changed on purpose) and
# anything timed.  A change that is meant to move a list or a score
# regenerates the file and says so in its commit message:
#     make golden-update        (or: sh tests/cli/golden.sh bin/recsim DIR
#                                      > tests/data/golden_demo.txt)
set -eu
recsim=$1 work=$2
data=examples/data/onlineretail_sample.tsv
rs() { "$recsim" -q -j 1 "$@"; }
mkdir -p "$work"

for cf in default ease als; do
    model=$work/golden_$cf.rsm
    rm -f "$model" "$model"-*
    echo "== import ($cf)"
    rs import --preset retail "$model" "$data" | sed 's/ in [0-9.]* s.*//'
    echo "== build ($cf)"
    case $cf in
    default) rs build "$model" | sed -n 's/^ *\(chosen\|collaborative\|item vectors\) */\1: /p' ;;
    *) rs build --no-tune --cf "$cf" --set scorer.w_collab=1 "$model" |
        sed -n 's/^ *\(collaborative\|item vectors\) */\1: /p' ;;
    esac
    echo "== recommend --all --json -k 5 ($cf, the first 40 users)"
    rs recommend --all --json -k 5 "$model" | head -n 40
    echo "== recommend --explain ($cf)"
    rs recommend --explain -k 3 "$model" 13705 12347 17951
    echo "== similar ($cf)"
    rs similar --json -k 5 "$model" 23084
    rs similar --json -k 5 "$model" 22771
    echo "== eval ($cf)"
    # every metric to the last digit; the seconds column is a timing
    rs eval --json --cut 2011-09-01 "$model" | sed 's/"seconds": [^,]*, //'
    rs eval --json --random 0.2 --seed 7 "$model" | sed 's/"seconds": [^,]*, //'
done
