"""The package gives the CLI's results on the demo data: the same lists and
scores as `recsim recommend --json`, the same table as `recsim eval --json`,
the same summary as `recsim simulate --json`, on a model built by the CLI
and on one built from Python."""
import json
import unittest

import numpy as np
import pandas as pd

from recsim import Model

from ._fixture import cli, cli_model, py_model, tmp

USERS = ["13705", "17850", "12583", "nobody", "15311"]


class CliEqualTest(unittest.TestCase):
    def check_recommend(self, path):
        out = json.loads(cli("recommend", "--json", "--explain", "-k", "7", path, *USERS))
        with Model.open(path, readonly=True) as m:
            batch = m.recommend(USERS, k=7)
            for i, entry in enumerate(out):
                self.assertEqual(entry["user"], USERS[i])
                keys = [it["item"] for it in entry["items"]]
                self.assertEqual(list(batch.keys[i, :batch.counts[i]]), keys)
                # the CLI prints 9 significant digits: the float itself
                np.testing.assert_array_equal(
                    batch.scores[i, :batch.counts[i]],
                    np.array([it["score"] for it in entry["items"]], dtype=np.float32))
                for it in entry["items"][:3]:
                    e = m.explain(USERS[i], it["item"])
                    self.assertEqual(e.text, it["explanation"])
                    self.assertEqual(e.path, it["path"])

    def test_recommend_cli_model(self):
        self.check_recommend(cli_model())

    def test_recommend_python_model(self):
        self.check_recommend(py_model())

    def test_models_are_the_same(self):
        with Model.open(cli_model(), readonly=True) as a, Model.open(py_model(),
                                                                      readonly=True) as b:
            np.testing.assert_array_equal(a.item_keys, b.item_keys)
            self.assertEqual(a.count("events"), b.count("events"))

    def test_evaluate(self):
        for args, kw in (([], {}), (["--cut", "2011-09-01", "-k", "5"],
                                    {"cut": "2011-09-01", "k": 5}),
                         (["--random", "0.3", "--seed", "4"], {"random": 0.3, "seed": 4}),
                         (["--cold", "--cut", "2011-09-01"], {"cut": "2011-09-01",
                                                              "cold": True})):
            rows = json.loads(cli("eval", "--json", *args, py_model()))
            with Model.open(py_model(), readonly=True) as m:
                df = m.evaluate(options={"eval.recent_days": 30}, **kw)
            self.assertEqual(list(df.columns), list(rows[0].keys()), args)
            self.assertEqual(list(df["name"]), [r["name"] for r in rows])
            for r, (_, row) in zip(rows, df.iterrows()):
                for col, v in r.items():
                    if col in ("name", "seconds"):
                        continue
                    if v is None:
                        self.assertTrue(np.isnan(row[col]), (args, r["name"], col))
                    else:
                        self.assertAlmostEqual(row[col], v, places=12,
                                               msg=(args, r["name"], col))

    def test_simulate(self):
        csv = tmp("sim.csv")
        out = json.loads(cli("simulate", "--json", "--users", "40", "--steps", "5",
                             "--seed", "7", "--policies", "scorer,popular,random",
                             "--csv", csv, py_model()))
        with Model.open(py_model(), readonly=True) as m:
            s = m.simulate(["scorer", "popular", "random"], users=40, steps=5, seed=7)
        for pol, (name, row) in zip(out["policies"], s.summary.iterrows()):
            for col, v in pol.items():
                if col in ("name", "seconds"):
                    continue
                self.assertAlmostEqual(row[col], v, delta=abs(v) * 1e-5 + 1e-9,
                                       msg=(name, col))
        # the per-step table is the CLI's --csv (policy "popular" is shown
        # as "most-popular" there; %.9g figures)
        want = pd.read_csv(csv)
        got = s.per_step()
        got["policy"] = got["policy"].replace({"popular": "most-popular"})
        self.assertEqual(list(got.columns), list(want.columns))
        self.assertEqual(list(got["policy"]), list(want["policy"]))
        for col in want.columns[1:]:
            np.testing.assert_allclose(got[col].to_numpy(float), want[col].to_numpy(float),
                                       rtol=1e-8, atol=1e-12, err_msg=col)


if __name__ == "__main__":
    unittest.main()
