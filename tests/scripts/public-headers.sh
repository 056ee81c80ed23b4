#!/bin/sh
# public-headers.sh HEADER - the public headers behind HEADER, one path a
# line: HEADER itself, then each recsim/<module>.h it includes, in order.
# include/recsim.h is an umbrella over include/recsim/*.h (issue 19); the
# scripts that read "the header" read all of them through this.
set -eu
header=$1
dir=$(dirname "$header")
printf '%s\n' "$header"
sed -n 's/^#include "\(recsim\/[a-z0-9_]*\.h\)"$/\1/p' "$header" | while read -r inc; do
    [ -f "$dir/$inc" ] || { echo "public-headers: $header includes missing $dir/$inc" >&2; exit 1; }
    printf '%s\n' "$dir/$inc"
done
