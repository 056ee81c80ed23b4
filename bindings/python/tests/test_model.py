"""recsim.Model: every public call, numpy/pandas round trips, bad input."""
import os
import threading
import unittest

import numpy as np
import pandas as pd

import recsim
from recsim import Model, RecsimError

from ._fixture import DATA, py_model, tmp


class ReadTest(unittest.TestCase):
    """Calls on a built, read-only model."""

    @classmethod
    def setUpClass(cls):
        cls.m = Model.open(py_model(), readonly=True)

    @classmethod
    def tearDownClass(cls):
        cls.m.close()

    def test_state_and_counts(self):
        m = self.m
        self.assertTrue(m.is_built)
        self.assertFalse(m.closed)
        self.assertEqual(m.item_count, m.count("items"))
        self.assertGreater(m.count("users"), 100)
        self.assertGreater(m.count("events"), 1000)
        self.assertGreater(m.count("users_with_history"), 100)
        self.assertIn("built", repr(m))
        with self.assertRaises(ValueError):
            m.count("nonsense")

    def test_index_space(self):
        keys = self.m.item_keys
        self.assertEqual(keys.dtype, object)
        self.assertEqual(len(keys), self.m.item_count)
        self.assertEqual(self.m.item_index(keys[7]), 7)
        with self.assertRaises(RecsimError) as ctx:
            self.m.item_index("no such item")
        self.assertEqual(ctx.exception.name, "RS_ERR_NOTFOUND")

    def test_recommend_one(self):
        r = self.m.recommend("13705", k=5)
        keys, scores = r
        self.assertEqual(keys.dtype, object)
        self.assertEqual(scores.dtype, np.float32)
        self.assertEqual(r.items.dtype, np.uint32)
        self.assertEqual(len(keys), 5)
        self.assertTrue(all(isinstance(k, str) for k in keys))
        self.assertTrue(np.all(np.diff(scores) <= 0))
        self.assertEqual(list(self.m.item_keys[r.items]), list(keys))
        df = r.to_frame()
        self.assertEqual(list(df.columns), ["rank", "item", "score"])

    def test_recommend_filters(self):
        full = self.m.recommend("13705", k=5).keys
        r = self.m.recommend("13705", k=5, exclude=[full[0]])
        self.assertNotIn(full[0], list(r.keys))
        r = self.m.recommend("13705", k=5, only=list(full[2:4]) + ["unknown"])
        self.assertEqual(sorted(r.keys), sorted(full[2:4]))
        f = self.m.recommend("13705", k=5, filter=list(full[2:4]))
        self.assertEqual(list(f.keys), list(r.keys))
        with self.assertRaises(ValueError):
            self.m.recommend("13705", only=["a"], filter=["b"])

    def test_batch_is_the_single_calls(self):
        users = ["13705", "nobody", "12347", "17850", "13705"]
        b = self.m.recommend(users, k=6)
        self.assertEqual(b.keys.shape, (5, 6))
        self.assertEqual(b.scores.dtype, np.float32)
        for i, u in enumerate(users):
            one = self.m.recommend(u, k=6)
            n = b.counts[i]
            self.assertEqual(list(b.keys[i, :n]), list(one.keys))
            np.testing.assert_array_equal(b.scores[i, :n], one.scores)
        # numpy str, object and pandas inputs give the same lists
        for form in (np.array(users), np.array(users, dtype=object), pd.Series(users)):
            np.testing.assert_array_equal(self.m.recommend(form, k=6).keys, b.keys)
        df = b.to_frame()
        self.assertEqual(list(df.columns), ["user", "rank", "item", "score"])
        self.assertEqual(len(df), int(b.counts.sum()))
        # a batch with filters: one call per user, same shape
        f = self.m.recommend(users, k=6, exclude=[b.keys[0, 0]])
        self.assertNotIn(b.keys[0, 0], list(f.keys[0]))
        self.assertEqual(len(self.m.recommend([], k=3).keys), 0)

    def test_integer_user_ids(self):
        np.testing.assert_array_equal(self.m.recommend(13705, k=3).keys,
                                      self.m.recommend("13705", k=3).keys)
        np.testing.assert_array_equal(self.m.recommend(np.array([13705]), k=3).keys,
                                      self.m.recommend(["13705"], k=3).keys)

    def test_short_lists_are_padded(self):
        n = self.m.item_count
        b = self.m.recommend(["13705"], k=n)  # more than the unseen items
        c = int(b.counts[0])
        self.assertLess(c, n)
        self.assertIsNone(b.keys[0, -1])
        self.assertTrue(np.isnan(b.scores[0, -1]))
        self.assertEqual(b.items[0, -1], 0xFFFFFFFF)
        self.assertFalse(np.isnan(b.scores[0, :c]).any())

    def test_explain(self):
        item = self.m.recommend("13705", k=1).keys[0]
        e = self.m.explain("13705", item)
        self.assertTrue(e.text.startswith("recommended because"))
        self.assertEqual(e.nodes[0], ("user", "13705"))
        self.assertEqual(e.nodes[-1], ("item", item))
        self.assertEqual(len(e.relations), len(e.nodes) - 1)
        self.assertEqual(e.source, "history")
        self.assertEqual(len(e.path), 2 * len(e.nodes) - 1)
        cold = self.m.explain("nobody at all", item)
        self.assertEqual(cold.nodes, [])
        self.assertEqual(cold.source, "popularity")
        with self.assertRaises(RecsimError) as ctx:
            self.m.explain("13705", "no such item")
        self.assertEqual(ctx.exception.status, recsim.STATUS["RS_ERR_NOTFOUND"])

    def test_similar(self):
        item = self.m.item_keys[0]
        keys, scores = self.m.similar(item, k=4)
        self.assertEqual(len(keys), 4)
        self.assertNotIn(item, list(keys))
        self.assertEqual(scores.dtype, np.float32)
        with self.assertRaises(RecsimError):
            self.m.similar("no such item")

    def test_options_mapping(self):
        m = self.m
        self.assertEqual(len(m.options), len(recsim.option_info()))
        self.assertIn("scorer.w_popularity", m.options)
        before = m.recommend("13705", k=5)
        old = m.options["scorer.w_popularity"]
        self.assertIsInstance(old, float)
        new = 0.0 if old != 0 else 1.0  # the build may have chosen 0 on validation
        m.options["scorer.w_popularity"] = new
        self.assertEqual(m.options["scorer.w_popularity"], new)
        after = m.recommend("13705", k=5)
        self.assertFalse(np.array_equal(before.scores, after.scores))
        del m.options["scorer.w_popularity"]  # back to the default
        self.assertEqual(m.options["scorer.w_popularity"],
                         float(recsim.option_info()["scorer.w_popularity"].default))
        m.options["scorer.w_popularity"] = "0.3"  # text works too
        self.assertIsInstance(m.options["scorer.hops"], int)
        self.assertIsInstance(m.options["build.cf"], str)
        self.assertEqual(m.options.info("scorer.hops").type, "int")
        d = m.options.to_dict()
        self.assertEqual(d["scorer.hops"], m.options["scorer.hops"])
        with self.assertRaises(KeyError) as ctx:
            m.options["scorer.w_popularty"]
        self.assertIn("scorer.w_popularity", str(ctx.exception))
        with self.assertRaises(RecsimError) as ctx:
            m.options["scorer.w_popularity"] = 1e9
        self.assertEqual(ctx.exception.name, "RS_ERR_RANGE")
        with self.assertRaises(RecsimError) as ctx:
            m.options["scorer.hops"] = "many"
        self.assertEqual(ctx.exception.name, "RS_ERR_PARSE")
        with self.assertRaises(TypeError):
            m.options["scorer.hops"] = [1]

    def test_evaluate_shards_merge_exactly(self):
        """evaluate_shard + merge_eval_parts == evaluate, bit for bit (seconds
        aside), in any shard order."""
        want = self.m.evaluate(k=5, random=0.3, seed=2).drop(columns="seconds")
        shards = [self.m.evaluate_shard(s, 3, k=5, random=0.3, seed=2) for s in range(3)]
        self.assertEqual([n for n, _ in shards[0]], list(want["name"]))
        self.assertIsInstance(shards[0][0][1], bytes)
        got = recsim.merge_eval_parts(shards[::-1])
        pd.testing.assert_frame_equal(got.drop(columns="seconds"), want, check_exact=True)
        with self.assertRaises(ValueError):
            self.m.evaluate_shard(3, 3)
        with self.assertRaises(TypeError):
            self.m.evaluate_shard(0.5, 3)
        with self.assertRaises(RecsimError) as ctx:
            recsim.merge_eval_parts(shards[:2])  # a shard missing
        self.assertEqual(ctx.exception.name, "RS_ERR_STATE")
        with self.assertRaises(RecsimError) as ctx:
            recsim.merge_eval_parts([shards[0], [(n, b[:-3]) for n, b in shards[1]], shards[2]])
        self.assertEqual(ctx.exception.name, "RS_ERR_CORRUPT")
        with self.assertRaises(ValueError):
            recsim.merge_eval_parts([shards[0], shards[1][:1], shards[2]])
        with self.assertRaises(ValueError):
            recsim.merge_eval_parts([])

    def test_evaluate_frame(self):
        df = self.m.evaluate(k=5)
        self.assertIsInstance(df, pd.DataFrame)
        self.assertTrue(df["name"].iloc[0].startswith("recsim scorer"))
        self.assertIn("most-popular", list(df["name"]))
        self.assertTrue((df["k"] == 5).all())
        self.assertEqual(self.m.options["eval.k"], 10, "k applies to the call only")
        only = self.m.evaluate(baselines=False)
        self.assertEqual(len(only), 1)
        r = self.m.evaluate(random=0.2, seed=3)
        self.assertEqual(len(r), len(df))
        last = self.m.evaluate(last=1)
        self.assertGreater(last["users"].iloc[0], 0)
        cut = self.m.evaluate(cut="2011-09-01")
        same = self.m.evaluate(cut=pd.Timestamp("2011-09-01").to_pydatetime())
        pd.testing.assert_frame_equal(cut.drop(columns="seconds"),
                                      same.drop(columns="seconds"))
        cold = self.m.evaluate(cut="2011-09-01", cold=True)
        self.assertEqual(cold["group"].iloc[0], 1)
        with self.assertRaises(ValueError):
            self.m.evaluate(cut=0, random=0.2)
        with self.assertRaises(RecsimError):
            self.m.evaluate(random=1.5)

    def test_simulate_frames(self):
        s = self.m.simulate(["scorer", "popular", "random"], users=30, steps=4, slate=5, seed=2)
        self.assertEqual(len(s.trace), 12)
        self.assertEqual(list(s.trace.columns[:2]), ["policy", "step"])
        for name in recsim.SIM_STAT:
            self.assertIn(name, s.trace.columns)
        self.assertEqual(list(s.summary.index), ["scorer", "popular", "random"])
        self.assertIn("seconds", s.summary.columns)
        self.assertTrue((s.trace["steps"] == s.trace["step"] + 1).all())
        again = self.m.simulate(["scorer", "popular", "random"], users=30, steps=4, slate=5,
                                seed=2)
        pd.testing.assert_frame_equal(s.trace, again.trace)
        sim2 = self.m.simulate(["popular"], users=30, steps=4, slate=5, seed=2,
                               options={"sim.noclick": 5.0})
        self.assertEqual(self.m.options["sim.noclick"], 1.0)
        self.assertFalse(sim2.trace["clicks"].equals(
            s.trace[s.trace.policy == "popular"]["clicks"].reset_index(drop=True)))
        with self.assertRaises(RecsimError) as ctx:
            self.m.simulate(["nonsense"], users=5, steps=1)
        self.assertEqual(ctx.exception.name, "RS_ERR_NOTFOUND")

    def test_read_only_refuses_writes(self):
        with self.assertRaises(RecsimError) as ctx:
            self.m.observe("13705", self.m.item_keys[0], times=0)
        self.assertEqual(ctx.exception.name, "RS_ERR_READONLY")
        with self.assertRaises(RecsimError):
            self.m.options.save()

    def test_threads_share_a_read_only_model(self):
        users = ["13705", "17850", "nobody", "12347"] * 25
        want = self.m.recommend(users, k=5).keys
        out = [None] * 4

        def work(i):
            out[i] = self.m.recommend(users, k=5).keys

        threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for o in out:
            np.testing.assert_array_equal(o, want)

    def test_gil_released_during_c_calls(self):
        # ctypes releases the GIL around every call of a CDLL's functions and
        # keeps it for a PyDLL's (FUNCFLAG_PYTHONAPI); the binding must load
        # the library as a CDLL so that Python threads run during long calls.
        # (A timing test of the same would depend on the machine's speed.)
        import ctypes
        from recsim import _lib
        lib = _lib.lib
        self.assertIsInstance(lib, ctypes.CDLL)
        self.assertNotIsInstance(lib, ctypes.PyDLL)
        fn = lib.rs_model_recommend_batch
        self.assertFalse(fn._flags_ & ctypes._FUNCFLAG_PYTHONAPI)


class BadInputTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.m = Model.open(py_model(), readonly=True)

    @classmethod
    def tearDownClass(cls):
        cls.m.close()

    def test_wrong_dtype(self):
        with self.assertRaises(TypeError):
            self.m.recommend(np.array([1.5, 2.5]), k=3)
        with self.assertRaises(TypeError):
            self.m.recommend([b"ok".decode(), 3.0], k=3)
        with self.assertRaises(TypeError):
            self.m.recommend(3.5, k=3)
        with self.assertRaises(TypeError):
            self.m.recommend("13705", k=2.0)
        with self.assertRaises(TypeError):
            self.m.recommend({"13705": 1}, k=2)

    def test_wrong_shape(self):
        with self.assertRaises(ValueError):
            self.m.recommend(np.array([["13705", "x"]]), k=3)

    def test_bad_k(self):
        for k in (0, -1, 10 ** 6):
            with self.assertRaises(ValueError):
                self.m.recommend("13705", k=k)

    def test_bad_utf8_key(self):
        with self.assertRaises(RecsimError) as ctx:
            self.m.recommend(b"\xff\xfe", k=3)
        self.assertEqual(ctx.exception.name, "RS_ERR_ENCODING")

    def test_missing_file(self):
        with self.assertRaises(RecsimError) as ctx:
            Model.open(tmp("missing.rsm"))
        err = ctx.exception
        self.assertEqual(err.name, "RS_ERR_IO")
        self.assertIn("missing.rsm", err.message)
        self.assertIn("RS_ERR_IO", str(err))

    def test_not_a_model(self):
        path = tmp("garbage.rsm")
        with open(path, "wb") as f:
            f.write(b"this is not SQLite" * 100)
        with self.assertRaises(RecsimError) as ctx:
            Model.open(path, readonly=True)
        self.assertEqual(ctx.exception.name, "RS_ERR_CORRUPT")

    def test_closed_model(self):
        m = Model.open(py_model(), readonly=True)
        m.close()
        m.close()  # idempotent
        self.assertTrue(m.closed)
        for call in (lambda: m.recommend("13705"), lambda: m.options["scorer.hops"],
                     lambda: m.explain("a", "b"), lambda: m.is_built, lambda: m.evaluate()):
            with self.assertRaises(ValueError) as ctx:
                call()
            self.assertIn("closed", str(ctx.exception))
        self.assertIn("closed", repr(m))

    def test_unbuilt_model(self):
        with Model.create(":memory:") as m:
            self.assertFalse(m.is_built)
            with self.assertRaises(RecsimError) as ctx:
                m.recommend("x")
            self.assertEqual(ctx.exception.name, "RS_ERR_STATE")
            with self.assertRaises(RecsimError):
                m.build()  # no items

    def test_bad_import_arguments(self):
        with Model.create(":memory:") as m:
            with self.assertRaises(ValueError):
                m.import_log(DATA, kind="things")
            with self.assertRaises(ValueError):
                m.import_log(DATA, preset="nope")
            with self.assertRaises(ValueError):
                m.import_log(DATA, map={"colour": "x"})
            with self.assertRaises(TypeError):
                m.import_log(42)
            with self.assertRaises(RecsimError) as ctx:
                m.import_log(tmp("nofile.tsv"))
            self.assertEqual(ctx.exception.name, "RS_ERR_IO")
            bad = pd.DataFrame({"user": ["a", "b"], "item": ["x", "y"],
                                "weight": ["1", "lots"]})
            with self.assertRaises(RecsimError) as ctx:
                m.import_log(bad)
            self.assertIn("<DataFrame>", ctx.exception.message)
            self.assertEqual(m.count("events"), 0, "a failed import changes nothing")

    def test_error_is_picklable(self):
        import pickle
        e = RecsimError(-3, "RS_ERR_RANGE", "k out of range")
        f = pickle.loads(pickle.dumps(e))
        self.assertEqual((f.status, f.name, f.message), (e.status, e.name, e.message))


