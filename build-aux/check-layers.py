#!/usr/bin/env python3
"""check-layers.py - enforce the library's layering (run by `make check`).

    check-layers.py [--objects BUILD/src]

From the source tree (run at the top of the repository):
  1. every `#include "m/h.h"` in src/<n>/ names a module m at or below n's
     layer, and not one of another module's private headers;
  2. the command (tools/recsim/) includes no header of src/: it is a client
     of the public API like any host program;
  3. the public headers include/recsim/<layer>.h (issue 19) include only
     lower layers' headers (base.h is core's), and the umbrella
     include/recsim.h lists them all, lowest first;
and, given the objects of a build (--objects), from their symbol tables:
  4. every rs_/rs__ function a module calls that another module defines
     belongs to a lower layer (this catches calls through the public API,
     which leave no #include behind).

This file is the one place the allowed graph is written; ARCHITECTURE.md
draws it.  Exit status 1 on any violation, or on an allow-list entry that
no longer matches anything (mend the code, then drop the entry).
"""
import glob
import os
import re
import subprocess
import sys

# Lowest first.  A module may use its own files and anything in a lower
# layer; one layer never uses a higher one.  The data's way: files are read
# (io) into the graph, learned from (learn), turned into item and user
# vectors, scored, evaluated and simulated; model assembles all of it.
LAYERS = [
    "core",   # status, allocation, id map, RNG, top-k, BLAS, CPU features
    "store",  # the one SQLite connection and schema (release 1.1)
    "text",   # tokeniser, normaliser, embedders
    "graph",  # rs_graph: nodes, relations, edges, properties, SQLite
    "io",     # reader, cleaner, import into a graph
    "learn",  # collaborative models, graph propagation
    "items",  # rs_item_store and its indexes
    "user",   # rs_user_model
    "score",  # rs_scorer
    "eval",   # splits, metrics, the evaluation runner
    "sim",    # rs_sim, policies, responders
    "model",  # rs_model: the front door that assembles the rest
]
RANK = {m: i for i, m in enumerate(LAYERS)}

# Headers only their own module may include: layouts and helpers that are
# not part of the module's interface to the rest of the library.
PRIVATE = {
    "eval/eval_internal.h",
    "graph/graph_impl.h",
    "items/item_ivf.h",
    "items/item_kmeans.h",
    "model/model_internal.h",
    "model/model_visit.h",
    "score/score_internal.h",   # other modules: score/score_access.h
    "sim/sim_internal.h",
    "text/text_internal.h",
}

# Known violations, each with the reason it stays for now.  An entry is
# (file or object, what it reaches).  A stale entry fails the check.
ALLOWED = set()

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)/([a-z0-9_]+\.h)"', re.M)


def module_of(path):
    parts = path.split(os.sep)
    return parts[parts.index("src") + 1] if "src" in parts else None


def check_includes(errors, used):
    for path in sorted(glob.glob("src/*/*.[ch]")):
        mod = module_of(path)
        if mod not in RANK:
            errors.append("%s: module '%s' has no layer in build-aux/check-layers.py"
                          % (path, mod))
            continue
        with open(path, encoding="utf-8") as f:
            text = f.read()
        for target_mod, header in INCLUDE.findall(text):
            target = "%s/%s" % (target_mod, header)
            if target_mod == mod:
                continue
            if (path, target) in ALLOWED:
                used.add((path, target))
                continue
            if target_mod not in RANK:
                errors.append("%s: includes %s of unknown module '%s'" % (path, target, target_mod))
            elif RANK[target_mod] > RANK[mod]:
                errors.append("%s: includes %s: %s is a higher layer than %s"
                              % (path, target, target_mod, mod))
            elif target in PRIVATE:
                errors.append("%s: includes %s, private to module %s" % (path, target, target_mod))
    for path in sorted(glob.glob("tools/recsim/*.[ch]")):
        with open(path, encoding="utf-8") as f:
            for target_mod, header in INCLUDE.findall(f.read()):
                errors.append("%s: includes %s/%s: the command uses the public API only"
                              % (path, target_mod, header))


