"""recsim.dask - scale-out over the workers of a ``distributed.Client``.

    from distributed import Client, LocalCluster
    import recsim.dask as rd
    with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
        recs = rd.recommend(client, "shop.rsm", users, k=10)      # users sharded
        table = rd.evaluate(client, "shop.rsm", k=10)             # users sharded
        sim = rd.simulate(client, "shop.rsm", ["scorer", "popular"], users=200)  # users sharded

Each worker opens the model file read-only ONCE (the first task that needs it;
the handle is kept on the worker object, not reopened per task) and serves
every later task from it; :func:`close_on_workers` releases them.

What is sharded, and why results are identical to one process:

* ``recommend``: the users, in contiguous shards, one per worker (or
  ``shards``); each list is that of rs_model_recommend, whoever computes it,
  so the concatenated result is bitwise the single-process batch.
* ``simulate``: the simulated users, in contiguous shards, one per worker
  (or ``shards``), every policy's run sharded alike.  The users are coupled
  only through the items' popularity (each user's conformity pulls it toward
  what everybody clicked so far; the simulator recomputes it after every
  step from all the clicks), so the shards exchange it once per step: each
  worker runs step t for its users (Model.simulate_shard, kept on the worker
  by a Dask actor between steps) and returns a part per policy; the client merges the parts
  (SimMerge: the clicks per item summed, integers, so in any order) and
  hands the merged bytes back for step t + 1.  The random numbers are keyed
  on (seed, stream, user, step), so a user's draws do not depend on its
  shard, and the merge computes coverage, Gini, entropy and diversity from
  every item's exposure and clicks and every user's diversity in user order,
  as one run does: the trace and summary equal Model.simulate's bit for bit
  (``seconds`` aside: the shards' sum).  Each step costs one message round
  trip from the client to every worker (the actor's calls bypass the
  scheduler) on top of the simulation.
* ``evaluate``: the evaluated users, in contiguous shards, one task per
  shard (and per configuration); each task returns, per row, its users'
  metric values and lists (rs_eval_result_part), and the client merges them
  (rs_eval_merge_parts) exactly as one run computes its row: coverage, Gini,
  novelty and the per-user averages over all the users, never averaged over
  shards.  Every column but ``seconds`` equals the single-process run's bit
  for bit (tested).

On a real cluster: put the model file on storage every worker sees under the
same path (NFS, a shared volume) and pass that path; or, without shared
storage, ``ship=True`` sends the file's bytes to every worker once
(client.upload_file-like: written into each worker's local directory) before
the first task.  Workers need librecsim (RECSIM_LIBRARY or the loader path)
and this package importable.
"""
from __future__ import annotations

import os
import threading
from typing import Any, Mapping, Optional, Sequence

import numpy as np

__all__ = ["recommend", "evaluate", "simulate", "close_on_workers", "opens_on_workers",
           "ship_model"]

_LOCK = threading.Lock()


class _Entry:
    """A worker's open model: the handle and a lock for the calls that need
    the handle to themselves (evaluate, simulate set temporary options)."""

    def __init__(self, model):
        self.model = model
        self.lock = threading.Lock()
        self.opened_by = threading.get_ident()


def _worker_model(path: str) -> _Entry:
    """The worker's read-only model of path, opened on first use."""
    from distributed import get_worker
    from .model import Model
    worker = get_worker()
    with _LOCK:
        cache = worker.__dict__.setdefault("_recsim_models", {})
        entry = cache.get(path)
        if entry is None:
            entry = cache[path] = _Entry(Model.open(path, readonly=True))
            opens = worker.__dict__.setdefault("_recsim_opens", {})
            opens[path] = opens.get(path, 0) + 1
        return entry


def _local_path(path: str, shipped: Optional[str]) -> str:
    if shipped is None:
        return path
    from distributed import get_worker
    return os.path.join(get_worker().local_directory, shipped)


def _recommend_shard(path, shipped, users, k):
    entry = _worker_model(_local_path(path, shipped))
    r = entry.model.recommend(users, k=k)
    return r.scores, r.items, r.counts


def _evaluate_shard_task(path, shipped, config, shard, shards):
    entry = _worker_model(_local_path(path, shipped))
    with entry.lock:
        return entry.model.evaluate_shard(shard, shards, **config)