class WriteTest(unittest.TestCase):
    """Import from a DataFrame, build with options, observe, save options."""

    def test_dataframe_import_equals_file_import(self):
        frame = pd.read_csv(DATA, sep="\t", dtype={"InvoiceNo": str, "StockCode": str},
                            keep_default_na=False, na_values=[""])
        path = tmp("frame.rsm")
        with Model.create(path) as m:
            rep = m.import_log(frame, preset="retail")
            self.assertEqual(set(rep), {"interactions", "items", "users"})
            self.assertEqual(rep["interactions"]["dropped"]["cancellation"], 180)
            m.build()
            with Model.open(py_model(), readonly=True) as ref:
                users = ["13705", "17850", "nobody"]
                a, b = m.recommend(users, k=10), ref.recommend(users, k=10)
                np.testing.assert_array_equal(a.keys, b.keys)
                np.testing.assert_array_equal(a.scores, b.scores)

    def test_import_skips_known_rows_append_and_replace(self):
        """import_log skips the rows the model already has (as the CLI does),
        append=True imports them again, replace=True replaces the relation."""
        path = tmp("known.rsm")
        log = pd.DataFrame({"user": ["u1", "u1", "u2", "u3"], "item": ["a", "b", "b", "c"],
                            "time": ["2020-01-0%d" % d for d in range(1, 5)]})
        newer = pd.DataFrame({"user": ["u1", "u4"], "item": ["c", "a"],
                              "time": ["2020-02-01", "2020-02-02"]})
        with Model.create(path) as m:
            first = m.import_log(log)["interactions"]
            self.assertEqual((first["imported"], first["already_in_model"]), (4, 0))
            self.assertFalse(first["replaced"])
            events = m.count("events")
            again = m.import_log(pd.concat([log, newer]))["interactions"]
            self.assertEqual((again["imported"], again["already_in_model"]), (2, 4))
            self.assertEqual(m.count("events"), events + 2)
            appended = m.import_log(log, append=True)["interactions"]
            self.assertEqual((appended["imported"], appended["already_in_model"]), (4, 0))
            replaced = m.import_log(newer, replace=True)["interactions"]
            self.assertTrue(replaced["replaced"])
            self.assertEqual(replaced["imported"], 2)
            self.assertEqual(m.count("events"), 2)
            with self.assertRaises(ValueError):
                m.import_log(log, append=True, replace=True)
        with Model.create() as mem, self.assertRaises(RecsimError) as ctx:
            mem.import_log(log, replace=True)
        self.assertEqual(ctx.exception.name, "RS_ERR_INVALID")

    def test_build_options_observe_and_reopen(self):
        path = tmp("write.rsm")
        log = pd.DataFrame({
            "user": ["u1", "u1", "u2", "u2", "u3", "u3", "u4"],
            "item": ["a", "b", "b", "c", "a", "c", "d"],
            "time": ["2020-01-0%d" % d for d in range(1, 8)],
        })
        items = pd.DataFrame({"item": list("abcde"),
                              "title": ["red mug", "blue mug", "red lamp", "desk lamp",
                                        "green mug"]})
        with Model.create(path) as m:
            rep = m.import_log(log)
            self.assertEqual(rep["interactions"]["imported"], 7)
            m.import_log(items, kind="items", properties=["title"])
            m.build({"build.cf": "knn"}, embedder__dim=32)
            self.assertEqual(m.options["build.cf"], "knn")
            self.assertEqual(m.options["embedder.dim"], 32)
            self.assertEqual(m.item_count, 5)
            m.options["scorer.w_popularity"] = 0.0
            m.options.save()
            before = m.recommend("u4", k=4)
            self.assertEqual(m.observe("u4", ["a"], times="2020-02-01"), 1)
            m.observe("new user", "b", times=pd.Timestamp("2020-02-02"))
            after = m.recommend("u4", k=4)
            self.assertNotIn("a", list(after.keys))
            self.assertIn("a", list(before.keys))
            with self.assertRaises(RecsimError) as ctx:
                m.observe("u4", "zz", times=0)
            self.assertEqual(ctx.exception.name, "RS_ERR_NOTFOUND")
            with self.assertRaises(ValueError):
                m.observe("u4", ["a", "b"], times=[0])
            with self.assertRaises(RecsimError):
                m.observe("u4", "a", times=0, weight=-1.0)
        with Model.open(path, readonly=True) as m:
            self.assertEqual(m.options["scorer.w_popularity"], 0.0)
            self.assertEqual(m.options["embedder.dim"], 32)
            self.assertNotIn("a", list(m.recommend("u4", k=4).keys))
            self.assertIn("b", list(m.recommend("new user", k=4).keys) + ["b"])

    def test_import_report_and_reject_file(self):
        reject = tmp("rejects.txt")
        with Model.create(":memory:") as m:
            rep = m.import_log(DATA, preset="retail", reject=reject)
            inter = rep["interactions"]
            self.assertEqual(inter["rows"], inter["kept"] + sum(inter["dropped"].values()))
            self.assertEqual(inter["imported"], inter["kept"])
        with open(reject) as f:
            self.assertEqual(sum(1 for _ in f), sum(inter["dropped"].values()))

    def test_module_functions(self):
        self.assertGreaterEqual(recsim.version(), 10000)
        self.assertTrue(recsim.version_string())
        self.assertTrue(recsim.blas_corename())
        n = recsim.get_num_threads()
        recsim.set_num_threads(1)
        self.assertEqual(recsim.get_num_threads(), 1)
        recsim.set_num_threads(n)
        self.assertTrue(os.path.exists(recsim._lib.path) or "/" not in recsim._lib.path)


if __name__ == "__main__":
    unittest.main()
