#!/bin/sh
# bench_graph.sh BIN - the graph benchmark with its peers timed in the same run:
#  - bulk load of 1,000,000 edges (CSV parse, nodes, edges, index, adjacency)
#    against the sqlite3 command-line .import of the same CSV into an
#    equivalent table with the same unique index on (src, rel, dst);
#  - 2-hop neighbourhood of a degree-50 node, in memory against the recursive
#    SQL query on the same file (inside the binary: same SQLite library).
# Medians of RUNS runs (default 5), loads interleaved so that machine noise
# hits both alike.  Wall time is the figure; CPU time (user + sys, from
# /usr/bin/time when installed) is printed too, since on a shared machine it
# is the steadier of the two.
set -eu
bin=$1
runs=${RUNS:-5}
command -v sqlite3 >/dev/null 2>&1 || { echo "bench_graph.sh: sqlite3 CLI not found"; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench_graph.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
"$bin" gen "$dir/edges.csv" >/dev/null
echo "data: $(($(wc -l < "$dir/edges.csv") - 1)) edges in CSV ($(wc -c < "$dir/edges.csv") bytes)"
timer=""
[ -x /usr/bin/time ] && timer="/usr/bin/time -o $dir/cpu -f %U+%S"
now() { date +%s.%N; }
cpu() { if [ -n "$timer" ]; then echo "$(cat "$dir/cpu")" | bc -l; else echo 0; fi; }
ours="" peer="" ours_cpu="" peer_cpu=""
i=0
while [ $i -lt "$runs" ]; do
    rm -f "$dir/peer.db"
    t0=$(now)
    $timer sqlite3 "$dir/peer.db" \
        "CREATE TABLE edges(src TEXT NOT NULL, rel TEXT NOT NULL, dst TEXT NOT NULL, weight REAL NOT NULL, ts INTEGER NOT NULL);" \
        "CREATE UNIQUE INDEX edges_key ON edges(src, rel, dst);" \
        ".import --csv --skip 1 $dir/edges.csv edges"
    t1=$(now)
    peer="$peer $(echo "$t1 - $t0" | bc -l)"
    peer_cpu="$peer_cpu $(cpu)"
    out=$($timer "$bin" load "$dir/edges.csv" "$dir/graph.db")
    ours_cpu="$ours_cpu $(cpu)"
    echo "$out" | grep -v '^LOAD_SECONDS' | sed 's/^/  /'
    ours="$ours $(echo "$out" | sed -n 's/^LOAD_SECONDS //p')"
    i=$((i + 1))
done
median() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mo=$(median $ours) mp=$(median $peer)
co=$(median $ours_cpu) cp=$(median $peer_cpu)
rows=$(sqlite3 "$dir/peer.db" "SELECT count(*) FROM edges")
echo "bulk load, median of $runs: librecsim $mo s, sqlite3 .import $mp s ($rows rows, $(wc -c < "$dir/peer.db") bytes)"
echo "  wall ratio: librecsim is $(echo "$mp / $mo" | bc -l | cut -c1-4)x faster (target >= 2x)"
if [ -n "$timer" ]; then
    echo "  cpu: librecsim $co s, sqlite3 .import $cp s: $(echo "$cp / $co" | bc -l | cut -c1-4)x"
fi
"$bin" query "$dir/graph.db"
