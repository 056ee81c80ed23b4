#!/usr/bin/env python3
"""split-header.py - cut a one-file recsim.h into the per-module headers.

    split-header.py [MONOLITH] [--out DIR]

MONOLITH is a recsim.h that holds every declaration (the layout of release
1.0 and 1.1 until issue 19; default include/recsim.h); DIR is where the
result goes (default include): DIR/recsim.h, the umbrella, and
DIR/recsim/<module>.h, one per layer of build-aux/check-layers.py.

Why a script: the split is mechanical, and branches that still add to a
one-file recsim.h can be merged into it first and the split run again (see
CONTRIBUTING.md).  Nothing is rewritten: every line of the input lands
verbatim in exactly one output (the script checks it), in this order:
  - the section banners ("/* ===...") choose the header: SECTIONS below;
  - a few declarations sit in a section below the types they need; MOVES
    takes them, with their doc comment, to the lowest header that sees
    every type they use;
  - the file comment and the RS_API definition go to base.h; the umbrella
    keeps the file comment (conventions) and includes every module header.
Each header includes the lower headers whose names it uses (computed, so a
new declaration needs no edit here) and fails the run if it would need a
higher one.
"""
import argparse
import os
import re
import sys

# Lowest first: the layers of build-aux/check-layers.py that have a public
# API (core's public part is base; store has none).  A header may include
# only headers listed before it.
HEADERS = ["base", "text", "graph", "io", "learn", "items", "user", "score", "eval", "sim",
           "model"]

# Section banner title (its first line, up to the first ':' or the whole
# line) -> header.
SECTIONS = {
    "Versions": "base",
    "Status codes and error messages": "base",
    "Threads, BLAS and memory": "base",
    "graph": "graph",
    "items": "items",
    "text": "text",
    "learn": "learn",
    "user": "user",
    "score": "score",
    "io": "io",
    "eval": "eval",
    "sim": "sim",
    "model": "model",
}

# Declarations (by function name) that move, with their doc comment, from
# the section they were written in to the header of the layer that owns
# them, appended under the given subsection title.
MOVES = [
    # text -> graph: they store an embedder in the graph's file; text sits
    # below graph and cannot name rs_graph.
    ("rs_embedder_save", "graph", "Embedders stored in a graph file"),
    ("rs_embedder_load", "graph", "Embedders stored in a graph file"),
    # text -> learn: graph propagation of text vectors lives in src/learn.
    ("rs_embedder_embed_graph", "learn", "Text vectors propagated over the graph"),
    # learn -> items: an item store of a fitted model (src/items).
    ("rs_cf_model_item_store", "items", "An item store from a collaborative model"),
    # model -> eval: a function of rs_eval (src/eval).
    ("rs_eval_result_list", "eval", "The lists behind a result row"),
]

ONLY_HEADER = (" * This is the only public header. It is valid C99 and C++, has no inline\n"
               " * functions, no variadic functions and no structure whose layout can change:\n"
               " * everything is reachable through FFI.\n")
UMBRELLA_TEXT = (
    " * This is the header to include.  It includes the per-module headers\n"
    " * recsim/<module>.h, one per layer of the library, lowest first (see\n"
    " * ARCHITECTURE.md); each of those compiles alone and includes the lower\n"
    " * ones it needs.  Every header is valid C99 and C++, has no inline\n"
    " * functions, no variadic functions and no structure whose layout can\n"
    " * change: everything is reachable through FFI.\n")

TITLES = {
    "base": "versions, status codes and messages, threads, allocation",
    "text": "preprocessing and embedders, rs_embedder (src/text)",
    "graph": "the knowledge graph, rs_graph (src/graph)",
    "io": "readers, cleaning and import (src/io)",
    "learn": "collaborative models (src/learn)",
    "items": "the item store and top-k kernel, rs_item_store (src/items)",
    "user": "the user model, rs_user_model (src/user)",
    "score": "the scorer, rs_scorer (src/score)",
    "eval": "splits and metrics (src/eval)",
    "sim": "user simulation, rs_sim (src/sim)",
    "model": "the recommender of one model file, rs_model (src/model)",
}