class _SimShards:
    """A Dask actor on one worker: shard ``shard`` of every policy's run,
    over the worker's model (opened once, shared with the other tasks),
    kept between steps.  An actor, not tasks: its calls go from the client
    straight to the worker, without the scheduler's round trip per step."""

    def __init__(self, path, shipped, shard, shards, policies, kw):
        self.entry = _worker_model(_local_path(path, shipped))
        self.sims = []
        try:
            with self.entry.lock:
                for p in policies:
                    self.sims.append(self.entry.model.simulate_shard(p, shard, shards, **kw))
        except BaseException:
            self.close()
            raise

    def step(self, merged):
        """Every policy's next step from its merged bytes (None at step 0):
        the parts, one per policy."""
        merged = merged or [None] * len(self.sims)
        with self.entry.lock:
            return [s.step(m) for s, m in zip(self.sims, merged)]

    def close(self):
        for s in self.sims:
            s.close()
        return len(self.sims)


def _close_all(dask_worker=None):
    cache = dask_worker.__dict__.pop("_recsim_models", {}) if dask_worker else {}
    for entry in cache.values():
        entry.model.close()
    return len(cache)


def _opens(dask_worker=None):
    return dict(dask_worker.__dict__.get("_recsim_opens", {}))


def ship_model(client, path: str) -> str:
    """Copy the model file into every worker's local directory (for clusters
    without shared storage); returns the name to pass as ``shipped``."""
    name = "recsim-" + os.path.basename(path)
    with open(path, "rb") as f:
        data = f.read()

    def _write(dask_worker=None):
        dest = os.path.join(dask_worker.local_directory, name)
        with open(dest, "wb") as f:
            f.write(data)
        return dest

    client.run(_write)
    return name


_KEYS = {}


def _client_keys(path: str) -> np.ndarray:
    """The item keys of path (with the None pad), read once per file version
    on the client: opening a model costs more than a small batch."""
    from .model import Model
    st = os.stat(path)
    version = (st.st_mtime_ns, st.st_size, st.st_ino)
    cached = _KEYS.get(path)
    if cached is None or cached[0] != version:
        with Model.open(path, readonly=True) as m:
            m.item_keys
            cached = _KEYS[path] = (version, m._keys)
    return cached[1]


def _pack(keys, scores, items, counts):
    """keys, scores, items, counts with short lists padded (see Model._pack)."""
    k = items.shape[1]
    short = np.arange(k)[None, :] >= counts[:, None]
    if short.any():
        items[short] = 0xFFFFFFFF
        scores[short] = np.nan
        return keys[np.where(short, len(keys) - 1, items)], scores, items, counts
    return keys[items], scores, items, counts


def _workers(client):
    return sorted(client.scheduler_info()["workers"])


def recommend(client, path: str, users, k: int = 10, shards: Optional[int] = None,
              ship: bool = False):
    """Batch recommendation with the users sharded across the workers.

    Returns the same Recommendations as ``Model.open(path).recommend(users,
    k)`` (bitwise: each list is the library's single-user list).  ``shards``
    defaults to the number of workers; shard i is pinned to worker i mod n, so
    each worker opens the model once.
    """
    from .model import Recommendations, _key_array
    users = np.asarray(users.to_numpy() if hasattr(users, "to_numpy") else users, dtype=object)
    if users.ndim != 1:
        raise ValueError("users must be one-dimensional, got shape %s" % (users.shape,))
    _key_array(users, "users")  # type errors here, not on a worker
    workers = _workers(client)
    if not workers:
        raise RuntimeError("the Dask client has no workers")
    n_shards = max(1, min(shards or len(workers), max(len(users), 1)))
    shipped = ship_model(client, path) if ship else None
    parts = np.array_split(users, n_shards)
    futures = [client.submit(_recommend_shard, path, shipped, list(part), k,
                             workers=[workers[i % len(workers)]], pure=False)
               for i, part in enumerate(parts)]
    results = client.gather(futures)
    scores = np.concatenate([r[0] for r in results]) if results else np.empty((0, k), np.float32)
    items = np.concatenate([r[1] for r in results]) if results else np.empty((0, k), np.uint32)
    counts = np.concatenate([r[2] for r in results]) if results else np.empty(0, np.int64)
    return Recommendations(*_pack(_client_keys(path), scores, items, counts), users)


