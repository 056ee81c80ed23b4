"""The ids the package uses are the header's (generated, checked here), and
the library agrees with them at run time."""
import ctypes
import os
import sys
import unittest

import recsim
from recsim import _constants
from recsim._lib import lib

from ._fixture import ROOT

sys.path.insert(0, os.path.join(ROOT, "bindings", "python", "tools"))
import gen_constants  # noqa: E402


class ConstantsTest(unittest.TestCase):
    def test_generated_table_is_the_headers(self):
        fresh = gen_constants.generate(os.path.join(ROOT, "include", "recsim.h"))
        with open(_constants.__file__, encoding="utf-8") as f:
            self.assertEqual(f.read(), fresh, "run tools/gen_constants.py: recsim.h changed")

    def test_every_status_has_a_library_description(self):
        for name, code in recsim.STATUS.items():
            self.assertTrue(recsim.strerror(code), name)
        # the first code after the table is unknown to the library too
        low = min(recsim.STATUS.values())
        self.assertNotEqual(recsim.strerror(low - 1), recsim.strerror(low))

    def test_eval_fields_are_the_librarys(self):
        for name, fid in recsim.EVAL_FIELD.items():
            self.assertIsNotNone(lib.rs_eval_field_name(fid), name)
        self.assertIsNone(lib.rs_eval_field_name(max(recsim.EVAL_FIELD.values()) + 1))

    def test_sim_stats_cover_the_trace(self):
        from ._fixture import py_model
        with recsim.Model.open(py_model(), readonly=True) as m:
            tr = ctypes.c_void_p()
            pol = (ctypes.c_char_p * 1)(b"popular")
            recsim.check(lib.rs_model_simulate(m._h, pol, 1, 5, 1, 3, 1, ctypes.byref(tr)))
            try:
                v = ctypes.c_double()
                for name, sid in recsim.SIM_STAT.items():
                    self.assertEqual(lib.rs_sim_trace_value(tr, 0, 0, sid, ctypes.byref(v)), 0,
                                     name)
                nxt = max(recsim.SIM_STAT.values()) + 1
                self.assertEqual(lib.rs_sim_trace_value(tr, 0, 0, nxt, ctypes.byref(v)),
                                 recsim.STATUS["RS_ERR_RANGE"],
                                 "the trace has a statistic the header table lacks")
            finally:
                lib.rs_sim_trace_free(tr)

    def test_option_table_comes_from_the_library(self):
        info = recsim.option_info()
        self.assertEqual(len(info), lib.rs_model_option_count())
        w = info["scorer.w_popularity"]
        self.assertEqual(w.type, "double")
        self.assertLessEqual(w.min, float(w.default))
        self.assertIn("ease", info["build.cf"].choices)


if __name__ == "__main__":
    unittest.main()
