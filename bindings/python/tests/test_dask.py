"""recsim.dask on a 2-worker LocalCluster: results identical to one process,
each worker opening the model once."""
import unittest
import warnings

import numpy as np
import pandas as pd

from recsim import Model

from ._fixture import py_model

try:
    from distributed import Client, LocalCluster
except ImportError:  # pragma: no cover
    Client = None


@unittest.skipIf(Client is None, "python3-distributed is not installed")
class DaskTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import recsim.dask as rd
        cls.rd = rd
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="tornado")
        # threads in this process: starts in a fraction of a second, offline;
        # processes=True works as well (bench/python_batch.py uses it)
        cls.cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                   dashboard_address=None)
        cls.client = Client(cls.cluster)
        cls.path = py_model()

    @classmethod
    def tearDownClass(cls):
        cls.rd.close_on_workers(cls.client)
        cls.client.close()
        cls.cluster.close()

    def test_recommend_sharded_equals_single(self):
        with Model.open(self.path, readonly=True) as m:
            users = ["13705", "nobody", "17850"]
            users = users * 40 + ["u%d" % i for i in range(7)]
            want = m.recommend(users, k=8)
        got = self.rd.recommend(self.client, self.path, users, k=8)
        np.testing.assert_array_equal(got.keys, want.keys)
        np.testing.assert_array_equal(got.scores, want.scores)
        np.testing.assert_array_equal(got.counts, want.counts)
        got3 = self.rd.recommend(self.client, self.path, np.array(users), k=8, shards=5)
        np.testing.assert_array_equal(got3.keys, want.keys)
        opens = self.rd.opens_on_workers(self.client)
        self.assertEqual(len(opens), 2)
        for per_path in opens.values():
            self.assertEqual(per_path.get(self.path), 1, "one open per worker, not per task")
        with self.assertRaises(TypeError):
            self.rd.recommend(self.client, self.path, [1.5], k=3)

    def test_shipped_model(self):
        users = ["13705", "nobody", "17850"] * 3
        with Model.open(self.path, readonly=True) as m:
            want = m.recommend(users, k=4)
        got = self.rd.recommend(self.client, self.path, users, k=4, ship=True)
        np.testing.assert_array_equal(got.keys, want.keys)
        np.testing.assert_array_equal(got.scores, want.scores)

    def test_short_lists_padded_alike(self):
        with Model.open(self.path, readonly=True) as m:
            k = m.item_count
            want = m.recommend(["13705", "17850"], k=k)
        got = self.rd.recommend(self.client, self.path, ["13705", "17850"], k=k)
        self.assertLess(int(want.counts[0]), k)
        np.testing.assert_array_equal(got.keys, want.keys)
        np.testing.assert_array_equal(got.items, want.items)
        np.testing.assert_array_equal(got.scores, want.scores)  # NaN pads compare equal

    def test_simulate_users_sharded_equals_single(self):
        """The users split over the 2 workers (and into 3 and 7 shards),
        clicks exchanged every step: trace and summary (seconds aside)
        bitwise equal to one process's run, each worker opening the model
        once."""
        policies = ["scorer", "popular", "random"]
        kw = dict(users=30, steps=4, slate=5, seed=9)
        with Model.open(self.path, readonly=True) as m:
            want = m.simulate(policies, **kw)
            want_opt = m.simulate(["popular"], users=0, steps=3, slate=4, seed=2,
                                  options={"sim.conformity_weight": 6})
        for shards in (None, 3, 7):
            got = self.rd.simulate(self.client, self.path, policies, shards=shards, **kw)
            pd.testing.assert_frame_equal(got.trace, want.trace, check_exact=True)
            pd.testing.assert_frame_equal(got.summary.drop(columns="seconds"),
                                          want.summary.drop(columns="seconds"),
                                          check_exact=True)
            self.assertTrue((got.summary["seconds"] > 0).all())
        got = self.rd.simulate(self.client, self.path, ["popular"], users=0, steps=3, slate=4,
                               seed=2, options={"sim.conformity_weight": 6})
        pd.testing.assert_frame_equal(got.trace, want_opt.trace, check_exact=True)
        one = self.rd.simulate(self.client, self.path, "random", users=12, steps=1, slate=3)
        with Model.open(self.path, readonly=True) as m:
            pd.testing.assert_frame_equal(one.trace, m.simulate("random", users=12, steps=1,
                                                                slate=3).trace,
                                          check_exact=True)
        for per_path in self.rd.opens_on_workers(self.client).values():
            self.assertEqual(per_path.get(self.path), 1, "one open per worker, not per task")
        from recsim import RecsimError
        with self.assertRaises(RecsimError) as e:
            self.rd.simulate(self.client, self.path, ["oracle"], **kw)
        self.assertEqual(e.exception.name, "RS_ERR_NOTFOUND")
        with self.assertRaises(RecsimError):
            self.rd.simulate(self.client, self.path, ["random"], users=5, steps=0)
        with self.assertRaises(RecsimError):  # refused on a worker
            self.rd.simulate(self.client, self.path, ["random"], users=5, steps=2, slate=0)

    def test_evaluate_users_sharded_equals_single(self):
        """Users split over the 2 workers (and into 3 and 5 shards), the
        parts merged on the client: every column but seconds bitwise equal
        to one process's run, coverage / Gini / novelty included."""
        with Model.open(self.path, readonly=True) as m:
            want = m.evaluate(k=5).drop(columns="seconds")
            want_cold = m.evaluate(cold=True).drop(columns="seconds")
        got = self.rd.evaluate(self.client, self.path, k=5)
        self.assertIn("seconds", got.columns)
        pd.testing.assert_frame_equal(got.drop(columns="seconds"), want, check_exact=True)
        for shards in (3, 5):
            got = self.rd.evaluate(self.client, self.path, k=5, shards=shards)
            pd.testing.assert_frame_equal(got.drop(columns="seconds"), want, check_exact=True)
        got = self.rd.evaluate(self.client, self.path, cold=True)
        pd.testing.assert_frame_equal(got.drop(columns="seconds"), want_cold, check_exact=True)
        with self.assertRaises(ValueError):
            self.rd.evaluate(self.client, self.path, [{"k": 5}], k=5)

    def test_evaluate_runs(self):
        configs = [{"k": 5}, {"cut": "2011-09-01"}, {"random": 0.2, "seed": 1}]
        got = self.rd.evaluate(self.client, self.path, configs)
        with Model.open(self.path, readonly=True) as m:
            for i, c in enumerate(configs):
                want = m.evaluate(**c).drop(columns="seconds")
                part = got[got.config == i].drop(columns=["config", "seconds"])
                pd.testing.assert_frame_equal(part.reset_index(drop=True), want,
                                              check_exact=True)


if __name__ == "__main__":
    unittest.main()
