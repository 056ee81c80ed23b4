"""recsim.CFModel: the library's collaborative models on a scipy.sparse
user x item matrix, in the habits of `implicit` (fit, recommend,
similar_items, user_factors / item_factors).

This is the lower-level rs_cf_model (no graph, no keys: rows and columns are
the caller's indices).  For the whole recommender over a model file use
recsim.Model.
"""
from __future__ import annotations

from ctypes import POINTER, byref, c_double, c_int, c_longlong, c_size_t, c_uint32, c_void_p
from typing import Optional, Tuple

import numpy as np

from ._constants import CF_KIND, CF_OPTION
from ._lib import Closing, check, lib

__all__ = ["CFModel"]

_P, _PP = c_void_p, POINTER(c_void_p)
for _name, _res, _args in [
        ("rs_cf_matrix_create", c_int, [c_size_t, c_size_t, _P, _P, _P, c_size_t, _PP]),
        ("rs_cf_matrix_free", None, [_P]),
        ("rs_cf_model_create", c_int, [c_int, _PP]),
        ("rs_cf_model_free", None, [_P]),
        ("rs_cf_model_set_int", c_int, [_P, c_int, c_longlong]),
        ("rs_cf_model_set_double", c_int, [_P, c_int, c_double]),
        ("rs_cf_model_get_int", c_int, [_P, c_int, POINTER(c_longlong)]),
        ("rs_cf_model_get_double", c_int, [_P, c_int, POINTER(c_double)]),
        ("rs_cf_model_fit", c_int, [_P, _P]),
        ("rs_cf_model_dim", c_size_t, [_P]),
        ("rs_cf_model_users", c_size_t, [_P]),
        ("rs_cf_model_items", c_size_t, [_P]),
        ("rs_cf_model_user_factors", c_int, [_P, c_uint32, _P, c_size_t]),
        ("rs_cf_model_item_factors", c_int, [_P, c_uint32, _P, c_size_t]),
        ("rs_cf_model_score", c_int, [_P, _P, _P, c_size_t, _P, c_size_t])]:
    _fn = getattr(lib, _name)
    _fn.restype, _fn.argtypes = _res, _args

_DOUBLE_FROM = 100  # rs_cf_option: ids from 100 on are double options


def _as(arr, dtype):
    """arr as a C-contiguous array of dtype: no copy when it already is one
    (int32 indices, never negative in scipy.sparse, are viewed as uint32)."""
    arr = np.asarray(arr)
    if dtype == np.uint32 and arr.dtype == np.int32:
        arr = arr.view(np.uint32)
    return np.ascontiguousarray(arr, dtype=dtype)


def _ptr(arr):
    return arr.ctypes.data_as(c_void_p)


