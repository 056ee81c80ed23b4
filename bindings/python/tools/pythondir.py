#!/usr/bin/env python3
"""pythondir.py PREFIX - where `make install` puts the recsim package: the
interpreter's own site directory under PREFIX when it has one (Debian:
/usr/local/lib/python3.X/dist-packages), else PREFIX/lib/python3.X/site-packages."""
import os
import site
import sys
import sysconfig

prefix = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else sys.prefix)
for d in site.getsitepackages():
    rel = os.path.relpath(os.path.abspath(d), prefix)
    if rel.split(os.sep)[0] == "lib" and rel.count(os.sep) == 2:
        print(d)
        break
else:
    print(sysconfig.get_path("purelib", "posix_prefix", vars={"base": prefix,
                                                                "platbase": prefix}))
