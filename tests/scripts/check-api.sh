#!/bin/sh
# check-api.sh BASELINE HEADER - every line of the committed API surface must
# still be in the header's surface (additions pass; a changed or removed
# declaration, enumerator value or constant fails).
set -eu
baseline=$1 header=$2
current=$(mktemp)
trap 'rm -f "$current"' EXIT
sh "$(dirname "$0")/api-surface.sh" "$header" > "$current"
missing=$(comm -23 "$baseline" "$current")
if [ -n "$missing" ]; then
    echo "check-api: FAILED - these public declarations or values changed or disappeared:"
    printf '%s\n' "$missing" | sed 's/^/  /'
    exit 1
fi
echo "check-api: $(wc -l < "$baseline") baseline items unchanged, $(comm -13 "$baseline" "$current" | wc -l) added"
