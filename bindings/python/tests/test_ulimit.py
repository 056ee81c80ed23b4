"""Under an address-space limit the package sets OPENBLAS_NUM_THREADS=1
before loading the library, so that importing it cannot hang in OpenBLAS's
constructor (issue 21 F6: each OpenBLAS worker retried a 128 MiB buffer
forever)."""
import os
import resource
import subprocess
import sys
import unittest

SCRIPT = ("import os, recsim; recsim.version(); "
          "print(os.environ.get('OPENBLAS_NUM_THREADS'))")
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS")


def run(limit_bytes, extra_env=None):
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    env.update(extra_env or {})

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                          text=True, timeout=120,
                          preexec_fn=limit if limit_bytes else None)


class UlimitTest(unittest.TestCase):
    def test_limited_process_gets_one_blas_thread_and_does_not_hang(self):
        # 160 MB: two OpenBLAS workers (2 x 128 MiB) do not fit; one thread does.
        # A hang raises subprocess.TimeoutExpired and fails the test.
        r = run(160 << 20)
        if r.returncode == 0:
            self.assertEqual(r.stdout.strip(), "1")
        else:  # Python or numpy itself did not fit: a clean failure, not a hang
            self.assertRegex(r.stderr, "MemoryError|failed to map|cannot allocate")

    def test_a_thread_count_the_user_set_is_kept(self):
        r = run(1 << 40, {"OPENBLAS_NUM_THREADS": "2"})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "2")

    def test_without_a_limit_nothing_is_set(self):
        if resource.getrlimit(resource.RLIMIT_AS)[0] != resource.RLIM_INFINITY:
            self.skipTest("this process already runs under an address-space limit")
        r = run(0)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "None")


if __name__ == "__main__":
    unittest.main()
