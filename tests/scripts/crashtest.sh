#!/bin/sh
# crashtest.sh RECSIM KILLS [DATA] [SEED] - crash safety as a test (issue 21
# item 3).  On a real log (default: the committed Online Retail sample), a
# model is grown by imports of successive slices of the log (--preset
# retail: purchases, items and users in one transaction) and builds, and
# each of KILLS commands is killed with SIGKILL at a random moment of its
# run (up to 1.2 times its undisturbed duration, so some kills land after
# the end).  After each kill:
#   - the file's content (every table, through a second connection) is
#     exactly the state before the command or exactly the state the same
#     command reaches undisturbed (run first on a copy) - never a mix;
#   - integrity_check is ok;
#   - once the next command opened the file, nothing but the model, and
#     SQLite's -wal/-shm while a connection could still be open, is left
#     beside it (no backup, build or temporary files);
#   - a killed import that did not commit is imported again by the next
#     import step, and counted once.
# Prints the kills, where they landed and the seed; exit 1 on a violation.
set -u
recsim=$1
kills=${2:-24}
data=${3:-$(dirname "$0")/../../examples/data/onlineretail_sample.tsv}
seed=${4:-$$}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=$work/m.rsm
fail=0

# the log, header and rows (.gz decompressed), cut into slices
case "$data" in
*.gz) gzip -dc "$data" > "$work/log.tsv" ;;
*) cp "$data" "$work/log.tsv" ;;
esac
rows=$(($(wc -l < "$work/log.tsv") - 1))
slices=$((kills / 2 + 2))
per=$((rows / 2 / slices)) # the first half of the log is the base model
[ "$per" -ge 1 ] || { echo "crashtest: $data is too small"; exit 1; }
slice() { # N: the header and slice N of the second half
    head -1 "$work/log.tsv"
    tail -n +2 "$work/log.tsv" | tail -n +$((rows / 2 + 1 + ($1 - 1) * per)) | head -n "$per"
}

# The content of every table (model_digest.py: volatile values aside).
digest() { python3 "$(dirname "$0")/model_digest.py" "$1"; }

# Files beside the model other than the model and SQLite's own.
leftovers() {
    ls -A "$work/db" | grep -v '^m\.rsm$' | grep -v '^m\.rsm-wal$' | grep -v '^m\.rsm-shm$'
}

rand() { # a pseudo-random fraction in [0, 1), from the seed and a counter
    awk -v s="$seed" -v n="$1" 'BEGIN { srand(s * 1000 + n); print rand() }'
}

now() { date +%s.%N; }

mkdir -p "$work/db"
model=$work/db/m.rsm
(head -n $((rows / 2 + 1)) "$work/log.tsv") > "$work/base.tsv"
"$recsim" -q import --preset retail "$model" "$work/base.tsv" > /dev/null 2>&1 &&
    "$recsim" -q build "$model" > /dev/null 2>&1 || { echo "crashtest: no base model"; exit 1; }

next=1 k=0 before_n=0 after_n=0 done_n=0 reimports=0 import_kills=0 build_kills=0
state=$(digest "$model")
while [ $k -lt "$kills" ]; do
    k=$((k + 1))
    if [ $((k % 2)) -eq 1 ]; then
        [ $next -le $slices ] || next=1 # (not reached with the slices made)
        slice $next > "$work/slice.tsv"
        cmd="import --preset retail"
        arg=$work/slice.tsv
        import_kills=$((import_kills + 1))
    else
        cmd="build"
        arg=
        build_kills=$((build_kills + 1))
    fi
    # the undisturbed run, on a copy
    rm -f "$work/ref.rsm"*
    sqlite3 "$model" ".backup '$work/ref.rsm'"
    t0=$(now)
    # shellcheck disable=SC2086
    "$recsim" -q $cmd "$work/ref.rsm" $arg > /dev/null 2> "$work/ref.err" ||
        { echo "crashtest: $cmd failed undisturbed:"; cat "$work/ref.err"; exit 1; }
    t1=$(now)
    expected=$(digest "$work/ref.rsm")
    delay=$(awk -v a="$t0" -v b="$t1" -v r="$(rand $k)" 'BEGIN { printf "%.3f", (b - a) * 1.2 * r }')
    # shellcheck disable=SC2086
    "$recsim" -q $cmd "$model" $arg > /dev/null 2>&1 &
    pid=$!
    sleep "$delay"
    kill -KILL "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    status=$?
    got=$(digest "$model")
    if [ "$got" = "$state" ]; then
        where=before before_n=$((before_n + 1))
        [ $((k % 2)) -eq 1 ] && reimports=$((reimports + 1)) # the slice again next time
    elif [ "$got" = "$expected" ]; then
        where=after after_n=$((after_n + 1))
        [ $((k % 2)) -eq 1 ] && next=$((next + 1))
        state=$got
    else
        where=MIXED fail=1
    fi
    [ "$status" -ne 137 ] && done_n=$((done_n + 1))
    integrity=$(sqlite3 "$model" "PRAGMA integrity_check")
    [ "$integrity" = ok ] || { echo "crashtest: kill $k: integrity_check: $integrity"; fail=1; }
    # the next open by recsim finds the file as it is and leaves nothing
    "$recsim" -q stats "$model" > /dev/null 2>&1 || { echo "crashtest: kill $k: stats failed"; fail=1; }
    extra=$(leftovers)
    [ -z "$extra" ] || { echo "crashtest: kill $k: left beside the model: $extra"; fail=1; }
    echo "crashtest: kill $k: $cmd after ${delay}s (exit $status): $where"
done
# a last clean write leaves the model alone in its directory
"$recsim" -q build "$model" > /dev/null 2>&1 || { echo "crashtest: the last build failed"; fail=1; }
extra=$(ls -A "$work/db" | grep -v '^m\.rsm$')
[ -z "$extra" ] || { echo "crashtest: after a clean build, left beside the model: $extra"; fail=1; }
echo "crashtest: $kills kills ($import_kills imports, $build_kills builds; seed $seed):" \
     "$before_n left the state before, $after_n the state after ($done_n had finished)," \
     "$reimports slices imported again after a kill; $([ $fail -eq 0 ] && echo ok || echo FAILED)"
exit $fail