def fail(msg):
    sys.exit("split-header: " + msg)


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def defined_names(text):
    """Types, enumerators and macros a piece of header text defines."""
    code = strip_comments(text)
    names = set()
    for m in re.finditer(r"\}\s*(rs_\w+)\s*;", code):
        names.add(m.group(1))
    for m in re.finditer(r"typedef\s+[^;{}]*?\b(rs_\w+)\s*(?:RS_DEPRECATED\([^)]*\)\s*)?;", code):
        names.add(m.group(1))
    for m in re.finditer(r"\(\s*\*\s*(rs_\w+)\s*\)\s*\(", code):
        names.add(m.group(1))
    for m in re.finditer(r"^\s*#\s*define\s+(RS_\w+|RECSIM_\w+)", code, re.M):
        names.add(m.group(1))
    for body in re.findall(r"\benum\s+\w*\s*\{(.*?)\}", code, re.S):
        for m in re.finditer(r"(?:^|,)\s*(RS_[A-Z0-9_]+)", body):
            names.add(m.group(1))
    return names


def used_names(text):
    return set(re.findall(r"\b(rs_\w+|RS_\w+)\b", strip_comments(text)))


def split_sections(lines):
    """-> preamble lines, [(title, lines)], postamble lines."""
    first = next((i for i, l in enumerate(lines) if l.startswith("/* ====")), None)
    if first is None:
        fail("no section banner: is the input already split?")
    tail = max(i for i, l in enumerate(lines) if l.startswith("#ifdef __cplusplus"))
    # The closing brace and guard, and the blank lines before them.
    while lines[tail - 1].strip() == "":
        tail -= 1
    sections = []
    for i in range(first, tail):
        if lines[i].startswith("/* ===="):
            title = lines[i + 1].lstrip(" *").rstrip()
            sections.append((title, []))
        sections[-1][1].append(lines[i])
    return lines[:first], sections, lines[tail:]


def header_of(title):
    key = title.split(":")[0].strip()
    if key not in SECTIONS:
        fail("section '%s' has no header in SECTIONS" % title)
    return SECTIONS[key]


def take_declaration(lines, name):
    """Remove the doc comment + RS_API declaration of name from lines."""
    decl = re.compile(r"^RS_API\b[^(]*\b%s\s*\(" % re.escape(name))
    at = [i for i, l in enumerate(lines) if decl.match(l)]
    if len(at) != 1:
        return None
    start = end = at[0]
    while not lines[end].rstrip().endswith(";"):
        end += 1
    if lines[start - 1].rstrip() == " */":
        while not lines[start - 1].startswith("/*"):
            start -= 1
        start -= 1
    end += 1
    if end < len(lines) and lines[end].strip() == "":
        end += 1
    block = lines[start:end]
    del lines[start:end]
    return block


