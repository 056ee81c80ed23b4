"""Smoke test of the ctypes binding: version, an error path and its message."""
import unittest

import recsim


class SmokeTest(unittest.TestCase):
    def test_version(self):
        self.assertGreaterEqual(recsim.version(), 10000)
        major, minor, patch = (int(x) for x in recsim.version_string().split("."))
        self.assertEqual(recsim.version(), major * 10000 + minor * 100 + patch)

    def test_error_path_carries_status_and_message(self):
        with self.assertRaises(recsim.RecsimError) as ctx:
            recsim.set_num_threads(-2)
        err = ctx.exception
        self.assertEqual(err.status, recsim.STATUS["RS_ERR_RANGE"])
        self.assertEqual(err.name, "RS_ERR_RANGE")
        self.assertIn("-2", err.message)
        self.assertEqual(recsim.strerror(err.status), "value out of range")

    def test_threads_round_trip(self):
        recsim.set_num_threads(1)
        self.assertEqual(recsim.get_num_threads(), 1)
        recsim.set_num_threads(0)
        self.assertGreaterEqual(recsim.get_num_threads(), 1)

    def test_blas_corename(self):
        self.assertTrue(recsim.blas_corename())

    def test_errmsg_is_cleared(self):
        recsim.lib.rs_clear_error()
        self.assertEqual(recsim.lib.rs_errmsg(), b"")
        self.assertEqual(recsim.lib.rs_errcode(), 0)


if __name__ == "__main__":
    unittest.main()
