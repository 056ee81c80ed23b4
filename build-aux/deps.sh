#!/bin/sh
# deps.sh [--bench] PACKAGES... - make sure the Debian packages the build
# needs are there.  If everything is found, do nothing.  Otherwise install
# them with apt-get when running as root, or print the exact command and fail.
#
# "Found" means: every pkg-config module and every command below answers.
set -u
missing=""
for module in openblas sqlite3 libxxhash libutf8proc jansson check; do
    pkg-config --exists "$module" 2>/dev/null || missing="$missing pkg-config:$module"
done
for tool in cc c++ pkg-config abidw groff /usr/bin/python3 valgrind clang; do
    command -v "$tool" >/dev/null 2>&1 || missing="$missing command:$tool"
done
[ -z "$missing" ] && exit 0

echo "deps: missing:$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "deps: installing the Debian packages: $*"
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
    exit $?
fi
echo "deps: run this once, then try again:"
echo "  sudo apt-get update && sudo apt-get install -y $*"
exit 1