# The public header of each layer: core's public part is base.h; store has
# none.  A public header includes its lower siblings by bare name.
PUBLIC = {"base": "core"}
PUBLIC_INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z0-9_]+)\.h"', re.M)
UMBRELLA_INCLUDE = re.compile(r'^\s*#\s*include\s+"recsim/([a-z0-9_]+)\.h"', re.M)


def check_public_headers(errors):
    layer = {}
    for path in sorted(glob.glob("include/recsim/*.h")):
        name = os.path.basename(path)[:-2]
        mod = PUBLIC.get(name, name)
        if mod not in RANK:
            errors.append("%s: no layer named %s in build-aux/check-layers.py" % (path, mod))
            continue
        layer[name] = RANK[mod]
    for path in sorted(glob.glob("include/recsim/*.h")):
        name = os.path.basename(path)[:-2]
        if name not in layer:
            continue
        with open(path, encoding="utf-8") as f:
            for target in PUBLIC_INCLUDE.findall(f.read()):
                if target not in layer:
                    errors.append("%s: includes %s.h, not a public header" % (path, target))
                elif layer[target] >= layer[name]:
                    errors.append("%s: includes %s.h, not a lower layer" % (path, target))
    if os.path.exists("include/recsim.h"):
        with open("include/recsim.h", encoding="utf-8") as f:
            listed = UMBRELLA_INCLUDE.findall(f.read())
        if sorted(listed) != sorted(layer):
            errors.append("include/recsim.h: includes %s, but include/recsim/ holds %s"
                          % (", ".join(listed), ", ".join(sorted(layer))))
        elif [layer[n] for n in listed] != sorted(layer[n] for n in listed):
            errors.append("include/recsim.h: the module headers are not in layer order")


def check_objects(errors, used, objdir):
    defined, calls = {}, []
    objects = sorted(glob.glob(os.path.join(objdir, "*", "*.o")))
    if not objects:
        errors.append("%s: no objects (build first)" % objdir)
        return
    for obj in objects:
        mod = os.path.basename(os.path.dirname(obj))
        out = subprocess.run(["nm", "-P", obj], check=True, capture_output=True,
                             text=True).stdout
        for line in out.splitlines():
            fields = line.split()
            if len(fields) < 2 or not fields[0].startswith("rs_"):
                continue
            if fields[1] in "TDBR":
                defined[fields[0]] = mod
            elif fields[1] == "U":
                calls.append((obj, mod, fields[0]))
    for obj, mod, name in calls:
        owner = defined.get(name)
        if owner is None or owner == mod or mod not in RANK or owner not in RANK:
            continue
        short = os.path.join(mod, os.path.basename(obj))
        if RANK[owner] > RANK[mod]:
            if (short, owner) in ALLOWED:
                used.add((short, owner))
                continue
            errors.append("%s: calls %s of %s, a higher layer than %s"
                          % (short, name, owner, mod))


def main(argv):
    errors, used = [], set()
    objdir = None
    if len(argv) == 3 and argv[1] == "--objects":
        objdir = argv[2]
    elif len(argv) != 1:
        sys.stderr.write("usage: check-layers.py [--objects BUILD/src]\n")
        return 2
    check_includes(errors, used)
    check_public_headers(errors)
    if objdir:
        check_objects(errors, used, objdir)
    for entry in sorted(ALLOWED - used):
        if objdir or not entry[0].endswith(".o"):
            errors.append("allow-list entry %s no longer matches: remove it" % (entry,))
    for e in sorted(set(errors)):
        print("check-layers: " + e)
    if errors:
        return 1
    print("check-layers: %d modules in %d layers, every include%s goes down"
          % (len(glob.glob("src/*/")), len(LAYERS), " and call" if objdir else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
