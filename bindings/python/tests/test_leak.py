"""No leak over 10,000 calls: the resident set size stays flat."""
import os
import unittest

from recsim import Model, RecsimError

from ._fixture import py_model


def rss_kib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


class LeakTest(unittest.TestCase):
    def test_rss_stable_over_10000_calls(self):
        with Model.open(py_model(), readonly=True) as m:
            item = m.item_keys[3]
            users = ["13705", "17850", "nobody"]

            def rounds(n):
                for i in range(n):
                    m.recommend("13705", k=10)
                    if i % 4 == 0:
                        m.recommend(users, k=10)
                        m.explain("13705", item)
                        m.similar(item, k=5)
                        m.options["scorer.w_popularity"]
                        try:
                            m.recommend("13705", k=0)
                        except ValueError:
                            pass
                        try:
                            m.similar("no such item")
                        except RecsimError:
                            pass

            rounds(2000)  # warm-up: caches, allocator arenas
            before = rss_kib()
            rounds(10000)
            grown = rss_kib() - before
        self.assertLess(grown, 2048, "RSS grew by %d KiB over 10,000 calls" % grown)

    def test_open_close_does_not_leak(self):
        path = py_model()
        for _ in range(10):
            Model.open(path, readonly=True).close()
        before = rss_kib()
        for _ in range(60):
            with Model.open(path, readonly=True) as m:
                m.recommend("13705", k=3)
        grown = rss_kib() - before
        self.assertLess(grown, 4096, "RSS grew by %d KiB over 60 opens" % grown)


if __name__ == "__main__":
    unittest.main()
