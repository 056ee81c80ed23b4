"""Loading librecsim and declaring the C functions the package calls (ctypes).

Load order: the ``RECSIM_LIBRARY`` environment variable (a path) overrides
everything; then the dynamic loader's normal search for ``librecsim.so.1``
(LD_LIBRARY_PATH, the ld.so cache, the default directories); then the LIBDIR
that ``make install`` recorded in ``_install.py``; then the build tree next to
the sources (``../../../lib``).

ctypes.CDLL releases the GIL for the whole of every foreign call, so long calls
(build, recommend_batch, evaluate, simulate) let other Python threads run.
"""
from __future__ import annotations

import ctypes
import os
from ctypes import (POINTER, c_char_p, c_double, c_float, c_int, c_int64, c_size_t, c_uint,
                    c_uint32, c_uint64, c_void_p)

from ._constants import STATUS

_STATUS_NAMES = {v: k for k, v in STATUS.items()}

#: The major version this package speaks; the library must have it.
BINDING_MAJOR = 1
SONAME = "librecsim.so.1"


class RecsimError(Exception):
    """A librecsim call failed.

    Attributes: ``status`` (the negative rs_status int), ``name`` (its
    enumerator, e.g. ``"RS_ERR_RANGE"``) and ``message`` (the library's
    detailed message, rs_errmsg(), naming the file, key or bound at fault).
    """

    def __init__(self, status: int, name: str | None = None, message: str = ""):
        self.status = status
        self.name = name if name is not None else _STATUS_NAMES.get(status, "unknown")
        self.message = message
        super().__init__("%s (%d): %s" % (self.name, status, message))

    def __reduce__(self):  # picklable, so that Dask workers can raise it
        return (RecsimError, (self.status, self.name, self.message))


def _candidates():
    env = os.environ.get("RECSIM_LIBRARY")
    if env:
        yield env
        return
    yield SONAME
    try:
        from . import _install  # written by `make install`
        yield os.path.join(_install.LIBDIR, SONAME)
    except ImportError:
        pass
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.normpath(os.path.join(here, "..", "..", "..", "lib", SONAME))


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as exc:
            errors.append("%s: %s" % (path, exc))
    raise ImportError("librecsim not found; set RECSIM_LIBRARY to its path. Tried: "
                      + "; ".join(errors))


