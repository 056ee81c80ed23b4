#!/bin/sh
# api-surface.sh HEADER - print the public API surface of recsim.h, one item
# per line, normalised: every RS_API declaration, every explicit enumerator
# value and every RS_ constant macro.  A later header must contain every line
# an earlier one printed (check-api.sh); new lines are additions.
#
# This complements abidiff, which judges the binary but skips functions whose
# debug information it cannot tie to the public headers.
set -eu
header=$1
# recsim.h and the module headers it includes (issue 19)
headers=$(sh "$(dirname "$0")/public-headers.sh" "$header")
# Everything inside #ifdef RECSIM_EXPERIMENTAL (the experimental tier,
# recsim/base.h) is outside the promise: left out of the surface.
promised=$(mktemp)
trap 'rm -f "$promised"' EXIT
# shellcheck disable=SC2086
awk '/^#[ \t]*if/ { depth++; if ($0 ~ /^#[ \t]*ifdef[ \t]+RECSIM_EXPERIMENTAL/ && !skip) skip = depth }
     !skip { print }
     /^#[ \t]*endif/ { if (skip == depth) { skip = 0; depth--; next } depth-- }' $headers > "$promised"
headers=$promised
# shellcheck disable=SC2086
{
    # Declarations: from a line starting with RS_API to the first ';' (on
    # the same line or a later one), joined into one line.
    awk '/^RS_API/ { decl = ""; open = 1 }
         open { decl = decl " " $0; if (index($0, ";")) { print decl; open = 0 } }' $headers
    # Enumerators with explicit values (a deprecated old name too: issue 19).
    sed -n 's/^ *\(RS_[A-Z0-9_]*\)\( RS_DEPRECATED_ENUMERATOR([^)]*)\)\{0,1\} *= *\([-0-9A-Fa-fxu]*\).*/enum \1 = \3/p' $headers
    # Constant macros (not the include guard or RS_API itself).
    sed -n 's/^#define \(RS_[A-Z0-9_]*\) \(.*\)$/define \1 \2/p' $headers |
        grep -v '^define RS_API ' | sed 's|/\*.*||'
} | sed 's/[[:space:]][[:space:]]*/ /g; s/^ //; s/ *$//; s/( /(/g; s/ )/)/g' |
    # A macro that names another constant (an old name kept as an alias,
    # "#define RS_METRIC_COUNT RS_EVAL_METRIC_COUNT") shows that one's value:
    # the promise is the value, whatever the spelling.
    awk '{ line[NR] = $0 }
         $1 == "define" && NF == 3 { value[$2] = $3 }
         $1 == "enum" && NF == 4 { value[$2] = $4 }
         END { for (i = 1; i <= NR; i++) {
                   split(line[i], f, " ")
                   if (f[1] == "define" && (f[3] in value) && f[3] ~ /^RS_/)
                       line[i] = "define " f[2] " " value[f[3]]
                   print line[i] } }' | sort -u
