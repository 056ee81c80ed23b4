"""recsim.CFModel on scipy.sparse matrices (implicit-style)."""
import unittest

import numpy as np
import scipy.sparse as sp

import recsim
from recsim import CFModel, RecsimError
from recsim.cf import _as


def matrix(seed=0, n_users=200, n_items=80, nnz=2500):
    rng = np.random.default_rng(seed)
    rows, cols = rng.integers(0, n_users, nnz), rng.integers(0, n_items, nnz)
    return sp.csr_matrix((np.ones(nnz, np.float32), (rows, cols)), shape=(n_users, n_items))


class CFModelTest(unittest.TestCase):
    def test_kinds_fit_and_recommend(self):
        X = matrix()
        for kind in ("als", "itemknn", "ease", "rp3beta", "edlae"):
            with CFModel(kind) as m:
                opts = {"als": {"factors": 8, "iterations": 3}}.get(kind, {})
                for name, v in opts.items():
                    m.set(name, v)
                m.fit(X)
                self.assertEqual(m.shape, X.shape)
                ids, scores = m.recommend(5, X, N=6)
                self.assertEqual(len(ids), 6)
                self.assertEqual(scores.dtype, np.float32)
                self.assertTrue(np.all(np.diff(scores) <= 0), kind)
                liked = set(X[5].indices)
                self.assertFalse(liked & set(ids.tolist()), kind)
                batch_ids, batch_scores = m.recommend(np.array([5, 6]), X, N=6)
                np.testing.assert_array_equal(batch_ids[0], ids)
                sim, _ = m.similar_items(3, N=4)
                self.assertNotIn(3, sim.tolist())
                only = m.recommend(5, X, N=3, items=[1, 2, 3, 4, 5, 6, 7])
                self.assertTrue(set(only[0].tolist()) <= {1, 2, 3, 4, 5, 6, 7})

    def test_csr_and_coo_fit_alike(self):
        X = matrix(1)
        a = CFModel("ease").fit(X)
        b = CFModel("ease").fit(X.tocoo())
        np.testing.assert_array_equal(a.score([1, 2, 3]), b.score([1, 2, 3]))

    def test_no_copy_where_dtypes_allow(self):
        idx = np.arange(10, dtype=np.int32)
        self.assertTrue(np.shares_memory(_as(idx, np.uint32), idx))
        data = np.ones(10, dtype=np.float32)
        self.assertTrue(np.shares_memory(_as(data, np.float32), data))
        self.assertFalse(np.shares_memory(_as(data.astype(np.float64), np.float32), data))

    def test_als_factors(self):
        X = matrix(2)
        m = CFModel("als", factors=8, iterations=2).fit(X)
        self.assertEqual(m.user_factors.shape, (X.shape[0], 8))
        self.assertEqual(m.item_factors.shape, (X.shape[1], 8))
        self.assertEqual(m.get("factors"), 8)
        with self.assertRaises(RecsimError):
            CFModel("ease").fit(X).user_factors

    def test_bad_input(self):
        with self.assertRaises(ValueError):
            CFModel("svd++")
        with self.assertRaises(KeyError):
            CFModel("als", colour=3)
        with self.assertRaises(RecsimError) as ctx:
            CFModel("als", factors=0)
        self.assertEqual(ctx.exception.status, recsim.STATUS["RS_ERR_RANGE"])
        with self.assertRaises(TypeError):
            CFModel("ease").fit(np.ones((3, 3)))
        with self.assertRaises(ValueError):
            CFModel("ease").fit(sp.csr_matrix((3, 3), dtype=np.float32))
        neg = matrix(3).tocoo()
        neg.data[0] = -1
        with self.assertRaises(RecsimError) as ctx:
            CFModel("ease").fit(neg)
        self.assertEqual(ctx.exception.name, "RS_ERR_RANGE")
        m = CFModel("ease").fit(matrix())
        with self.assertRaises(ValueError):
            m.score([1, 2], weights=[1.0])
        with self.assertRaises(TypeError):
            m.recommend(1.5, matrix())


if __name__ == "__main__":
    unittest.main()
