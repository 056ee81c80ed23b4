#!/bin/sh
# bench_items.sh BINARY - the top-k kernel and its peers (faiss, numpy) on the
# same generated data in the same run; the data lives in a temporary
# directory removed afterwards.
set -eu
bin=$1
python=${PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench_items.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" "$tmp"
"$python" "$(dirname "$0")/bench_items_peers.py" "$tmp"
