"""recsim - the Python package of librecsim (ctypes, no compiler needed).

    import recsim
    with recsim.Model.create("shop.rsm") as m:
        m.import_log("retail.tsv", preset="retail")
        m.build()
        keys, scores = m.recommend("13705", k=5)
        print(m.explain("13705", keys[0]).text)

The model file is the whole model (one SQLite file); :class:`Model` wraps the
library's ``rs_model``.  Every failing call raises :class:`RecsimError` with
the status, its name and the library's detailed message.  The ids of statuses,
statistics and enums come from ``_constants`` (generated from recsim.h and
checked against it by ``make check``); option names, types, bounds and defaults
come from the library at run time (``rs_model_option_info``).

The library is found through ``RECSIM_LIBRARY`` (a path, overriding), else the
dynamic loader's path (``librecsim.so.1``), else the install's LIBDIR, else the
build tree.  Every C call releases the GIL (ctypes.CDLL), so Python threads run
in parallel while the library works; a read-only model may serve recommend /
explain / similar from many threads at once.
"""
from __future__ import annotations

from ._constants import EVAL_FIELD, SIM_STAT, STATUS
from ._lib import BINDING_MAJOR, RecsimError, check, lib
from .cf import CFModel
from .model import (Explanation, Model, OptionInfo, Options, Recommendations, SimMerge,
                    SimShard, SimulationResult, merge_eval_parts, option_info)

__all__ = ["RecsimError", "Model", "CFModel", "Options", "OptionInfo", "Explanation", "Recommendations",
           "SimulationResult", "SimShard", "SimMerge", "option_info", "merge_eval_parts", "lib", "check", "version", "version_string",
           "strerror", "blas_corename", "set_num_threads", "get_num_threads", "STATUS",
           "SIM_STAT", "EVAL_FIELD", "BINDING_MAJOR"]

__version__ = lib.rs_version_string().decode()


def version() -> int:
    """The library's version number, major * 10000 + minor * 100 + patch."""
    return lib.rs_version()


def version_string() -> str:
    """The library's version as "MAJOR.MINOR.PATCH"."""
    return lib.rs_version_string().decode()


def strerror(status: int) -> str:
    """The library's one-line description of a status code."""
    return lib.rs_strerror(status).decode()


def blas_corename() -> str:
    """The OpenBLAS kernel in use (e.g. "Haswell")."""
    return lib.rs_blas_corename().decode()


def set_num_threads(n: int) -> None:
    """Threads the library may use (batch recommend, build, evaluate); 0 = all cores."""
    check(lib.rs_set_num_threads(int(n)))


def get_num_threads() -> int:
    """Threads the library uses."""
    return lib.rs_get_num_threads()
