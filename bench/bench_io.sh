#!/bin/sh
# bench_io.sh BIN - read + clean the full raw Online Retail log (541,909 rows)
# with librecsim (BIN = build/bench/bench_io), pandas (read_csv, the same six
# filters, drop_duplicates) and the sqlite3 shell's .import, in the same run,
# and print rows/s with ratios.  The data is gunzipped to a temporary file
# first.  Set RECSIM_RETAIL to the .tsv.gz when it is not in ../shared.
set -u
bin=$1
python=${PYTHON:-/usr/bin/python3}
data=${RECSIM_RETAIL:-}
for cand in ../shared/data/onlineretail/onlineretail.tsv.gz \
            ../../shared/data/onlineretail/onlineretail.tsv.gz \
            /work/shared/data/onlineretail/onlineretail.tsv.gz; do
    [ -z "$data" ] && [ -f "$cand" ] && data=$cand
done
if [ -z "$data" ] || [ ! -f "$data" ]; then
    echo "bench_io: Online Retail data not found (set RECSIM_RETAIL); skipped"
    exit 0
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_io.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
gunzip -c "$data" > "$tmp/onlineretail.tsv"
rows=541909

echo "-- librecsim (rs_reader + rs_cleaner, rules a..f of retail_eval.py)"
"$bin" "$tmp/onlineretail.tsv" 5 "$tmp/rejects.txt" "$tmp/model.db" | tee "$tmp/ours.txt"
status=$?
ours=$(sed -n 's/^librecsim read+clean: .*median \([0-9.]*\) s.*/\1/p' "$tmp/ours.txt")
ours_import=$(sed -n 's/^librecsim read+clean+import.*median \([0-9.]*\) s.*/\1/p' "$tmp/ours.txt")

echo "-- pandas $("$python" -c 'import pandas; print(pandas.__version__)' 2>/dev/null)"
"$python" - "$tmp/onlineretail.tsv" > "$tmp/pandas.txt" <<'PY' || { echo "pandas failed"; status=1; }
import sys, time, statistics
import pandas as pd
path = sys.argv[1]
reads, cleans, kept = [], [], 0
for _ in range(3):
    t0 = time.perf_counter()
    df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, quoting=3)
    t1 = time.perf_counter()
    df = df[~df["CustomerID"].isin(["", "NA"])]
    df = df[~df["InvoiceNo"].str.startswith("C")]
    df = df[pd.to_numeric(df["Quantity"]) > 0]
    df = df[pd.to_numeric(df["UnitPrice"]) > 0]
    df = df[df["StockCode"].str.match(r"[0-9]")]
    df = df.drop_duplicates()
    t2 = time.perf_counter()
    reads.append(t1 - t0)
    cleans.append(t2 - t1)
    kept = len(df)
print(f"pandas read_csv {statistics.median(reads):.3f} s, cleaning {statistics.median(cleans):.3f} s, kept {kept}")
print(f"PANDAS {statistics.median(reads):.4f} {statistics.median(cleans):.4f} {kept}")
PY
grep -v '^PANDAS' "$tmp/pandas.txt"
pandas_read=$(sed -n 's/^PANDAS \([0-9.]*\) .*/\1/p' "$tmp/pandas.txt")
pandas_clean=$(sed -n 's/^PANDAS [0-9.]* \([0-9.]*\) .*/\1/p' "$tmp/pandas.txt")

sqlite_s=""
if command -v sqlite3 >/dev/null 2>&1; then
    echo "-- sqlite3 $(sqlite3 --version | cut -d' ' -f1) .import (no cleaning)"
    sqlite_s=$("$python" - "$tmp" <<'PY'
import subprocess, sys, time, statistics, os
tmp = sys.argv[1]
times = []
for k in range(3):
    db = os.path.join(tmp, f"import{k}.db")
    t0 = time.perf_counter()
    subprocess.run(["sqlite3", db], input=f".mode tabs\n.import {tmp}/onlineretail.tsv t\n",
                   text=True, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t0)
    os.remove(db)
print(f"{statistics.median(times):.4f}")
PY
) || sqlite_s=""
    [ -n "$sqlite_s" ] && echo "sqlite3 .import median ${sqlite_s} s"
fi

echo "-- summary (rows/s over $rows raw rows, medians; higher is better)"
"$python" - "$rows" "$ours" "$pandas_read" "$pandas_clean" "$sqlite_s" "$ours_import" <<'PY'
import sys
rows = int(sys.argv[1])
def val(s):
    try:
        return float(s)
    except ValueError:
        return None
ours, pr, pc, sq, oi = (val(a) for a in sys.argv[2:7])
if ours is None:
    sys.exit("no librecsim timing")
print(f"  librecsim read+clean        {rows / ours:12,.0f} rows/s  ({ours:.3f} s)")
if pr is not None and pc is not None:
    print(f"  pandas read_csv+clean       {rows / (pr + pc):12,.0f} rows/s  ({pr + pc:.3f} s)  librecsim x{(pr + pc) / ours:.2f}")
    print(f"  pandas cleaning alone       {rows / pc:12,.0f} rows/s  ({pc:.3f} s)  librecsim x{pc / ours:.2f}")
if oi is not None:
    print(f"  librecsim read+clean+import {rows / oi:12,.0f} rows/s  ({oi:.3f} s, into a new model file)")
    if pr is not None and pc is not None:
        print(f"    vs pandas read_csv+clean: librecsim x{(pr + pc) / oi:.2f}")
if sq is not None:
    print(f"  sqlite3 .import (no clean)  {rows / sq:12,.0f} rows/s  ({sq:.3f} s)  librecsim x{sq / ours:.2f}")
PY
exit $status
