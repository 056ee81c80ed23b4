#!/bin/sh
# test_golden.sh RECSIM - the demo pipeline's answers (tests/cli/golden.sh)
# equal tests/data/golden_demo.txt byte for byte: no refactoring may move a
# list, a score, an explanation or a metric.  On a difference it prints the
# first lines of the diff; a change meant to move them runs
# `make golden-update` and says why in its commit.
set -u
recsim=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
golden=tests/data/golden_demo.txt
if ! sh tests/cli/golden.sh "$recsim" "$work" > "$work/now.txt"; then
    echo "test_golden: FAILED - tests/cli/golden.sh did not run through"; exit 1
fi
if cmp -s "$golden" "$work/now.txt"; then
    echo "test_golden: recommend, explain, similar and eval equal $golden ($(wc -c < "$golden") bytes)"
    exit 0
fi
echo "test_golden: FAILED - the pipeline's answers differ from $golden:"
diff -u "$golden" "$work/now.txt" | head -n 40
echo "test_golden: if the change is intended: make golden-update, and say why in the commit"
exit 1
