"""Model.simulate_shard, SimShard and SimMerge in one process: the shards
of every policy stepped together and merged give Model.simulate's trace and
summary bit for bit; bad arguments and bytes raise clear exceptions."""
import unittest

import pandas as pd

from recsim import Model, RecsimError, SimMerge

from ._fixture import py_model


def sharded(m, policies, shards, steps, **kw):
    with SimMerge(policies, steps) as merge:
        for p, policy in enumerate(policies):
            sims = [m.simulate_shard(policy, i, shards, **kw) for i in range(shards)]
            merged = None
            for _ in range(steps):
                parts = [s.step(merged) for s in reversed(sims)]  # any order
                merged = merge.step(p, parts)
            for s in sims:
                s.close()
        return merge.result()


class SimShardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.path = py_model()

    def test_shards_equal_single_run(self):
        policies = ["scorer", "popular", "random"]
        kw = dict(users=25, slate=4, seed=3)
        with Model.open(self.path, readonly=True) as m:
            want = m.simulate(policies, steps=5, **kw)
            for shards in (1, 2, 3):
                got = sharded(m, policies, shards, 5, **kw)
                pd.testing.assert_frame_equal(got.trace, want.trace, check_exact=True)
                pd.testing.assert_frame_equal(got.summary.drop(columns="seconds"),
                                              want.summary.drop(columns="seconds"),
                                              check_exact=True)
            opt = {"sim.conformity_weight": 5}
            want = m.simulate(["popular"], steps=4, options=opt, **kw)
            got = sharded(m, ["popular"], 2, 4, options=opt, **kw)
            pd.testing.assert_frame_equal(got.trace, want.trace, check_exact=True)

    def test_bad_input(self):
        with Model.open(self.path, readonly=True) as m:
            with self.assertRaises(TypeError):
                m.simulate_shard("random", 0.5, 2)
            with self.assertRaises(ValueError):
                m.simulate_shard("random", 2, 2)
            with self.assertRaises(ValueError):
                m.simulate_shard("random", 0, 1, users=-1)
            with self.assertRaises(RecsimError) as e:
                m.simulate_shard("oracle", 0, 1)
            self.assertEqual(e.exception.name, "RS_ERR_NOTFOUND")
            s = m.simulate_shard("random", 0, 1, users=5)
            with self.assertRaises(RecsimError) as e:  # merged bytes at step 0
                s.step(b"RSSMSTEP")
            self.assertEqual(e.exception.name, "RS_ERR_STATE")
            part = s.step(None)
            self.assertIsInstance(part, bytes)
            with self.assertRaises(TypeError):
                s.step("text")
            with self.assertRaises(RecsimError) as e:
                s.step(b"damaged")
            self.assertEqual(e.exception.name, "RS_ERR_CORRUPT")
            with SimMerge(["random"], 2) as merge:
                with self.assertRaises(RecsimError) as e:
                    merge.step(0, [part[:-1]])
                self.assertEqual(e.exception.name, "RS_ERR_CORRUPT")
                with self.assertRaises(RecsimError) as e:
                    merge.step(1, [part])
                self.assertEqual(e.exception.name, "RS_ERR_RANGE")
                with self.assertRaises(RecsimError) as e:
                    merge.result()  # steps missing
                self.assertEqual(e.exception.name, "RS_ERR_STATE")
                merged = merge.step(0, [part])
                merge.step(0, [s.step(merged)])
                self.assertEqual(len(merge.result().trace), 2)
            s.close()
            s.close()
            with self.assertRaises(ValueError):
                s.step(None)
        with self.assertRaises(RecsimError):
            SimMerge(["random"], 0)
        with self.assertRaises(RecsimError):
            SimMerge(["oracle"], 2)


if __name__ == "__main__":
    unittest.main()
