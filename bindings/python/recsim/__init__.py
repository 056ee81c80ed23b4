"""recsim - Python bindings for librecsim through ctypes.

Load order for the shared library: the RECSIM_LIBRARY environment variable
(a path), then the build tree next to this package (../../lib), then the
system's search path (ctypes.util.find_library("recsim")).

Errors raise RecsimError, which carries the status code, its name and the
library's detailed message (rs_errmsg()).
"""
import ctypes
import ctypes.util
import os

__all__ = ["RecsimError", "lib", "version", "version_string", "blas_corename",
           "set_num_threads", "get_num_threads", "STATUS"]

# rs_status values, as in recsim.h (append-only).
STATUS = {
    "RS_OK": 0, "RS_ERR_INVALID": -1, "RS_ERR_NOMEM": -2, "RS_ERR_RANGE": -3,
    "RS_ERR_DIM": -4, "RS_ERR_NOTFOUND": -5, "RS_ERR_EXISTS": -6,
    "RS_ERR_ENCODING": -7, "RS_ERR_IO": -8, "RS_ERR_CORRUPT": -9,
    "RS_ERR_VERSION": -10, "RS_ERR_BUFFER": -11, "RS_ERR_READONLY": -12,
    "RS_ERR_CALLBACK": -13, "RS_ERR_OVERFLOW": -14, "RS_ERR_UNSUPPORTED": -15,
    "RS_ERR_STATE": -16, "RS_ERR_PARSE": -17, "RS_ERR_BUSY": -18,
    "RS_ERR_LIMIT": -19, "RS_ERR_INTERNAL": -20,
}
_STATUS_NAMES = {v: k for k, v in STATUS.items()}

# The major version this binding speaks; the library must match it.
BINDING_MAJOR = 1


class RecsimError(Exception):
    """A librecsim call failed: .status (int), .name, .message."""

    def __init__(self, status, message):
        self.status = status
        self.name = _STATUS_NAMES.get(status, "unknown")
        self.message = message
        super().__init__("%s (%d): %s" % (self.name, status, message))


def _candidates():
    env = os.environ.get("RECSIM_LIBRARY")
    if env:
        yield env
    here = os.path.dirname(os.path.abspath(__file__))
    yield os.path.join(here, "..", "..", "..", "lib", "librecsim.so.1")
    found = ctypes.util.find_library("recsim")
    if found:
        yield found


def _load():
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as exc:
            errors.append("%s: %s" % (path, exc))
    raise ImportError("librecsim not found; set RECSIM_LIBRARY. Tried: " + "; ".join(errors))


lib = _load()


def _declare(name, restype, argtypes):
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = argtypes
    return fn


_declare("rs_version", ctypes.c_uint, [])
_declare("rs_version_string", ctypes.c_char_p, [])
_declare("rs_strerror", ctypes.c_char_p, [ctypes.c_int])
_declare("rs_errmsg", ctypes.c_char_p, [])
_declare("rs_errcode", ctypes.c_int, [])
_declare("rs_clear_error", None, [])
_declare("rs_set_num_threads", ctypes.c_int, [ctypes.c_int])
_declare("rs_get_num_threads", ctypes.c_int, [])
_declare("rs_blas_corename", ctypes.c_char_p, [])
_declare("rs_free", None, [ctypes.c_void_p])
_declare("rs_max_key_bytes", ctypes.c_size_t, [])

if lib.rs_version() // 10000 != BINDING_MAJOR:
    raise ImportError("librecsim %s is not major version %d"
                      % (lib.rs_version_string().decode(), BINDING_MAJOR))


def check(status):
    """Raise RecsimError for a negative status; return it otherwise."""
    if status < 0:
        raise RecsimError(status, lib.rs_errmsg().decode("utf-8", "replace"))
    return status


def version():
    return lib.rs_version()


def version_string():
    return lib.rs_version_string().decode()


def strerror(status):
    return lib.rs_strerror(status).decode()


def blas_corename():
    return lib.rs_blas_corename().decode()


def set_num_threads(n):
    check(lib.rs_set_num_threads(n))


def get_num_threads():
    return lib.rs_get_num_threads()
