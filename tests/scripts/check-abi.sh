#!/bin/sh
# check-abi.sh BASELINE CURRENT - compare two abidw dumps.
# Additions pass; a removed or changed function or variable fails.
#
# abidiff's exit status is a bit field: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible change.  A changed parameter type is reported as a change
# (4), not always as incompatible (8), so the summary counts are read too.
set -u
baseline=$1 current=$2
# The experimental tier is outside the promise (abi/experimental.abignore).
suppr=$(dirname "$baseline")/experimental.abignore
if [ -f "$suppr" ]; then
    report=$(abidiff --suppressions "$suppr" "$baseline" "$current" 2>&1)
else
    report=$(abidiff "$baseline" "$current" 2>&1)
fi
status=$?
printf '%s\n' "$report"
if [ $((status & 3)) -ne 0 ]; then
    echo "abi-check: abidiff failed to run (status $status)"
    exit 1
fi
counts=$(printf '%s\n' "$report" |
    sed -n 's/^\(Functions\|Variables\) changes summary: \([0-9]*\) Removed[^,]*, \([0-9]*\) Changed.*/\2 \3/p')
broken=0
for n in $counts; do
    [ "$n" -gt 0 ] && broken=1
done
if [ $((status & 8)) -ne 0 ] || [ $broken -ne 0 ]; then
    echo "abi-check: FAILED - a public symbol was removed or changed (abidiff status $status)"
    exit 1
fi
echo "abi-check: compatible with the baseline (additions only)"
exit 0
