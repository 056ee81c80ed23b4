#!/usr/bin/env python3
"""model_digest.py MODEL - a digest of a model file's content, as another
process sees it: every table's rows (sorted), through a read-only SQLite
connection.  Two files digest alike when they hold the same data, whatever
their page layout.  Values that differ between two runs of the same command
on the same data are made canonical first:
  - the text of a note (rs_model_set_note: `recsim import` records the time);
  - "seconds" in the build's selection report (model.tuning);
  - the order of the entries of the fitted idf table (embedder.idf), which
    follows the hash table's slots and so the threads' merge order; the
    entries are sorted and the blob's trailing checksum dropped.
Prints 16 hex digits.  Used by tests/scripts/crashtest.sh."""
import hashlib
import re
import sqlite3
import sys

IDF_HEADER = 8 + 8 + 4 + 8  # magic, documents, unseen idf, size
IDF_ENTRY = 8 + 4           # feature hash, idf
CHECKSUM = 8


def canonical_meta(key, value):
    if key.startswith(("model.note:", "note:")):
        return b""
    if isinstance(value, str):
        value = value.encode()
    if key == "model.tuning":
        return re.sub(rb'"seconds":[0-9.eE+-]*', b"", value)
    if key == "embedder.idf" and len(value) >= IDF_HEADER + CHECKSUM:
        body = value[IDF_HEADER:len(value) - CHECKSUM]
        if len(body) % IDF_ENTRY == 0:
            entries = sorted(body[i:i + IDF_ENTRY] for i in range(0, len(body), IDF_ENTRY))
            return value[:IDF_HEADER] + b"".join(entries)
    return value


def main():
    db = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    total = hashlib.sha256()
    tables = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name")]
    for table in tables:
        rows = db.execute('SELECT * FROM "%s"' % table.replace('"', '""')).fetchall()
        if table == "meta":
            rows = [(k, canonical_meta(k, v)) for k, v in rows]
        total.update(table.encode() + b"\0")
        for row in sorted(repr(r) for r in rows):
            total.update(row.encode() + b"\n")
    db.close()
    print(total.hexdigest()[:16])


if __name__ == "__main__":
    main()
