#!/bin/sh
# check-symbols.sh LIB HEADER MAP - the exported ABI is exactly the header's.
#  - every exported dynamic symbol starts with rs_ and is versioned in the map;
#  - every exported function is declared in recsim.h;
#  - every function declared in recsim.h is exported.
set -eu
lib=$1 header=$2 map=$3
# recsim.h and the module headers it includes
headers=$(sh "$(dirname "$0")/public-headers.sh" "$header")
tmp=${TMPDIR:-/tmp}/rs-symbols.$$
trap 'rm -f "$tmp".*' EXIT

# Exported (defined, dynamic) symbols with their version, minus version nodes.
nm -D --defined-only "$lib" | awk '$2 != "A" { print $3 }' | sort > "$tmp.exported"
# Functions the header declares: names after RS_API ... up to "(".
# shellcheck disable=SC2086
sed -n '/RS_API/,/;/p' $headers | tr '\n' ' ' | tr ';' '\n' |
    sed -n 's/.*RS_API[^(]*[ *]\(rs_[a-z0-9_]*\) *(.*/\1/p' | sort -u > "$tmp.declared"

status=0
while read -r sym; do
    name=${sym%%@*}
    version=${sym#*@@}
    case $name in
        rs_*) ;;
        *) echo "check-symbols: exported symbol '$name' does not start with rs_"; status=1 ;;
    esac
    case $sym in
        *@@RECSIM_*) ;;
        *) echo "check-symbols: '$name' has no RECSIM_ version ($sym)"; status=1 ;;
    esac
    grep -qx "$name" "$tmp.declared" ||
        { echo "check-symbols: '$name' is exported but not declared in $header"; status=1; }
    : "$version"
done < "$tmp.exported"

sed 's/@.*//' "$tmp.exported" > "$tmp.names"
while read -r name; do
    grep -qx "$name" "$tmp.names" ||
        { echo "check-symbols: '$name' is declared in $header but not exported (add it to $map)"; status=1; }
done < "$tmp.declared"

if [ $status -eq 0 ]; then
    echo "check-symbols: $(wc -l < "$tmp.declared") functions declared, all exported with RECSIM_ versions, nothing else exported"
fi
exit $status