def module_comment(mod, deps):
    out = ["/*",
           " * recsim/%s.h - %s." % (mod, TITLES[mod]),
           " *",
           " * Part of the public interface of librecsim: include recsim.h, which",
           " * includes every module header; this one also compiles alone.  It",
           " * includes the lower layers it names: %s." % (", ".join(deps) or "none"),
           " * Generated from a one-file recsim.h by build-aux/split-header.py; edit",
           " * it directly from now on (CONTRIBUTING.md).",
           " */"]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("monolith", nargs="?", default="include/recsim.h")
    ap.add_argument("--out", default="include")
    args = ap.parse_args()
    with open(args.monolith, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    pre, sections, post = split_sections(lines)

    body = {m: [] for m in HEADERS}
    for title, sl in sections:
        body[header_of(title)].extend(sl)
    moved = {m: [] for m in HEADERS}
    for name, dest, sub in MOVES:
        block = None
        for mod in HEADERS:
            block = take_declaration(body[mod], name)
            if block:
                break
        if block is None:
            fail("declaration of %s not found exactly once" % name)
        moved[dest].append((sub, block))
    for mod in HEADERS:
        last = None
        for sub, block in moved[mod]:
            if sub != last:
                while body[mod] and body[mod][-1].strip() == "":
                    body[mod].pop()
                body[mod] += ["", "", "/* " + "-" * 70, " * " + sub,
                              " * " + "-" * 68 + " */", ""]
                last = sub
            body[mod] += block
        while body[mod] and body[mod][-1].strip() == "":
            body[mod].pop()

    # The preamble: file comment, guard, includes, extern "C", RS_API.
    pre_text = "\n".join(pre) + "\n"
    if ONLY_HEADER not in pre_text:
        fail("the file comment changed: update ONLY_HEADER")
    comment_end = pre.index(" */") + 1
    file_comment = pre[:comment_end]
    api_start = next(i for i, l in enumerate(pre) if l.startswith("/*") and i >= comment_end)
    api_def = pre[api_start:]
    while api_def and api_def[-1].strip() == "":
        api_def.pop()

    # Dependencies: the lower headers whose names each header uses.
    defs = {}
    for mod in HEADERS:
        src = "\n".join(body[mod] + (api_def if mod == "base" else []))
        for n in defined_names(src):
            defs.setdefault(n, mod)
    deps = {}
    for mod in HEADERS:
        need = {defs[n] for n in used_names("\n".join(body[mod])) if n in defs} - {mod}
        for d in need:
            if HEADERS.index(d) > HEADERS.index(mod):
                names = sorted(n for n in used_names("\n".join(body[mod]))
                               if defs.get(n) == d)
                fail("%s.h would include the higher %s.h (for %s): add a MOVE"
                     % (mod, d, ", ".join(names)))
        need.add("base")
        need.discard(mod)
        deps[mod] = [h for h in HEADERS if h in need]

    os.makedirs(os.path.join(args.out, "recsim"), exist_ok=True)
    written = []
    for mod in HEADERS:
        guard = "RECSIM_%s_H" % mod.upper()
        out = module_comment(mod, deps[mod] if mod != "base" else [])
        out += ["#ifndef " + guard, "#define " + guard, ""]
        if mod == "base":
            out += ["#include <stddef.h>", "#include <stdint.h>", ""]
        else:
            # Siblings by bare name: found next to this file whatever -I says.
            out += ['#include "%s.h"' % d for d in deps[mod]] + [""]
        out += ["#ifdef __cplusplus", 'extern "C" {', "#endif", ""]
        if mod == "base":
            out += api_def + [""]
        out += body[mod]
        out += ["", "#ifdef __cplusplus", "}", "#endif", "", "#endif /* %s */" % guard]
        path = os.path.join(args.out, "recsim", mod + ".h")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(out) + "\n")
        written.append("\n".join(out))

    umbrella = "\n".join(file_comment) + "\n"
    umbrella = umbrella.replace(ONLY_HEADER, UMBRELLA_TEXT)
    umbrella += "#ifndef RECSIM_H\n#define RECSIM_H\n\n"
    umbrella += "".join('#include "recsim/%s.h"\n' % m for m in HEADERS)
    umbrella += "\n#endif /* RECSIM_H */\n"
    with open(os.path.join(args.out, "recsim.h"), "w", encoding="utf-8") as f:
        f.write(umbrella)

    # Every line of a section landed once, verbatim.
    src_lines = [l for _, sl in sections for l in sl if l.strip()]
    out_lines = "\n".join(written).split("\n")
    from collections import Counter
    have = Counter(out_lines)
    for l, n in Counter(src_lines).items():
        if have[l] < n:
            fail("line lost in the split: %r" % l)
    for mod in HEADERS:
        print("split-header: recsim/%s.h (%d lines) includes %s"
              % (mod, len(body[mod]), ", ".join(deps[mod]) or "-"))


if __name__ == "__main__":
    main()
