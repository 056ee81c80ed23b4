"""recsim.Model: one model file and the recommender over it (the C rs_model).

Every method is one or a few C calls; arrays cross the boundary by pointer
(numpy buffers), never item by item.  Item keys are returned as numpy object
arrays of str, scores as float32, store indices as uint32.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import math
import os
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from ctypes import (byref, c_char_p, c_double, c_float, c_int, c_int64, c_size_t, c_uint32,
                    c_uint64, c_void_p)
from typing import Any, NamedTuple, Optional, Union

import numpy as np

from ._constants import (DROP, FORMAT, IMPORT_FLAG, MATCH, MODEL_COUNT, MODEL_EVAL_FLAG,
                         MODEL_FLAG, MODEL_SPLIT, OPTION_TYPE, RANGE_FLAG, ROLE, SCORER_SOURCE,
                         SIM_STAT)
from ._lib import Closing, check, lib

__all__ = ["Model", "Options", "OptionInfo", "Explanation", "Recommendations",
           "SimulationResult", "option_info", "merge_eval_parts"]

_NO_ITEM = np.uint32(0xFFFFFFFF)
_SOURCE_NAMES = {v: k for k, v in SCORER_SOURCE.items()}
_OPTION_TYPE_NAMES = {v: k for k, v in OPTION_TYPE.items()}

UserKey = Union[str, int]
TimeLike = Union[int, float, str, _dt.datetime, "np.datetime64"]


# ------------------------------------------------------------------ helpers

def _enc(value: Any, what: str) -> bytes:
    """A key as UTF-8 bytes: str (or an integer, written in decimal)."""
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, bytes):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return str(int(value)).encode()
    raise TypeError("%s must be a str key (or an integer id), not %s"
                    % (what, type(value).__name__))


def _key_array(values: Any, what: str) -> "ctypes.Array":
    """A C array of char* for a 1-D sequence of keys (None for an empty one)."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise ValueError("%s must be one-dimensional, got shape %s" % (what, values.shape))
        if values.dtype.kind == "U":
            encoded = np.char.encode(values, "utf-8").tolist()
        elif values.dtype.kind in "OSiu":
            encoded = [_enc(v, what) for v in values.tolist()]
        else:
            raise TypeError("%s must hold str keys, not dtype %s" % (what, values.dtype))
    else:
        if hasattr(values, "to_numpy"):  # pandas Series / Index
            return _key_array(values.to_numpy(), what)
        encoded = [_enc(v, what) for v in values]
    arr = (c_char_p * max(len(encoded), 1))()
    arr[:len(encoded)] = encoded
    return arr, len(encoded)


def _opt_key_array(values: Optional[Iterable], what: str):
    if values is None:
        return None, 0
    if isinstance(values, (str, bytes)):
        values = [values]
    return _key_array(values if not isinstance(values, (set, frozenset)) else sorted(values),
                      what)


def _to_unix(value: TimeLike, what: str = "time") -> int:
    """Unix seconds of an int/float, an ISO 8601 string, a datetime or datetime64."""
    if isinstance(value, bool):
        raise TypeError("%s must be a time, not bool" % what)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError("%s must be finite" % what)
        return int(value)
    if isinstance(value, str):
        out = c_int64()
        data = value.encode()
        check(lib.rs_io_parse_time(data, len(data), byref(out)))
        return out.value
    if isinstance(value, np.datetime64):
        return int(value.astype("datetime64[s]").astype(np.int64))
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return int(value.timestamp())
    if isinstance(value, _dt.date):
        return int(_dt.datetime(value.year, value.month, value.day,
                                tzinfo=_dt.timezone.utc).timestamp())
    raise TypeError("%s must be Unix seconds, an ISO 8601 string or a datetime, not %s"
                    % (what, type(value).__name__))


def _ptr(arr: np.ndarray) -> c_void_p:
    return arr.ctypes.data_as(c_void_p)


# ------------------------------------------------------------------ options

class OptionInfo(NamedTuple):
    """One model option, as the library describes it (rs_model_option_info)."""
    name: str
    type: str            #: "int", "double", "choice" or "string"
    min: float
    max: float
    default: str         #: the default as text
    choices: tuple       #: the names a "choice" option accepts
    description: str


_OPTION_INFO: Optional[dict] = None


def option_info() -> "dict[str, OptionInfo]":
    """Every model option by name, read once from the library (a static table)."""
    global _OPTION_INFO
    if _OPTION_INFO is None:
        table = {}
        for i in range(lib.rs_model_option_count()):
            name, default, choices, desc = c_char_p(), c_char_p(), c_char_p(), c_char_p()
            typ, lo, hi = c_int(), c_double(), c_double()
            check(lib.rs_model_option_info(i, byref(name), byref(typ), byref(lo), byref(hi),
                                           byref(default), byref(choices), byref(desc)))
            dec = lambda p: (p.value or b"").decode()  # noqa: E731
            ch = dec(choices)
            table[dec(name)] = OptionInfo(dec(name), _OPTION_TYPE_NAMES.get(typ.value, "?"),
                                          lo.value, hi.value, dec(default),
                                          tuple(ch.split("|")) if ch else (), dec(desc))
        _OPTION_INFO = table
    return _OPTION_INFO


