"""Shared fixtures: the demo data, a scratch directory, the recsim CLI, and
models built once per test process."""
import os
import subprocess
import tempfile

import recsim

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
DATA = os.path.join(ROOT, "examples", "data", "onlineretail_sample.tsv")
CLI = os.environ.get("RECSIM_CLI", os.path.join(ROOT, "bin", "recsim"))
TMP = os.environ.get("RECSIM_TMP") or tempfile.mkdtemp(prefix="recsim-py-")
os.makedirs(TMP, exist_ok=True)

_built = {}


def tmp(name):
    """A fresh path in the scratch directory (removed first)."""
    path = os.path.join(TMP, name)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    return path


def cli(*args):
    """Run the recsim CLI; its standard output."""
    return subprocess.run([CLI, *args], check=True,
                          capture_output=True, text=True).stdout


def cli_model():
    """The demo model built by the CLI (import --preset retail, build)."""
    if "cli" not in _built:
        path = tmp("cli.rsm")
        cli("import", "--preset", "retail", path, DATA)
        cli("build", path)
        _built["cli"] = path
    return _built["cli"]


def py_model():
    """The demo model built from Python (import_log of the file, build)."""
    if "py" not in _built:
        path = tmp("py.rsm")
        with recsim.Model.create(path) as m:
            m.import_log(DATA, preset="retail")
            m.build()
        _built["py"] = path
    return _built["py"]
