#!/bin/sh
# bench_stream.sh BINARY - streaming import and build at scale (issue 20
# item 4): for each size, bench_stream (BINARY) writes a synthetic log of
# N events (N/5 users, N/50 items, Zipf(1) item popularity, seed 1; 50 M
# events: 10 M users x 1 M items), `recsim import` and `recsim build` (the
# defaults: what a user gets) run under /usr/bin/time, and the table gives
# wall and CPU time, peak RSS, the model file's size and bytes per edge
# in the file and in RAM.  The peer, in the same run: the sqlite3 shell's
# .import of the same TSV into a table with a unique index on (user, item).
#
#   BENCH_STREAM_SIZES  events per run (default "1000000"; the issue's
#                       "1000000 10000000 50000000" takes about an hour
#                       on two shared cores and ~6 GB of disk)
#   BENCH_STREAM_DIR    where the logs and models go (default: a new
#                       directory under ${TMPDIR:-/tmp}; removed at the end)
#   BENCH_STREAM_MEM_KB address-space cap of each step (ulimit -v; default
#                       14000000, i.e. ~14 GB, to share a 24 GB machine)
#   BENCH_STREAM_PEER   0 skips the sqlite3 .import peer (default 1)
#   BENCH_STREAM_BUILD  extra `recsim build` arguments (default "--no-tune
#                       --cf knn": the same kind at every size, and no
#                       selection: at 1 M events the catalogue, 20,000 items,
#                       is still EASE's, whose fit is cubic in it; set it to
#                       "" for the library's defaults)
set -eu
gen=$1
here=$(dirname "$0")
recsim=${RECSIM:-$here/../bin/recsim}
sizes=${BENCH_STREAM_SIZES:-1000000}
cap=${BENCH_STREAM_MEM_KB:-14000000}
peer=${BENCH_STREAM_PEER:-1}
build_args=${BENCH_STREAM_BUILD---no-tune --cf knn}
[ -x /usr/bin/time ] || { echo "bench_stream.sh: /usr/bin/time not found (apt-get install time)"; exit 1; }
[ -x "$recsim" ] || { echo "bench_stream.sh: $recsim not built"; exit 1; }
if [ -n "${BENCH_STREAM_DIR:-}" ]; then
    mkdir -p "$BENCH_STREAM_DIR"
    dir=$(mktemp -d "$BENCH_STREAM_DIR/bench_stream.XXXXXX")
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/bench_stream.XXXXXX")
fi
trap 'rm -rf "$dir"' EXIT INT TERM
# OpenBLAS may hang at load under ulimit -v with its thread pool
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
echo "cpu: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores;" \
     "$("$recsim" version | sed -n 's/^OpenBLAS kernel: /OpenBLAS /p');" \
     "memory cap $cap kB; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
# step NAME CMD...: run CMD under the cap and time; prints "wall cpu rss_kb"
step() {
    name=$1
    shift
    if ! (ulimit -v "$cap"; /usr/bin/time -f '%e %U %S %M' -o "$dir/$name.time" "$@") \
            > "$dir/$name.out" 2> "$dir/$name.err"; then
        echo "bench_stream.sh: $name failed:"; tail -5 "$dir/$name.err"; exit 1
    fi
    awk '{printf "%s %.1f %s", $1, $2 + $3, $4}' "$dir/$name.time"
}
printf '%10s %8s | %8s %7s %8s | %8s %7s %8s %8s | %9s %6s %6s | %8s %6s\n' \
    events edges imp_s imp_cpu imp_MB bld_s bld_cpu bld_MB cf file_MB B/edge RAM_B sqlite_s ratio
for n in $sizes; do
    "$gen" gen "$n" > "$dir/log.tsv"
    rm -f "$dir/m.rsm" "$dir/m.rsm-wal" "$dir/m.rsm-shm"
    set -- $(step import "$recsim" -q import "$dir/m.rsm" "$dir/log.tsv")
    iw=$1 ic=$2 ir=$3
    # shellcheck disable=SC2086 # the extra arguments split on spaces
    set -- $(step build "$recsim" -q build --json $build_args "$dir/m.rsm")
    bw=$1 bc=$2 br=$3
    edges=$(sed -n 's/.*"interactions": *\([0-9]*\).*/\1/p' "$dir/build.out")
    kind=$(sed -n 's/.*"cf": *"\([^"]*\)".*/\1/p' "$dir/build.out")
    bytes=$(wc -c < "$dir/m.rsm")
    sw=- ratio=-
    if [ "$peer" = 1 ] && command -v sqlite3 >/dev/null 2>&1; then
        rm -f "$dir/peer.db"
        set -- $(step peer sqlite3 "$dir/peer.db" \
            "CREATE TABLE e(user TEXT NOT NULL, item TEXT NOT NULL, time INTEGER NOT NULL);" \
            "CREATE UNIQUE INDEX e_key ON e(user, item, time);" \
            ".mode tabs" ".import --skip 1 $dir/log.tsv e")
        sw=$1
        ratio=$(echo "$iw $sw" | awk '{printf "%.2f", $1 / $2}')
        rm -f "$dir/peer.db"
    fi
    rss=$((ir > br ? ir : br))
    printf '%10s %8s | %8s %7s %8d | %8s %7s %8d %8s | %9d %6d %6d | %8s %6s\n' \
        "$n" "$edges" "$iw" "$ic" $((ir / 1024)) "$bw" "$bc" $((br / 1024)) "$kind" \
        $((bytes / 1048576)) $((bytes / edges)) $((rss * 1024 / edges)) "$sw" "$ratio"
    sed -n 's/.*"selection": *\(.*\)}$/  selection: \1/p' "$dir/build.out" | cut -c1-300
    rm -f "$dir/log.tsv" "$dir/m.rsm" "$dir/m.rsm-wal" "$dir/m.rsm-shm"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "imp/bld: wall s, CPU s (user + sys), peak RSS MB; B/edge: file bytes per edge;" \
     "RAM_B: the larger peak RSS per edge; ratio: our import's wall time / sqlite3 .import's"
