#!/bin/sh
# same_lists.sh OLD_RECSIM NEW_RECSIM MODEL [N] - the lists and scores of two
# recsim builds must be byte-identical on MODEL: N users (default 300) in one
# process (--json, -k 50: scores with 9 significant digits, the exact float),
# and the first 20 of them one process each (the path of a single
# recommendation, which may read the model differently from a long run).
set -eu
old=$1 new=$2 model=$3 n=${4:-300}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/same_lists.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
sqlite3 "$model" "SELECT n.key FROM nodes n JOIN node_types t ON t.id = n.type_id
                  WHERE t.name = 'user' ORDER BY n.key LIMIT $n" > "$tmp/users"
[ -s "$tmp/users" ] || { echo "same_lists: no users in $model" >&2; exit 1; }
# shellcheck disable=SC2046
"$old" recommend --json -k 50 "$model" $(cat "$tmp/users") > "$tmp/old.json"
# shellcheck disable=SC2046
"$new" recommend --json -k 50 "$model" $(cat "$tmp/users") > "$tmp/new.json"
cmp "$tmp/old.json" "$tmp/new.json"
for u in $(head -n 20 "$tmp/users"); do
    "$old" recommend --json -k 50 "$model" "$u" > "$tmp/old1.json"
    "$new" recommend --json -k 50 "$model" "$u" > "$tmp/new1.json"
    cmp "$tmp/old1.json" "$tmp/new1.json"
done
echo "same_lists: $(wc -l < "$tmp/users") users, identical lists and scores ($(wc -c < "$tmp/new.json") bytes)"
