#!/bin/sh
# check-man.sh HEADER MANDIR - every public function has a man page, and
# every page renders without a groff warning.
set -eu
header=$1 mandir=$2
# recsim.h and the module headers it includes
headers=$(sh "$(dirname "$0")/public-headers.sh" "$header")
status=0
# shellcheck disable=SC2086
names=$(sed -n '/RS_API/,/;/p' $headers | tr '\n' ' ' | tr ';' '\n' |
    sed -n 's/.*RS_API[^(]*[ *]\(rs_[a-z0-9_]*\) *(.*/\1/p' | sort -u)
for name in $names; do
    [ -f "$mandir/man3/$name.3" ] ||
        { echo "check-man: $name has no page $mandir/man3/$name.3"; status=1; }
done
pages=0
for page in "$mandir"/man3/*.3 "$mandir"/man1/*.1; do
    [ -f "$page" ] || continue
    pages=$((pages + 1))
    # Pages that are only ".so other.3" links are checked through their target.
    if head -n 1 "$page" | grep -q '^\.so '; then
        target=$mandir/$(head -n 1 "$page" | sed 's/^\.so //')
        [ -f "$target" ] || { echo "check-man: $page links to missing $target"; status=1; }
        continue
    fi
    out=$(groff -mandoc -ww -z "$page" 2>&1) || true
    if [ -n "$out" ]; then
        echo "check-man: groff warnings in $page:"; echo "$out"; status=1
    fi
done
[ $status -eq 0 ] && echo "check-man: $pages pages, every public function documented, no groff warnings"
exit $status
