"""Packaging: `pip install --no-build-isolation` into a venv made with
--system-site-packages works offline; `make python-install` installs a
package that finds the library through the recorded LIBDIR; RECSIM_LIBRARY
overrides."""
import os
import shutil
import subprocess
import sys
import unittest

from ._fixture import ROOT, TMP

PKG = os.path.join(ROOT, "bindings", "python")
LIB = os.environ.get("RECSIM_LIBRARY", os.path.join(ROOT, "lib", "librecsim.so.1"))
PROBE = "import recsim, recsim._lib as l; print(recsim.__file__); print(l.path)"


def run(cmd, env=None, cwd=None):
    return subprocess.run(cmd, check=True, capture_output=True, text=True, env=env, cwd=cwd)


class PackagingTest(unittest.TestCase):
    def clean_env(self, **extra):
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "RECSIM_LIBRARY", "PIP_INDEX_URL")}
        env.update(extra)
        return env

    @unittest.skipUnless(shutil.which("pip3") or os.path.exists("/usr/lib/python3/dist-packages/pip"),
                         "pip is not installed")
    def test_pip_install_into_venv_offline(self):
        venv = os.path.join(TMP, "venv")
        shutil.rmtree(venv, ignore_errors=True)
        run([sys.executable, "-m", "venv", "--system-site-packages", venv])
        build = os.path.join(TMP, "pip-src")  # build from a copy: no build/ in the tree
        shutil.rmtree(build, ignore_errors=True)
        shutil.copytree(PKG, build, ignore=shutil.ignore_patterns("build", "*.egg-info",
                                                                  "__pycache__", "tests"))
        env = self.clean_env(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
        run([os.path.join(venv, "bin", "pip"), "install", "--no-build-isolation", "--no-index",
             build], env=env)
        py = os.path.join(venv, "bin", "python")
        # found through the loader path (LD_LIBRARY_PATH here) ...
        out = run([py, "-c", PROBE], env=self.clean_env(LD_LIBRARY_PATH=os.path.dirname(LIB)),
                  cwd=TMP).stdout.split("\n")
        self.assertTrue(out[0].startswith(venv), out)
        self.assertEqual(out[1], "librecsim.so.1")
        # ... and RECSIM_LIBRARY overrides it
        out = run([py, "-c", PROBE], env=self.clean_env(RECSIM_LIBRARY=LIB),
                  cwd=TMP).stdout.split("\n")
        self.assertEqual(out[1], LIB)
        # a wrong RECSIM_LIBRARY is an ImportError that says what to do
        bad = subprocess.run([py, "-c", "import recsim"], capture_output=True, text=True,
                             env=self.clean_env(RECSIM_LIBRARY="/nonexistent/librecsim.so.1"),
                             cwd=TMP)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("RECSIM_LIBRARY", bad.stderr)

    def test_make_python_install(self):
        stage = os.path.join(TMP, "stage")
        shutil.rmtree(stage, ignore_errors=True)
        libdir = os.path.dirname(LIB)
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR", "PYTHONDIR")}
        run(["make", "-s", "--no-print-directory", "python-install", "PREFIX=" + stage,
             "LIBDIR=" + libdir, "PYTHON=" + sys.executable], env=env, cwd=ROOT)
        found = [os.path.join(d, "recsim") for d, dirs, _ in os.walk(stage) if "recsim" in dirs]
        self.assertEqual(len(found), 1, found)
        site = os.path.dirname(found[0])
        out = run([sys.executable, "-c", PROBE], env=self.clean_env(PYTHONPATH=site),
                  cwd=TMP).stdout.split("\n")
        self.assertTrue(out[0].startswith(site), out)
        self.assertIn(out[1], ("librecsim.so.1", os.path.join(libdir, "librecsim.so.1")))


if __name__ == "__main__":
    unittest.main()