class Options(MutableMapping):
    """The model's options by name: ``m.options["scorer.w_popularity"] = 0``.

    Names, types, bounds and defaults come from the library.  Reading gives an
    int, a float or a str by the option's type; writing accepts a value of the
    type or its text.  ``del m.options[name]`` restores the default.  Values
    outside the bounds raise RecsimError (RS_ERR_RANGE, naming the bounds); an
    unknown name raises KeyError (the message lists the nearest names).
    Scorer options act at once, build/embedder/cf options at the next build(),
    eval/sim options at the next evaluate()/simulate().  build() and save()
    store them in the model file.
    """

    def __init__(self, model: "Model"):
        self._model = model

    def __getitem__(self, name: str):
        info = self.info(name)
        h = self._model._h
        key = name.encode()
        if info.type == "int":
            v = c_int64()
            check(lib.rs_model_get_int(h, key, byref(v)))
            return v.value
        if info.type == "double":
            v = c_double()
            check(lib.rs_model_get_double(h, key, byref(v)))
            return v.value
        return self._model._get_option_text(name)

    def __setitem__(self, name: str, value) -> None:
        info = self.info(name)
        h = self._model._h
        key = name.encode()
        if isinstance(value, bool):
            value = int(value)
        if info.type == "int" and isinstance(value, (int, np.integer)):
            check(lib.rs_model_set_int(h, key, int(value)))
        elif info.type == "double" and isinstance(value, (int, float, np.integer, np.floating)):
            check(lib.rs_model_set_double(h, key, float(value)))
        elif isinstance(value, str):
            check(lib.rs_model_set_option(h, key, value.encode()))
        else:
            raise TypeError("option %s is %s; cannot set it to %r"
                            % (name, info.type, value))

    def __delitem__(self, name: str) -> None:
        self[name] = self.info(name).default

    def __iter__(self) -> Iterator[str]:
        return iter(option_info())

    def __len__(self) -> int:
        return len(option_info())

    def __contains__(self, name) -> bool:
        return name in option_info()

    def info(self, name: str) -> OptionInfo:
        """The option's type, bounds, default, choices and description."""
        try:
            return option_info()[name]
        except (KeyError, TypeError):
            import difflib
            msg = "unknown option %r" % (name,)
            near = difflib.get_close_matches(str(name), list(option_info()), n=3, cutoff=0.5)
            if near:
                msg += "; nearest: " + ", ".join(near)
            raise KeyError(msg) from None

    def update_from(self, values: Optional[Mapping] = None, **kw) -> None:
        """Set several options; keyword names use '__' for '.' (cf__kind)."""
        for name, value in dict(values or {}, **{k.replace("__", "."): v
                                                 for k, v in kw.items()}).items():
            self[name] = value

    def to_dict(self) -> dict:
        """Every option's current value."""
        return {name: self[name] for name in self}

    def save(self) -> None:
        """Save the current options into the model file (rs_model_save_options)."""
        check(lib.rs_model_save_options(self._model._h))

    def __repr__(self) -> str:
        return "Options(%r)" % self.to_dict()


class _TemporaryOptions:
    """Set options for one call and restore the previous values afterwards."""

    def __init__(self, model: "Model", values: Mapping):
        self.model, self.values, self.saved = model, dict(values), {}

    def __enter__(self):
        opts = self.model.options
        try:
            for name, value in self.values.items():
                self.saved[name] = self.model._get_option_text(name) if name in opts else None
                opts[name] = value
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        for name, text in self.saved.items():
            if text is not None:
                lib.rs_model_set_option(self.model._h, name.encode(), text.encode())
        return False


# ------------------------------------------------------------------ results

class Recommendations(tuple):
    """``(keys, scores)``, unpackable, plus ``items`` (uint32 store indices)
    and ``counts`` (list lengths).

    One user: 1-D arrays of the list's length.  A batch of n users: (n, k)
    arrays, row i for user i; a list shorter than k is padded with None keys,
    NaN scores and 0xFFFFFFFF indices (``counts`` gives each length).
    """

    def __new__(cls, keys, scores, items, counts, users=None):
        self = tuple.__new__(cls, (keys, scores))
        self.items = items
        self.counts = counts
        self.users = users
        return self

    @property
    def keys(self) -> np.ndarray:
        """Item keys (object array of str; None pads a short list)."""
        return self[0]

    @property
    def scores(self) -> np.ndarray:
        """Scores, float32, best first (NaN pads a short list)."""
        return self[1]

    def to_frame(self):
        """A long pandas DataFrame: user (batch only), rank, item, score."""
        import pandas as pd
        if self.keys.ndim == 1:
            return pd.DataFrame({"rank": np.arange(1, len(self.keys) + 1),
                                 "item": self.keys, "score": self.scores})
        n, k = self.keys.shape
        mask = np.arange(k)[None, :] < np.asarray(self.counts)[:, None]
        users = np.repeat(np.asarray(self.users, dtype=object), k).reshape(n, k)
        ranks = np.tile(np.arange(1, k + 1), (n, 1))
        return pd.DataFrame({"user": users[mask], "rank": ranks[mask],
                             "item": self.keys[mask], "score": self.scores[mask]})


class Explanation(NamedTuple):
    """Why an item is recommended: the sentence and the graph path behind it.

    ``nodes`` is a list of (type, key) pairs from the user's node to the
    item's; ``relations`` a list of (relation, reversed) for the edges between
    consecutive nodes (reversed: the stored edge points backwards).  A cold
    user served by popularity has an empty path.
    """
    text: str
    nodes: list
    relations: list
    weight: float
    source: str  #: "history", "profile" or "popularity"

    @property
    def path(self) -> list:
        """Nodes and relations alternating: [node, relation, node, ...] as dicts."""
        out = []
        for i, (typ, key) in enumerate(self.nodes):
            if i:
                rel, rev = self.relations[i - 1]
                out.append({"relation": rel, "reversed": rev})
            out.append({"type": typ, "key": key})
        return out


class SimulationResult(NamedTuple):
    """A simulation: ``trace`` (one row per policy and step, the library's
    cumulative statistics by name), ``summary`` (one row per policy: the
    statistics after the last step and the wall seconds) and the run's
    parameters.  ``per_step()`` gives what happened in each step, the
    columns of ``recsim simulate --csv``."""
    trace: Any
    summary: Any
    params: dict

    def per_step(self):
        """One row per policy and step with that step's own figures (active
        users, clicks, purchases, CTR, mean rating, leaves, returns, reward,
        cumulative reward, coverage, diversity, Gini, entropy): the columns
        and values of `recsim simulate --csv`."""
        return per_step_frame(self.trace)