class CFModel(Closing):
    """A collaborative model: "als", "itemknn", "ease", "rp3beta", "edlae",
    "gfcf" or "ease_pairs", with options by name (factors, iterations, pairs,
    regularization (the library's lambda), alpha, neighbors, shrink, beta, dropout, ...; see
    rs_cf_model_create(3)).  fit() releases the GIL and uses the library's
    threads."""

    def __init__(self, kind: str = "als", **options):
        if kind not in CF_KIND:
            raise ValueError("kind must be one of %s" % ", ".join(CF_KIND))
        self.kind = kind
        h = c_void_p()
        check(lib.rs_cf_model_create(CF_KIND[kind], byref(h)))
        self._h = h
        for name, value in options.items():
            self.set(name, value)

    def set(self, name: str, value) -> None:
        """Set an option by name ("regularization" is the library's "lambda")."""
        oid = self._option(name)
        if oid >= _DOUBLE_FROM:
            check(lib.rs_cf_model_set_double(self._h, oid, float(value)))
        else:
            if isinstance(value, float) and not value.is_integer():
                raise TypeError("option %s is an int" % name)
            check(lib.rs_cf_model_set_int(self._h, oid, int(value)))

    def get(self, name: str):
        """An option's value."""
        oid = self._option(name)
        if oid >= _DOUBLE_FROM:
            v = c_double()
            check(lib.rs_cf_model_get_double(self._h, oid, byref(v)))
        else:
            v = c_longlong()
            check(lib.rs_cf_model_get_int(self._h, oid, byref(v)))
        return v.value

    @staticmethod
    def _option(name: str) -> int:
        key = {"regularization": "lambda", "lambda_": "lambda"}.get(name, name)
        if key not in CF_OPTION:
            raise KeyError("unknown option %r (known: %s)" % (name, ", ".join(CF_OPTION)))
        return CF_OPTION[key]

    def close(self) -> None:
        """Free the model (idempotent)."""
        if getattr(self, "_h", None) is not None:
            lib.rs_cf_model_free(self._h)
            self._h = None

    # -- fit
    def fit(self, user_items, show_progress: bool = False) -> "CFModel":
        """Fit on a scipy.sparse users x items matrix (CSR, COO or any format;
        entries are interaction weights > 0, repeats summed).  COO's row and
        column arrays and the data are passed without a copy when they are
        int32/uint32 and float32; a CSR's column indices and data likewise,
        its row index is expanded once (nnz uint32)."""
        import scipy.sparse as sp
        if not sp.issparse(user_items):
            raise TypeError("user_items must be a scipy.sparse matrix, not %s"
                            % type(user_items).__name__)
        if user_items.ndim != 2 or user_items.nnz == 0:
            raise ValueError("user_items must be a non-empty 2-D sparse matrix")
        n_users, n_items = user_items.shape
        if user_items.format == "csr":
            rows = np.repeat(np.arange(n_users, dtype=np.uint32),
                             np.diff(user_items.indptr))
            cols = _as(user_items.indices, np.uint32)
        else:
            coo = user_items.tocoo(copy=False)
            rows, cols = _as(coo.row, np.uint32), _as(coo.col, np.uint32)
            user_items = coo
        data = _as(user_items.data, np.float32)
        m = c_void_p()
        check(lib.rs_cf_matrix_create(n_users, n_items, _ptr(rows), _ptr(cols), _ptr(data),
                                      len(data), byref(m)))
        try:
            check(lib.rs_cf_model_fit(self._h, m))
        finally:
            lib.rs_cf_matrix_free(m)
        return self

    @property
    def shape(self) -> Tuple[int, int]:
        """(users, items) of the fit."""
        return lib.rs_cf_model_users(self._h), lib.rs_cf_model_items(self._h)

    # -- factors (ALS)
    def _factors(self, n, fn):
        dim = lib.rs_cf_model_dim(self._h)
        out = np.empty((n, dim), dtype=np.float32)
        for i in range(n):
            check(fn(self._h, i, _ptr(out[i]), dim))
        return out

    @property
    def user_factors(self) -> np.ndarray:
        """ALS user factors, users x dim (RecsimError RS_ERR_STATE for other kinds)."""
        return self._factors(self.shape[0], lib.rs_cf_model_user_factors)

    @property
    def item_factors(self) -> np.ndarray:
        """ALS item factors, items x dim."""
        return self._factors(self.shape[1], lib.rs_cf_model_item_factors)

    # -- scoring
    def score(self, items, weights=None) -> np.ndarray:
        """The model's score of every item for a user given by item indices
        (and weights): float32, n_items (rs_cf_model_score)."""
        items = _as(items, np.uint32)
        w = None if weights is None else _as(weights, np.float32)
        if w is not None and len(w) != len(items):
            raise ValueError("%d items but %d weights" % (len(items), len(w)))
        n_items = self.shape[1]
        out = np.empty(n_items, dtype=np.float32)
        check(lib.rs_cf_model_score(self._h, _ptr(items) if len(items) else None,
                                    _ptr(w) if w is not None else None, len(items), _ptr(out),
                                    n_items))
        return out

    def recommend(self, userid, user_items, N: int = 10,
                  filter_already_liked_items: bool = True,
                  items: Optional[np.ndarray] = None):
        """Top N item indices and float32 scores for a user (an int: user_items
        is the CSR matrix and row userid is the user's history) or for several
        (an array: (len, N) arrays, padded with -1 / NaN).  ``items``: score
        only these item indices."""
        import scipy.sparse as sp
        ui = user_items.tocsr() if sp.issparse(user_items) else None
        if ui is None:
            raise TypeError("user_items must be a scipy.sparse matrix")
        single = np.ndim(userid) == 0
        users = np.atleast_1d(np.asarray(userid))
        if users.dtype.kind not in "iu":
            raise TypeError("userid must be integer indices")
        ids = np.full((len(users), N), -1, dtype=np.int64)
        scores = np.full((len(users), N), np.nan, dtype=np.float32)
        allowed = None
        if items is not None:
            allowed = np.zeros(self.shape[1], dtype=bool)
            allowed[np.asarray(items)] = True
        for row, u in enumerate(users):
            lo, hi = ui.indptr[u], ui.indptr[u + 1]
            hist = ui.indices[lo:hi]
            s = self.score(hist, ui.data[lo:hi])
            if filter_already_liked_items:
                s[hist] = -np.inf
            if allowed is not None:
                s[~allowed] = -np.inf
            k = min(N, int(np.isfinite(s).sum()))
            if k == 0:
                continue
            top = np.argpartition(-s, k - 1)[:k]
            top = top[np.lexsort((top, -s[top]))]
            ids[row, :k], scores[row, :k] = top, s[top]
        if single:
            keep = ids[0] >= 0
            return ids[0][keep], scores[0][keep]
        return ids, scores

    def similar_items(self, itemid: int, N: int = 10):
        """The N items most related to itemid, best first, itself left out:
        the model's scores for a user who has only that item."""
        s = self.score([int(itemid)])
        s[int(itemid)] = -np.inf
        k = min(N, int(np.isfinite(s).sum()))
        top = np.argpartition(-s, k - 1)[:k]
        top = top[np.lexsort((top, -s[top]))]
        return top, s[top]
