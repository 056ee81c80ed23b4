#!/bin/sh
# check-api.sh BASELINE HEADER - every line of the committed API surface must
# still be in the header's surface (additions pass; a changed or removed
# declaration, enumerator value or constant fails).  The one exception is a
# count of an append-only enumeration (a name ending in _COUNT or _PARTS,
# documented as "how many values this library knows"): it grows with every
# appended value, so it may increase, never decrease.  The release numbers
# RS_VERSION_MINOR, RS_VERSION_PATCH and RS_VERSION_STRING change with every
# release; RS_VERSION_MAJOR is the promise and may not.
set -eu
baseline=$1 header=$2
current=$(mktemp)
trap 'rm -f "$current"' EXIT
sh "$(dirname "$0")/api-surface.sh" "$header" > "$current"
missing=$(comm -23 "$baseline" "$current" | while IFS= read -r line; do
    case $line in
    "define RS_VERSION_MINOR "* | "define RS_VERSION_PATCH "* | "define RS_VERSION_STRING "*)
        continue
        ;;
    "define "*_COUNT" "* | "enum "*_COUNT" = "* | "define "*_PARTS" "* | "enum "*_PARTS" = "*)
        name=$(printf '%s\n' "$line" | awk '{print $2}')
        old=$(printf '%s\n' "$line" | awk '{print $NF}')
        new=$(awk -v n="$name" '$2 == n {print $NF}' "$current")
        if [ -n "$new" ] && [ "$new" -ge "$old" ] 2>/dev/null; then
            continue
        fi
        ;;
    esac
    printf '%s\n' "$line"
done)
if [ -n "$missing" ]; then
    echo "check-api: FAILED - these public declarations or values changed or disappeared:"
    printf '%s\n' "$missing" | sed 's/^/  /'
    exit 1
fi
echo "check-api: $(wc -l < "$baseline") baseline items unchanged, $(comm -13 "$baseline" "$current" | wc -l) added"