def evaluate(client, path: str, configs: Optional[Sequence[Mapping[str, Any]]] = None, *,
             shards: Optional[int] = None, ship: bool = False, **config):
    """An evaluation with the users sharded across the workers.

    ``evaluate(client, path, k=10, cut=...)`` (keyword arguments of
    Model.evaluate) returns the DataFrame of ``Model.evaluate(k=10, cut=...)``,
    every column but ``seconds`` bit for bit: the evaluated users are cut into
    ``shards`` contiguous blocks (default: one per worker), each task
    evaluates one block (Model.evaluate_shard: the same train fit, that
    block's users scored) and returns per row the users' values and lists,
    which :func:`recsim.merge_eval_parts` merges on the client (coverage,
    Gini, novelty and the averages computed over all the users, never
    averaged over shards); ``seconds`` is the sum over the shards.

    ``configs``, a list of such keyword dicts (splits, seeds, cut-offs,
    option sets), runs each of them sharded alike and returns their rows
    together with a ``config`` column (the configuration's index).

    Every shard repeats the train fit, so sharding pays when scoring the
    users costs more than the fit (many users, a large k, slow scorers).
    """
    import pandas as pd
    from .model import merge_eval_parts
    if configs is not None and config:
        raise ValueError("give either configs or keyword arguments, not both")
    single = configs is None
    configs = [config] if single else [dict(c) for c in configs]
    workers = _workers(client)
    if not workers:
        raise RuntimeError("the Dask client has no workers")
    n = int(shards or len(workers))
    if n < 1:
        raise ValueError("shards must be at least 1, got %r" % (shards,))
    shipped = ship_model(client, path) if ship else None
    futures = [[client.submit(_evaluate_shard_task, path, shipped, dict(c), s, n,
                              workers=[workers[s % len(workers)]], pure=False)
                for s in range(n)] for c in configs]
    frames = [merge_eval_parts(client.gather(f)) for f in futures]
    if single:
        return frames[0]
    for i, f in enumerate(frames):
        f.insert(0, "config", i)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def simulate(client, path: str, policies: Sequence[str] = ("scorer", "popular"),
             users: int = 200, steps: int = 20, slate: int = 10, seed: int = 1,
             options: Optional[Mapping[str, Any]] = None, shards: Optional[int] = None,
             ship: bool = False):
    """A simulation with the simulated users sharded across the workers.

    Arguments as Model.simulate; returns its SimulationResult, the trace and
    summary bit for bit (``seconds``: the sum over the shards).  ``shards``
    (default: one per worker) contiguous blocks of the users, shard i pinned
    to worker i mod n, where an actor keeps that block's simulator between
    steps; per step, each actor runs the step of every policy and the client
    merges their parts (recsim.SimMerge) into what each shard needs for the
    next step.  Every shard builds the whole population and the policy's
    state (a fixed cost per shard), then simulates its users only.
    """
    from .model import SimMerge
    policies = [policies] if isinstance(policies, str) else [str(p) for p in policies]
    workers = _workers(client)
    if not workers:
        raise RuntimeError("the Dask client has no workers")
    n = int(shards or len(workers))
    if n < 1:
        raise ValueError("shards must be at least 1, got %r" % (shards,))
    params = {"policies": list(policies), "users": users, "steps": steps, "slate": slate,
              "seed": seed}
    kw = dict(users=users, slate=slate, seed=seed, options=dict(options or {}))
    with SimMerge(policies, steps) as merge:  # checks the policies and steps here
        shipped = ship_model(client, path) if ship else None
        futures = [client.submit(_SimShards, path, shipped, i, n, policies, kw, actor=True,
                                 workers=[workers[i % len(workers)]], pure=False)
                   for i in range(n)]
        actors = []
        try:
            actors = [f.result() for f in futures]
            merged = None
            for _ in range(steps):
                calls = [a.step(merged) for a in actors]  # the shards step in parallel
                parts = [c.result() for c in calls]
                merged = [merge.step(p, [parts[i][p] for i in range(n)])
                          for p in range(len(policies))]
        finally:
            for c in [a.close() for a in actors]:
                c.result()
            del actors
            client.cancel(futures)
        return merge.result(params)


def close_on_workers(client) -> int:
    """Close every model the workers opened; returns how many were closed."""
    return sum(client.run(_close_all).values())


def opens_on_workers(client) -> dict:
    """{worker: {path: times opened}}: 1 per path, never per task."""
    return client.run(_opens)