# ------------------------------------------------------------------ the model

class Model(Closing):
    """One model file and the recommender over it (rs_model).

    Open with :meth:`open` / :meth:`create` (or the constructor), use as a
    context manager or call :meth:`close`.  A model opened ``readonly=True``
    may serve recommend / explain / similar from many threads at once (every C
    call releases the GIL); every other call needs the model to itself.
    """

    def __init__(self, path: Union[str, os.PathLike], readonly: bool = False,
                 create: bool = False):
        self._handle = None
        self.path = os.fspath(path)
        self.readonly = bool(readonly)
        if readonly and create:
            raise ValueError("a model cannot be both readonly and created")
        flags = (MODEL_FLAG["readonly"] if readonly else 0) | \
                (MODEL_FLAG["create"] if create else 0)
        h = c_void_p()
        check(lib.rs_model_open(self.path.encode(), flags, byref(h)))
        self._handle = h
        self._keys = None
        self.options = Options(self)

    @classmethod
    def open(cls, path: Union[str, os.PathLike], readonly: bool = False) -> "Model":
        """Open an existing model file (read-write, or read-only)."""
        return cls(path, readonly=readonly)

    @classmethod
    def create(cls, path: Union[str, os.PathLike] = ":memory:") -> "Model":
        """Open a model file read-write, creating it when missing (":memory:" works)."""
        return cls(path, create=True)

    # -- lifetime
    @property
    def _h(self) -> c_void_p:
        if self._handle is None:
            raise ValueError("recsim.Model %r is closed" % self.path)
        return self._handle

    def close(self) -> None:
        """Close the model (idempotent); later calls raise ValueError."""
        if self._handle is not None:
            lib.rs_model_close(self._handle)
            self._handle = None
            self._keys = None

    @property
    def closed(self) -> bool:
        """True once close() has run."""
        return self._handle is None

    def __repr__(self) -> str:
        if self.closed:
            return "<recsim.Model %r closed>" % self.path
        return "<recsim.Model %r %s, %d items, %d users>" % (
            self.path, "built" if self.is_built else "not built", self.item_count,
            self.count("users"))

    # -- state and the index space
    @property
    def is_built(self) -> bool:
        """True when the model can recommend."""
        return bool(lib.rs_model_is_built(self._h))

    def count(self, kind: str = "items") -> int:
        """A count: "items", "users", "events" or "users_with_history"."""
        if kind not in MODEL_COUNT:
            raise ValueError("count kind must be one of %s" % ", ".join(MODEL_COUNT))
        return lib.rs_model_count(self._h, MODEL_COUNT[kind])

    @property
    def item_count(self) -> int:
        """Items in the built store (the index space 0 .. item_count - 1)."""
        return lib.rs_model_item_count(self._h)

    @property
    def item_keys(self) -> np.ndarray:
        """Every item key by store index (object array of str; cached until build)."""
        if self._keys is None:
            h = self._h
            n = lib.rs_model_item_count(h)
            keys = np.empty(n + 1, dtype=object)
            keys[:n] = [lib.rs_model_item_key(h, i).decode() for i in range(n)]
            keys[n] = None  # the padding of short lists
            self._keys = keys
        return self._keys[:-1]

    def item_index(self, key: str) -> int:
        """The store index of an item key (RecsimError RS_ERR_NOTFOUND when unknown)."""
        out = c_uint32()
        check(lib.rs_model_item_index(self._h, _enc(key, "item"), byref(out)))
        return out.value

    def _get_option_text(self, name: str) -> str:
        buf = ctypes.create_string_buffer(256)
        n = c_size_t()
        st = lib.rs_model_get_option(self._h, name.encode(), buf, len(buf), byref(n))
        if st == -11:  # RS_ERR_BUFFER
            buf = ctypes.create_string_buffer(n.value + 1)
            st = lib.rs_model_get_option(self._h, name.encode(), buf, len(buf), byref(n))
        check(st)
        return buf.value.decode()

    # -- import and build
    def import_log(self, source, kind: Optional[str] = None, *, format: str = "auto",
                   preset: Optional[str] = None, map: Optional[Mapping[str, str]] = None,
                   relation: Optional[str] = None, attributes: Sequence[str] = (),
                   properties: Sequence[str] = (), friends: Optional[str] = None,
                   require: Sequence[str] = (), missing: Sequence[str] = (),
                   dedup: bool = False, unweighted: bool = False, first_time: bool = False,
                   reject: Optional[str] = None, append: bool = False,
                   replace: bool = False) -> dict:
        """Clean and import a log, catalogue or profiles, as ``recsim import`` does.

        ``source`` is a file path (CSV, TSV or JSON Lines) or a pandas
        DataFrame (passed as CSV text through an in-memory reader, no
        temporary file).  ``kind``: "interactions" (default), "items" or
        "users"; with ``preset="retail"`` and no kind, the Online Retail export
        is imported as all three (purchases as "bought" edges, descriptions as
        item titles, countries as user attributes) after the protocol's
        cleaning rules.  The other options are those of the CLI (--map
        ROLE=COLUMN, --require, --missing, --dedup, --unweighted,
        --first-time, --reject FILE, ...).  Each kind is one transaction.

        As the CLI, an interaction row equal to an event the model already
        has (user, relation, item, time, weight) is skipped and counted in
        ``"already_in_model"``, so importing an export that overlaps the last
        one adds only its new rows; ``append=True`` (--append) imports every
        row (weights add up), ``replace=True`` (--replace) makes the rows
        replace the model's interactions of their relation (items and users
        stay; not with an event column, not on ":memory:").

        Returns {kind: {"rows", "kept", "imported", "dropped": {rule: n}}},
        interactions also with "already_in_model" and "replaced".
        """
        if append and replace:
            raise ValueError("append adds the rows, replace replaces the model's: "
                             "give one of them")
        if preset not in (None, "retail"):
            raise ValueError("unknown preset %r (known: retail)" % (preset,))
        if format not in FORMAT:
            raise ValueError("format must be one of %s" % ", ".join(FORMAT))
        for role in (map or {}):
            if role not in ROLE:
                raise ValueError("unknown role %r in map (roles: %s)" % (role, ", ".join(ROLE)))
        kinds = [kind] if kind else (["interactions", "items", "users"] if preset
                                     else ["interactions"])
        for k in kinds:
            if k not in ("interactions", "items", "users"):
                raise ValueError("kind must be interactions, items or users, not %r" % (k,))
        data, name, fmt = None, None, FORMAT[format]
        if hasattr(source, "to_csv"):
            data, name, fmt = _frame_to_csv(source), "<DataFrame>", FORMAT["csv"]
        elif isinstance(source, (str, os.PathLike)):
            name = os.fspath(source)
        else:
            raise TypeError("source must be a path or a pandas DataFrame, not %s"
                            % type(source).__name__)
        h = self._h
        report = {}
        for i, k in enumerate(kinds):
            report[k] = self._import_one(h, k, data, name, fmt, i == 0, preset == "retail",
                                         map or {}, relation, list(attributes),
                                         list(properties), friends, list(require),
                                         list(missing), dedup, unweighted, first_time, reject,
                                         append, replace)
        return report

    def _import_one(self, h, kind, data, name, fmt, first, retail, maps, relation, attributes,
                    properties, friends, require, missing, dedup, unweighted, first_time,
                    reject, append=False, replace=False):
        reader, cleaner = c_void_p(), c_void_p()
        buf = None
        try:
            if data is None:
                check(lib.rs_reader_open(name.encode(), fmt, byref(reader)))
            else:
                buf = ctypes.c_char_p(data)  # borrowed by the reader until closed
                check(lib.rs_reader_open_memory(ctypes.cast(buf, c_void_p), len(data),
                                                name.encode(), fmt, byref(reader)))
            if retail:
                for role, col in (("user", "CustomerID"), ("item", "StockCode"),
                                  ("time", "InvoiceDate")):
                    check(lib.rs_reader_map(reader, ROLE[role], col.encode()))
            for role, col in maps.items():
                check(lib.rs_reader_map(reader, ROLE[role], col.encode()))
            check(lib.rs_cleaner_create(byref(cleaner)))
            if retail:
                _add_retail_rules(cleaner)
            if missing:
                arr, n = _key_array(list(missing), "missing")
                check(lib.rs_cleaner_set_missing(cleaner, arr, n))
            for col in require:
                check(lib.rs_cleaner_add_required(cleaner, col.encode(), col.encode()))
            if dedup and not retail:
                check(lib.rs_cleaner_add_dedup(cleaner, b"exact duplicate", None, 0))
            if first and reject:
                check(lib.rs_cleaner_set_reject_file(cleaner, os.fspath(reject).encode()))
            rows = c_uint64()
            if kind == "interactions":
                flags = (IMPORT_FLAG["unweighted"] if unweighted or retail else 0) | \
                        (IMPORT_FLAG["first_time"] if first_time else 0) | \
                        (IMPORT_FLAG["replace"] if replace else
                         0 if append else IMPORT_FLAG["skip_known"])
                rel = relation or ("bought" if retail else None)
                check(lib.rs_model_import_interactions(h, reader, cleaner,
                                                       rel.encode() if rel else None, flags,
                                                       byref(rows)))
            else:
                if retail and kind == "items" and not properties:
                    properties = ["Description"]
                if retail and kind == "users" and not attributes:
                    attributes = ["Country"]
                a_arr, na = _opt_key_array(attributes, "attributes")
                p_arr, npr = _opt_key_array(properties, "properties")
                if kind == "items":
                    check(lib.rs_model_import_items(h, reader, cleaner, a_arr, na, p_arr, npr,
                                                    byref(rows)))
                else:
                    check(lib.rs_model_import_users(h, reader, cleaner, a_arr, na, p_arr, npr,
                                                    friends.encode() if friends else None,
                                                    byref(rows)))
            dropped = {}
            for i in range(lib.rs_cleaner_rule_count(cleaner)):
                dropped[lib.rs_cleaner_rule_name(cleaner, i).decode()] = \
                    lib.rs_cleaner_dropped(cleaner, i)
            kept = lib.rs_cleaner_kept(cleaner)
            out = {"rows": kept + sum(dropped.values()), "kept": kept,
                   "imported": rows.value, "dropped": dropped}
            if kind == "interactions":
                out["already_in_model"] = lib.rs_model_import_known_rows(h)
                out["replaced"] = bool(replace)
            return out
        finally:
            lib.rs_cleaner_free(cleaner)
            lib.rs_reader_close(reader)
            del buf

    def build(self, options: Optional[Mapping[str, Any]] = None, **kw) -> "Model":
        """Fit the embedder, item vectors, collaborative and user models and save
        them with the options, in one transaction (a failed build changes
        nothing).  ``options`` (or keywords with '__' for '.', e.g.
        ``build(build__cf="als")``) are set first and saved with the build."""
        self.options.update_from(options, **kw)
        try:
            check(lib.rs_model_build(self._h))
        finally:
            self._keys = None
        return self

    # -- recommend
    def recommend(self, users, k: int = 10, exclude: Optional[Iterable[str]] = None,
                  only: Optional[Iterable[str]] = None,
                  filter: Optional[Iterable[str]] = None) -> Recommendations:
        """The top k items, best first, for one user (a str) or a batch.

        One user: ``(keys, scores)`` as 1-D arrays (object str, float32), with
        ``.items`` (uint32 store indices).  A batch (a list, numpy array or
        pandas Series of keys): (n, k) arrays in ONE call to
        rs_model_recommend_batch (parallel over rs_get_num_threads() threads),
        short lists padded (see Recommendations).  Unknown users are
        cold-started by the same call.  ``exclude``: item keys never returned;
        ``only`` (or its alias ``filter``): return only items among these
        (with a batch, these filters make one rs_model_recommend call per
        user).
        """
        if filter is not None:
            if only is not None:
                raise ValueError("give only or filter, not both")
            only = filter
        k = self._check_k(k)
        if isinstance(users, (str, bytes, int, np.integer)) and not isinstance(users, bool):
            return self._recommend_one(_enc(users, "user"), k, exclude, only)
        if isinstance(users, (dict, set, frozenset)) or not hasattr(users, "__len__"):
            raise TypeError("users must be a key or a sequence of keys, not %s"
                            % type(users).__name__)
        arr, n = _key_array(users, "users")
        if exclude is not None or only is not None:
            return self._recommend_each(arr, n, k, exclude, only, users)
        return self._recommend_batch(arr, n, k, users)

    @staticmethod
    def _check_k(k) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
            raise TypeError("k must be an int, not %s" % type(k).__name__)
        if not 1 <= k <= 100000:
            raise ValueError("k must be in 1 .. 100000, got %d" % k)
        return int(k)

    def _recommend_one(self, user: bytes, k: int, exclude, only) -> Recommendations:
        ex, n_ex = _opt_key_array(exclude, "exclude")
        on, n_on = _opt_key_array(only, "only")
        scores = np.empty(k, dtype=np.float32)
        items = np.empty(k, dtype=np.uint32)
        n = c_size_t()
        check(lib.rs_model_recommend(self._h, user, k, ex, n_ex, on, n_on, None,
                                     scores.ctypes.data_as(ctypes.POINTER(c_float)),
                                     items.ctypes.data_as(ctypes.POINTER(c_uint32)), byref(n)))
        m = n.value
        items = items[:m]
        self.item_keys
        return Recommendations(self._keys[items], scores[:m], items,
                               np.array([m], dtype=np.int64))

    def _recommend_batch(self, arr, n: int, k: int, users) -> Recommendations:
        scores = np.empty((n, k), dtype=np.float32)
        items = np.empty((n, k), dtype=np.uint32)
        counts = np.empty(n, dtype=np.uintp)
        if n:
            check(lib.rs_model_recommend_batch(self._h, arr, n, k, None, _ptr(scores),
                                               _ptr(items), _ptr(counts)))
        return self._pack(scores, items, counts.astype(np.int64), users)

    def _pack(self, scores, items, counts, users) -> Recommendations:
        self.item_keys
        n, k = items.shape
        short = np.arange(k)[None, :] >= counts[:, None]
        if short.any():
            items[short] = _NO_ITEM
            scores[short] = np.nan
            keys = self._keys[np.where(short, len(self._keys) - 1, items)]
        else:
            keys = self._keys[items]
        return Recommendations(keys, scores, items, counts, users)

    def _recommend_each(self, arr, n, k, exclude, only, users) -> Recommendations:
        scores = np.full((n, k), np.nan, dtype=np.float32)
        items = np.full((n, k), _NO_ITEM, dtype=np.uint32)
        counts = np.zeros(n, dtype=np.int64)
        for i in range(n):
            r = self._recommend_one(arr[i], k, exclude, only)
            m = len(r.items)
            scores[i, :m], items[i, :m], counts[i] = r.scores, r.items, m
        return self._pack(scores, items, counts, users)

    def explain(self, user: UserKey, item: str) -> Explanation:
        """Why ``item`` is recommended to ``user``: a sentence and the graph path
        (each edge exists in the model's graph)."""
        ex = c_void_p()
        check(lib.rs_model_explain(self._h, _enc(user, "user"), _enc(item, "item"), byref(ex)))
        try:
            dec = lambda b: b.decode("utf-8", "replace") if b is not None else None  # noqa
            n = lib.rs_explanation_length(ex)
            nodes = [(dec(lib.rs_explanation_node_type(ex, i)),
                      dec(lib.rs_explanation_node_key(ex, i))) for i in range(n)]
            rels = []
            for i in range(max(n - 1, 0)):
                rev = c_int()
                rel = lib.rs_explanation_relation(ex, i, byref(rev))
                rels.append((dec(rel), bool(rev.value)))
            src = lib.rs_explanation_source(ex)
            return Explanation(dec(lib.rs_explanation_text(ex)), nodes, rels,
                               lib.rs_explanation_weight(ex), _SOURCE_NAMES.get(src, str(src)))
        finally:
            lib.rs_explanation_free(ex)

    def similar(self, item: str, k: int = 10) -> Recommendations:
        """The k items most similar to ``item`` (cosine of the item vectors)."""
        k = self._check_k(k)
        scores = np.empty(k, dtype=np.float32)
        items = np.empty(k, dtype=np.uint32)
        n = c_size_t()
        check(lib.rs_model_similar(self._h, _enc(item, "item"), k, None,
                                   scores.ctypes.data_as(ctypes.POINTER(c_float)),
                                   items.ctypes.data_as(ctypes.POINTER(c_uint32)), byref(n)))
        m = n.value
        self.item_keys
        return Recommendations(self._keys[items[:m]], scores[:m], items[:m],
                               np.array([m], dtype=np.int64))

    def observe(self, user: UserKey, items, times=None, event: Optional[str] = None,
                weight: float = 1.0) -> int:
        """New events, online: user -[event]-> item for each item (one key or a
        list), at ``times`` (one time or one per item; default now), each saved
        with the updated user model in one transaction.  Returns the count."""
        if isinstance(items, (str, bytes)):
            items = [items]
        items = list(items)
        if times is None:
            times = [int(_dt.datetime.now(_dt.timezone.utc).timestamp())] * len(items)
        elif isinstance(times, (str, int, float, np.integer, np.floating, _dt.date,
                                np.datetime64)):
            times = [times] * len(items)
        else:
            times = list(times)
        if len(times) != len(items):
            raise ValueError("observe: %d items but %d times" % (len(items), len(times)))
        if isinstance(weight, bool) or not isinstance(weight, (int, float, np.integer,
                                                               np.floating)):
            raise TypeError("weight must be a number")
        u = _enc(user, "user")
        ev = event.encode() if event else None
        h = self._h
        for item, t in zip(items, times):
            check(lib.rs_model_observe(h, u, _enc(item, "item"), ev, float(weight),
                                       _to_unix(t)))
        return len(items)

    # -- evaluate and simulate
    def evaluate(self, cut: Optional[TimeLike] = None, *, random: Optional[float] = None,
                 last: Optional[int] = None, seed: int = 0, k: Optional[int] = None,
                 baselines: bool = True, cold: bool = False,
                 options: Optional[Mapping[str, Any]] = None):
        """The model's recommender beside the baselines, without leaks, as
        ``recsim eval`` does: a pandas DataFrame, one row per method (the
        scorer's first), with the columns of ``recsim eval --json`` (names from
        rs_eval_field_name).

        Split: temporal at ``cut`` (Unix seconds, ISO text or datetime;
        default the library's: the last 20% of the time range), or
        ``random=FRACTION`` per user (seeded), or ``last=N`` events per user.
        ``k`` and ``options`` (e.g. {"eval.recent_days": 30}) apply to this
        call only.
        """
        import pandas as pd
        ev = self._evaluate(cut, random, last, seed, k, baselines, cold, options, 0, 1)
        try:
            return eval_frame(ev, pd)
        finally:
            lib.rs_eval_free(ev)

    def evaluate_shard(self, shard: int, shards: int, cut: Optional[TimeLike] = None, *,
                       random: Optional[float] = None, last: Optional[int] = None,
                       seed: int = 0, k: Optional[int] = None, baselines: bool = True,
                       cold: bool = False,
                       options: Optional[Mapping[str, Any]] = None) -> "list[tuple[str, bytes]]":
        """:meth:`evaluate` on shard ``shard`` of ``shards`` of the evaluated
        users (rs_model_evaluate_shard): each row as ``(name, part)``, the
        part being bytes that :func:`merge_eval_parts` merges with the same
        row of the other shards into :meth:`evaluate`'s row, bit for bit.
        Every shard fits the same train model; the users' scoring is divided."""
        for name, v in (("shard", shard), ("shards", shards)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError("%s must be an int, got %r" % (name, v))
        if not 0 <= shard < shards:
            raise ValueError("shard must be in 0 .. shards - 1, got %r of %r" % (shard, shards))
        ev = self._evaluate(cut, random, last, seed, k, baselines, cold, options, int(shard),
                            int(shards))
        try:
            out = []
            n = c_size_t()
            for r in range(lib.rs_eval_result_count(ev)):
                lib.rs_eval_result_part(ev, r, None, 0, byref(n))
                buf = ctypes.create_string_buffer(n.value)
                check(lib.rs_eval_result_part(ev, r, buf, n.value, byref(n)))
                out.append((lib.rs_eval_result_name(ev, r).decode(), buf.raw))
            return out
        finally:
            lib.rs_eval_free(ev)

    def _evaluate(self, cut, random, last, seed, k, baselines, cold, options, shard, shards):
        given = (cut is not None) + (random is not None) + (last is not None)
        if given > 1:
            raise ValueError("choose one of cut, random and last")
        if random is not None:
            split, param = MODEL_SPLIT["random"], float(random)
        elif last is not None:
            split, param = MODEL_SPLIT["last"], float(last)
        else:
            split = MODEL_SPLIT["temporal"]
            param = float("nan") if cut is None else float(_to_unix(cut, "cut"))
        flags = (MODEL_EVAL_FLAG["baselines"] if baselines else 0) | \
                (MODEL_EVAL_FLAG["cold"] if cold else 0)
        run_opts = dict(options or {})
        if k is not None:
            run_opts["eval.k"] = self._check_k(k)
        ev = c_void_p()
        with _TemporaryOptions(self, run_opts):
            check(lib.rs_model_evaluate_shard(self._h, split, param, int(seed), flags, shard,
                                              shards, byref(ev)))
        return ev

    def simulate(self, policies: Sequence[str] = ("scorer", "popular"), users: int = 200,
                 steps: int = 20, slate: int = 10, seed: int = 1,
                 options: Optional[Mapping[str, Any]] = None) -> SimulationResult:
        """Simulated users reacting to each policy's slates, on the same random
        numbers, as ``recsim simulate`` does ("scorer", "popular", "random").
        ``users`` 0 means one per user of the model.  ``options`` ("sim.*")
        apply to this call only.  Returns SimulationResult(trace, summary,
        params) with pandas DataFrames."""
        if isinstance(policies, str):
            policies = [policies]
        slate = self._sim_args(users, steps, slate, seed)
        arr, n = _key_array([str(p) for p in policies], "policies")
        tr = c_void_p()
        with _TemporaryOptions(self, options or {}):
            check(lib.rs_model_simulate(self._h, arr, n, int(users), int(steps), slate,
                                        int(seed), byref(tr)))
        try:
            trace, summary = trace_frames(tr)
        finally:
            lib.rs_sim_trace_free(tr)
        return SimulationResult(trace, summary, {"policies": list(policies), "users": users,
                                                 "steps": steps, "slate": slate, "seed": seed})

    def _sim_args(self, users, steps, slate, seed) -> int:
        """Checks simulate's counts; the slate capped at the catalogue's size."""
        for name, v in (("users", users), ("steps", steps), ("slate", slate), ("seed", seed)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0:
                raise ValueError("%s must be a non-negative int, got %r" % (name, v))
        return min(int(slate), max(self.item_count, 1))

    def simulate_shard(self, policy: str, shard: int, shards: int, users: int = 200,
                       slate: int = 10, seed: int = 1,
                       options: Optional[Mapping[str, Any]] = None) -> "SimShard":
        """One policy's :meth:`simulate` for shard ``shard`` of ``shards`` of
        the simulated users (rs_model_sim_shard_begin): a :class:`SimShard`
        whose ``step(merged)`` runs a step and returns its part, which a
        :class:`SimMerge` merges with the other shards' parts of the step into
        the bytes every shard takes for the next step.  ``options`` ("sim.*",
        "scorer.*") are read now; the model may change afterwards."""
        for name, v in (("shard", shard), ("shards", shards)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise TypeError("%s must be an int, got %r" % (name, v))
        if not 0 <= shard < shards:
            raise ValueError("shard must be in 0 .. shards - 1, got %r of %r" % (shard, shards))
        slate = self._sim_args(users, 1, slate, seed)
        h = c_void_p()
        with _TemporaryOptions(self, options or {}):
            check(lib.rs_model_sim_shard_begin(self._h, _enc(policy, "policy"), int(users),
                                               slate, int(seed), int(shard), int(shards),
                                               byref(h)))
        return SimShard(self, h)


class SimShard(Closing):
    """A shard of one policy's simulation (rs_sim_shard), from
    :meth:`Model.simulate_shard`; keeps its model open.  ``step(merged)``
    runs the next step (``merged``: the :class:`SimMerge` bytes of the step
    before, None at step 0) and returns the step's part as bytes."""

    def __init__(self, model: "Model", handle: c_void_p):
        self.model = model  # the C shard reads the model: keep it alive
        self._handle = handle

    def step(self, merged: Optional[bytes] = None) -> bytes:
        """The next step's part (bytes), given the merged bytes of the step before."""
        if self._handle is None:
            raise ValueError("the simulation shard is closed")
        if merged is not None and not isinstance(merged, (bytes, bytearray)):
            raise TypeError("merged must be bytes or None, got %s" % type(merged).__name__)
        merged = bytes(merged) if merged is not None else None
        part, n = c_void_p(), c_size_t()
        check(lib.rs_sim_shard_step(self._handle, merged, len(merged) if merged else 0,
                                    byref(part), byref(n)))
        return ctypes.string_at(part.value, n.value)

    def close(self) -> None:
        """Free the shard (idempotent)."""
        if self._handle is not None:
            lib.rs_sim_shard_free(self._handle)
            self._handle = None


class SimMerge(Closing):
    """The merge of sharded simulations (rs_sim_merge): ``step(policy,
    parts)`` merges the parts of a policy's next step (one per shard, any
    order) and returns the bytes every shard of that policy takes for its
    next step; ``result()`` gives the SimulationResult of
    :meth:`Model.simulate`, bit for bit (the seconds: the shards' sum).
    Coverage, Gini, entropy and diversity are computed from every item's
    and user's merged data, never averaged over the shards."""

    def __init__(self, policies: Sequence[str], steps: int):
        self._handle = None
        if isinstance(policies, str):
            policies = [policies]
        self.policies = [str(p) for p in policies]
        self.steps = int(steps)
        arr, n = _key_array(self.policies, "policies")
        h = c_void_p()
        check(lib.rs_sim_merge_create(arr, n, self.steps, byref(h)))
        self._handle = h

    def step(self, policy: int, parts: "Sequence[bytes]") -> bytes:
        """Merge one step of policy (its index) from the shards' parts."""
        if self._handle is None:
            raise ValueError("the simulation merge is closed")
        blobs = [bytes(p) for p in parts]
        n = len(blobs)
        ptrs = (c_void_p * max(n, 1))(*[ctypes.cast(c_char_p(b), c_void_p) for b in blobs])
        lens = (c_size_t * max(n, 1))(*[len(b) for b in blobs])
        out, n_out = c_void_p(), c_size_t()
        check(lib.rs_sim_merge_step(self._handle, int(policy), ptrs, lens, n, byref(out),
                                    byref(n_out)))
        return ctypes.string_at(out.value, n_out.value)

    def result(self, params: Optional[dict] = None) -> SimulationResult:
        """The merged SimulationResult (once every policy's steps are merged)."""
        if self._handle is None:
            raise ValueError("the simulation merge is closed")
        tr = c_void_p()
        check(lib.rs_sim_merge_trace(self._handle, byref(tr)))
        try:
            trace, summary = trace_frames(tr)
        finally:
            lib.rs_sim_trace_free(tr)
        return SimulationResult(trace, summary, dict(params or {}, policies=self.policies,
                                                     steps=self.steps))

    def close(self) -> None:
        """Free the merge (idempotent)."""
        if self._handle is not None:
            lib.rs_sim_merge_free(self._handle)
            self._handle = None


# ------------------------------------------------------------------ shared helpers

def _frame_to_csv(frame) -> bytes:
    """A DataFrame as CSV bytes; float columns holding whole numbers only
    (integer ids made float by missing values) are written as integers."""
    import pandas as pd
    out = frame.copy(deep=False)
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_float_dtype(s):
            v = s.dropna().to_numpy()
            if len(v) and np.all(np.isfinite(v)) and np.all(v == np.round(v)):
                out[col] = s.astype("Int64")
    return out.to_csv(index=False).encode("utf-8")


def _add_retail_rules(c) -> None:
    """The Online Retail protocol's cleaning rules (as `recsim import --preset retail`)."""
    na = (c_char_p * 3)(b"NA", b"null", b"NULL")
    check(lib.rs_cleaner_set_missing(c, na, 3))
    check(lib.rs_cleaner_add_required(c, b"missing CustomerID", b"CustomerID"))
    check(lib.rs_cleaner_add_match(c, b"cancellation", b"InvoiceNo", MATCH["prefix"], b"C",
                                   DROP["match"]))
    check(lib.rs_cleaner_add_range(c, b"Quantity <= 0", b"Quantity", 0.0, math.inf,
                                   RANGE_FLAG["min_exclusive"]))
    check(lib.rs_cleaner_add_range(c, b"UnitPrice <= 0", b"UnitPrice", 0.0, math.inf,
                                   RANGE_FLAG["min_exclusive"]))
    check(lib.rs_cleaner_add_match(c, b"non-product StockCode", b"StockCode",
                                   MATCH["first_of"], b"0123456789", DROP["no_match"]))
    check(lib.rs_cleaner_add_dedup(c, b"exact duplicate", None, 0))
    check(lib.rs_cleaner_add_type(c, b"bad InvoiceDate", b"InvoiceDate", 2))  # RS_TYPE_TIME


def eval_fields() -> list:
    """(field id, name) of every rs_eval_field the library knows, in id order."""
    out, i = [], 0
    while True:
        name = lib.rs_eval_field_name(i)
        if name is None:
            return out
        out.append((i, name.decode()))
        i += 1


def merge_eval_parts(shards: "Sequence[Sequence[tuple[str, bytes]]]"):
    """The evaluation DataFrame (as :meth:`Model.evaluate` gives it) from the
    rows of every shard (:meth:`Model.evaluate_shard`, one list per shard, in
    any order): each row's parts merged by rs_eval_merge_parts, which
    computes coverage, Gini, novelty and the per-user averages from the
    users' lists and values (never an average of the shards' figures), so
    that every column but ``seconds`` (here the shards' sum) equals the
    unsharded run's bit for bit."""
    import pandas as pd
    fields = eval_fields()
    if not shards:
        raise ValueError("no shard to merge")
    n_rows = len(shards[0])
    if any(len(s) != n_rows for s in shards):
        raise ValueError("the shards hold different numbers of rows")
    rows = []
    out = (c_double * len(fields))()
    for r in range(n_rows):
        names = {s[r][0] for s in shards}
        if len(names) != 1:
            raise ValueError("row %d has different names in the shards: %s"
                             % (r, sorted(names)))
        blobs = [bytes(s[r][1]) for s in shards]
        ptrs = (c_void_p * len(blobs))(*[ctypes.cast(ctypes.c_char_p(b), c_void_p)
                                         for b in blobs])
        lens = (c_size_t * len(blobs))(*[len(b) for b in blobs])
        check(lib.rs_eval_merge_parts(ptrs, lens, len(blobs), out, len(fields)))
        row = {"name": names.pop()}
        for f, fname in fields:
            row[fname] = out[f]
        rows.append(row)
    return _typed_eval_frame(pd.DataFrame(rows, columns=["name"] + [n for _, n in fields]))


def _typed_eval_frame(frame):
    for col in ("users", "k", "group"):
        if col in frame:
            frame[col] = frame[col].astype(np.int64)
    return frame


def eval_frame(ev, pd):
    """The result rows of an rs_eval as a DataFrame (name + every field)."""
    fields = eval_fields()
    rows = []
    v = c_double()
    for r in range(lib.rs_eval_result_count(ev)):
        row = {"name": lib.rs_eval_result_name(ev, r).decode()}
        for f, fname in fields:
            check(lib.rs_eval_result(ev, r, f, byref(v)))
            row[fname] = v.value
        rows.append(row)
    return _typed_eval_frame(pd.DataFrame(rows, columns=["name"] + [n for _, n in fields]))


def per_step_frame(trace):
    """The per-step figures of a trace (see SimulationResult.per_step)."""
    import pandas as pd
    parts = []
    for policy, t in trace.groupby("policy", sort=False):
        cur = {c: t[c].to_numpy(dtype=float) for c in trace.columns[2:]}
        prev = {c: np.concatenate(([0.0], v[:-1])) for c, v in cur.items()}
        d = {c: cur[c] - prev[c] for c in cur}
        active, clicks = d["impressions"], d["clicks"]
        with np.errstate(divide="ignore", invalid="ignore"):
            rating = np.round(cur["mean_rating"] * cur["clicks"]) - \
                np.round(prev["mean_rating"] * prev["clicks"])
            div = cur["diversity"] * cur["impressions"] - prev["diversity"] * prev["impressions"]
            frame = pd.DataFrame({
                "policy": policy, "step": t["step"].to_numpy(), "active": active,
                "clicks": clicks, "purchases": d["purchases"],
                "ctr": np.where(active > 0, clicks / active, 0.0),
                "mean_rating": np.where(clicks > 0, rating / clicks, 0.0),
                "leaves": d["leaves"], "returns": d["returns"],
                "reward": clicks + d["purchases"], "cum_reward": cur["reward"],
                "coverage": cur["coverage"],
                "diversity": np.where(active > 0, div / active, 0.0),
                "gini": cur["gini"],
                "entropy": cur["entropy"] * cur["steps"] - prev["entropy"] * prev["steps"]})
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    for c in ("active", "clicks", "purchases", "leaves", "returns", "reward", "cum_reward"):
        out[c] = out[c].astype(np.int64)
    return out


def trace_frames(tr):
    """(trace, summary) DataFrames of an rs_sim_trace."""
    import pandas as pd
    n_pol = lib.rs_sim_trace_policies(tr)
    steps = lib.rs_sim_trace_steps(tr)
    stats = sorted(SIM_STAT.items(), key=lambda kv: kv[1])
    values = np.empty((n_pol, steps, len(stats)))
    v = c_double()
    for p in range(n_pol):
        for s in range(steps):
            for j, (_, sid) in enumerate(stats):
                check(lib.rs_sim_trace_value(tr, p, s, sid, byref(v)))
                values[p, s, j] = v.value
    names = [lib.rs_sim_trace_policy_name(tr, p).decode() for p in range(n_pol)]
    trace = pd.DataFrame(values.reshape(n_pol * steps, len(stats)),
                         columns=[n for n, _ in stats])
    trace.insert(0, "step", np.tile(np.arange(steps, dtype=np.int64), n_pol))
    trace.insert(0, "policy", np.repeat(np.array(names, dtype=object), steps))
    summary = trace.groupby("policy", sort=False).tail(1).set_index("policy").drop(
        columns="step")
    summary["seconds"] = [lib.rs_sim_trace_seconds(tr, p) for p in range(n_pol)]
    return trace, summary
