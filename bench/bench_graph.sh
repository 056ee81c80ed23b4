#!/bin/sh
# bench_graph.sh BIN - the graph benchmark with its peers timed in the same run:
#  - bulk load of 1,000,000 edges (CSV parse, nodes, edges, index, adjacency)
#    against the sqlite3 command-line .import of the same CSV into an
#    equivalent table with the same unique index on (src, rel, dst);
#  - 2-hop neighbourhood of a degree-50 node, in memory against the recursive
#    SQL query on the same file (inside the binary: same SQLite library).
# Medians of RUNS runs (default 3), loads interleaved so that machine noise
# hits both alike.
set -eu
bin=$1
runs=${RUNS:-3}
command -v sqlite3 >/dev/null 2>&1 || { echo "bench_graph.sh: sqlite3 CLI not found"; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/bench_graph.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
"$bin" gen "$dir/edges.csv" >/dev/null
echo "data: $(($(wc -l < "$dir/edges.csv") - 1)) edges in CSV ($(wc -c < "$dir/edges.csv") bytes)"
now() { date +%s.%N; }
ours="" peer=""
i=0
while [ $i -lt "$runs" ]; do
    rm -f "$dir/peer.db"
    t0=$(now)
    sqlite3 "$dir/peer.db" \
        "CREATE TABLE edges(src TEXT NOT NULL, rel TEXT NOT NULL, dst TEXT NOT NULL, weight REAL NOT NULL, ts INTEGER NOT NULL);" \
        "CREATE UNIQUE INDEX edges_key ON edges(src, rel, dst);" \
        ".import --csv --skip 1 $dir/edges.csv edges"
    t1=$(now)
    peer="$peer $(echo "$t1 - $t0" | bc -l)"
    out=$("$bin" load "$dir/edges.csv" "$dir/graph.db")
    echo "$out" | grep -v '^LOAD_SECONDS' | sed 's/^/  /'
    ours="$ours $(echo "$out" | sed -n 's/^LOAD_SECONDS //p')"
    i=$((i + 1))
done
median() { echo "$@" | tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
mo=$(median $ours)
mp=$(median $peer)
rows=$(sqlite3 "$dir/peer.db" "SELECT count(*) FROM edges")
echo "bulk load, median of $runs: librecsim $mo s, sqlite3 .import $mp s ($rows rows, $(wc -c < "$dir/peer.db") bytes)"
echo "  ratio: librecsim is $(echo "$mp / $mo" | bc -l | cut -c1-4)x faster (target >= 2x)"
"$bin" query "$dir/graph.db"
