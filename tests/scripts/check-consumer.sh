#!/bin/sh
# check-consumer.sh PREFIX OUTDIR - build every examples/*.c against the tree
# installed in PREFIX using only pkg-config, shared and static, and run it.
set -eu
prefix=$1 out=$2
mkdir -p "$out"
PKG_CONFIG_PATH=$(cd "$prefix" && pwd)/lib/pkgconfig
export PKG_CONFIG_PATH
cc=${CC:-cc}
cflags=$(pkg-config --cflags recsim)
libs=$(pkg-config --libs recsim)
# --static lists the private dependencies; -l:librecsim.a picks the archive.
static_libs=$(pkg-config --static --libs recsim | sed 's/-lrecsim/-l:librecsim.a/')
for src in examples/*.c; do
    name=$(basename "$src" .c)
    $cc -std=c99 -Wall -Wextra -Werror $cflags "$src" -o "$out/$name" $libs
    $cc -std=c99 -Wall -Wextra -Werror $cflags "$src" -o "$out/$name-static" $static_libs
    if ldd "$out/$name-static" | grep -q librecsim; then
        echo "check-consumer: $name-static still links librecsim dynamically"; exit 1
    fi
    ldd "$out/$name" | grep -q "$prefix/lib/librecsim.so.1" ||
        LD_LIBRARY_PATH=$prefix/lib ldd "$out/$name" | grep -q "$prefix/lib/librecsim.so.1" ||
        { echo "check-consumer: $name does not use the installed librecsim"; exit 1; }
    ( cd examples && LD_LIBRARY_PATH=$prefix/lib "../$out/$name" ) ||
        { echo "check-consumer: $name failed"; exit 1; }
    ( cd examples && "../$out/$name-static" ) >/dev/null ||
        { echo "check-consumer: $name-static failed"; exit 1; }
    echo "check-consumer: $name built through pkg-config (shared and static) and ran"
done