def _one_blas_thread_when_limited():
    """OPENBLAS_NUM_THREADS=1 under a finite address-space limit (ulimit -v).

    OpenBLAS's load-time constructor starts a worker per core, each mapping a
    work buffer of about 128 MiB, and a worker whose map fails retries it
    forever: the import would hang.  The variable must be set before OpenBLAS
    is loaded (a numpy imported earlier may have loaded it already; then only
    setting the variable before starting Python helps).  A thread count the
    user set is left alone.  The recsim command does the same in its
    .preinit_array (tools/recsim/preinit.c).
    """
    try:
        import resource
        soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    except (ImportError, OSError, ValueError):
        return
    if soft == resource.RLIM_INFINITY:
        return
    if any(name in os.environ
           for name in ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")):
        return
    os.environ["OPENBLAS_NUM_THREADS"] = "1"


_one_blas_thread_when_limited()
lib, path = _load()


def _declare(name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


P = c_void_p
PP = POINTER(c_void_p)
STRS = POINTER(c_char_p)

_DECLS = [
    # core
    ("rs_version", c_uint, []),
    ("rs_version_string", c_char_p, []),
    ("rs_strerror", c_char_p, [c_int]),
    ("rs_errmsg", c_char_p, []),
    ("rs_errcode", c_int, []),
    ("rs_clear_error", None, []),
    ("rs_set_num_threads", c_int, [c_int]),
    ("rs_get_num_threads", c_int, []),
    ("rs_blas_corename", c_char_p, []),
    ("rs_free", None, [c_void_p]),
    ("rs_max_key_bytes", c_size_t, []),
    # io
    ("rs_reader_open", c_int, [c_char_p, c_int, PP]),
    ("rs_reader_open_memory", c_int, [c_void_p, c_size_t, c_char_p, c_int, PP]),
    ("rs_reader_close", None, [P]),
    ("rs_reader_map", c_int, [P, c_int, c_char_p]),
    ("rs_io_parse_time", c_int, [c_char_p, c_size_t, POINTER(c_int64)]),
    ("rs_cleaner_create", c_int, [PP]),
    ("rs_cleaner_free", None, [P]),
    ("rs_cleaner_set_missing", c_int, [P, STRS, c_size_t]),
    ("rs_cleaner_add_required", c_int, [P, c_char_p, c_char_p]),
    ("rs_cleaner_add_range", c_int, [P, c_char_p, c_char_p, c_double, c_double, c_uint]),
    ("rs_cleaner_add_match", c_int, [P, c_char_p, c_char_p, c_int, c_char_p, c_int]),
    ("rs_cleaner_add_dedup", c_int, [P, c_char_p, STRS, c_size_t]),
    ("rs_cleaner_add_type", c_int, [P, c_char_p, c_char_p, c_int]),
    ("rs_cleaner_set_reject_file", c_int, [P, c_char_p]),
    ("rs_cleaner_rule_count", c_size_t, [P]),
    ("rs_cleaner_rule_name", c_char_p, [P, c_size_t]),
    ("rs_cleaner_dropped", c_uint64, [P, c_size_t]),
    ("rs_cleaner_kept", c_uint64, [P]),
    # eval results
    ("rs_eval_free", None, [P]),
    ("rs_eval_result_count", c_size_t, [P]),
    ("rs_eval_result", c_int, [P, c_size_t, c_int, POINTER(c_double)]),
    ("rs_eval_result_name", c_char_p, [P, c_size_t]),
    ("rs_eval_field_name", c_char_p, [c_int]),
    # model
    ("rs_model_open", c_int, [c_char_p, c_int, PP]),
    ("rs_model_close", None, [P]),
    ("rs_model_is_built", c_int, [P]),
    ("rs_model_import_interactions", c_int, [P, P, P, c_char_p, c_uint, POINTER(c_uint64)]),
    ("rs_model_import_known_rows", c_uint64, [P]),
    ("rs_model_import_items", c_int, [P, P, P, STRS, c_size_t, STRS, c_size_t,
                                      POINTER(c_uint64)]),
    ("rs_model_import_users", c_int, [P, P, P, STRS, c_size_t, STRS, c_size_t, c_char_p,
                                      POINTER(c_uint64)]),
    ("rs_model_build", c_int, [P]),
    ("rs_model_recommend", c_int, [P, c_char_p, c_size_t, STRS, c_size_t, STRS, c_size_t,
                                   STRS, POINTER(c_float), POINTER(c_uint32),
                                   POINTER(c_size_t)]),
    ("rs_model_recommend_batch", c_int, [P, STRS, c_size_t, c_size_t, STRS, P, P, P]),
    ("rs_model_explain", c_int, [P, c_char_p, c_char_p, PP]),
    ("rs_explanation_free", None, [P]),
    ("rs_explanation_text", c_char_p, [P]),
    ("rs_explanation_length", c_size_t, [P]),
    ("rs_explanation_node_type", c_char_p, [P, c_size_t]),
    ("rs_explanation_node_key", c_char_p, [P, c_size_t]),
    ("rs_explanation_relation", c_char_p, [P, c_size_t, POINTER(c_int)]),
    ("rs_explanation_weight", c_double, [P]),
    ("rs_explanation_source", c_int, [P]),
    ("rs_model_similar", c_int, [P, c_char_p, c_size_t, STRS, POINTER(c_float),
                                 POINTER(c_uint32), POINTER(c_size_t)]),
    ("rs_model_observe", c_int, [P, c_char_p, c_char_p, c_char_p, c_double, c_int64]),
    ("rs_model_evaluate", c_int, [P, c_int, c_double, c_uint64, c_int, PP]),
    ("rs_model_evaluate_shard", c_int, [P, c_int, c_double, c_uint64, c_int, c_size_t, c_size_t,
                                        PP]),
    ("rs_eval_result_part", c_int, [P, c_size_t, P, c_size_t, POINTER(c_size_t)]),
    ("rs_eval_merge_parts", c_int, [POINTER(c_void_p), POINTER(c_size_t), c_size_t,
                                    POINTER(c_double), c_size_t]),
    ("rs_model_simulate", c_int, [P, STRS, c_size_t, c_size_t, c_uint64, c_size_t, c_uint64,
                                  PP]),
    ("rs_sim_trace_free", None, [P]),
    ("rs_sim_trace_policies", c_size_t, [P]),
    ("rs_sim_trace_policy_name", c_char_p, [P, c_size_t]),
    ("rs_sim_trace_steps", c_uint64, [P]),
    ("rs_sim_trace_value", c_int, [P, c_size_t, c_uint64, c_int, POINTER(c_double)]),
    ("rs_sim_trace_seconds", c_double, [P, c_size_t]),
    ("rs_model_sim_shard_begin", c_int, [P, c_char_p, c_size_t, c_size_t, c_uint64, c_size_t,
                                         c_size_t, PP]),
    ("rs_sim_shard_step", c_int, [P, c_char_p, c_size_t, PP, POINTER(c_size_t)]),
    ("rs_sim_shard_free", None, [P]),
    ("rs_sim_merge_create", c_int, [STRS, c_size_t, c_uint64, PP]),
    ("rs_sim_merge_step", c_int, [P, c_size_t, POINTER(c_void_p), POINTER(c_size_t), c_size_t,
                                  PP, POINTER(c_size_t)]),
    ("rs_sim_merge_trace", c_int, [P, PP]),
    ("rs_sim_merge_free", None, [P]),
    ("rs_model_option_count", c_size_t, []),
    ("rs_model_option_info", c_int, [c_size_t, STRS, POINTER(c_int), POINTER(c_double),
                                     POINTER(c_double), STRS, STRS, STRS]),
    ("rs_model_set_option", c_int, [P, c_char_p, c_char_p]),
    ("rs_model_set_int", c_int, [P, c_char_p, c_int64]),
    ("rs_model_set_double", c_int, [P, c_char_p, c_double]),
    ("rs_model_get_option", c_int, [P, c_char_p, c_char_p, c_size_t, POINTER(c_size_t)]),
    ("rs_model_get_int", c_int, [P, c_char_p, POINTER(c_int64)]),
    ("rs_model_get_double", c_int, [P, c_char_p, POINTER(c_double)]),
    ("rs_model_save_options", c_int, [P]),
    ("rs_model_count", c_size_t, [P, c_int]),
    ("rs_model_item_count", c_size_t, [P]),
    ("rs_model_item_key", c_char_p, [P, c_uint32]),
    ("rs_model_item_index", c_int, [P, c_char_p, POINTER(c_uint32)]),
]

for _name, _res, _args in _DECLS:
    _declare(_name, _res, _args)

if lib.rs_version() // 10000 != BINDING_MAJOR:
    raise ImportError("librecsim %s (%s) is not major version %d"
                      % (lib.rs_version_string().decode(), path, BINDING_MAJOR))


def errmsg() -> str:
    """The library's message of the last failure on this thread."""
    return lib.rs_errmsg().decode("utf-8", "replace")


def check(status: int) -> int:
    """Raise RecsimError for a negative status; return it otherwise."""
    if status < 0:
        raise RecsimError(status, None, errmsg())
    return status


class Closing:
    """The lifetime of an object over a library handle: ``with`` closes it on
    the way out, and so does garbage collection.  Subclasses define an
    idempotent ``close()``."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        self.close()
        return False

    def __del__(self):
        try:
            self.close()
        except Exception:  # a half-built object, or interpreter shutdown
            pass
