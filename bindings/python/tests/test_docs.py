"""Every public name of the package has a docstring."""
import inspect
import os
import re
import unittest

import recsim
import recsim.cf
import recsim.dask
import recsim.model

from ._fixture import ROOT, tmp


class DocsTest(unittest.TestCase):
    def test_every_public_name_is_documented(self):
        missing = []
        for mod in (recsim, recsim.dask, recsim.cf, recsim.model):
            self.assertTrue(mod.__doc__, mod.__name__)
            for name in getattr(mod, "__all__", []):
                obj = getattr(mod, name)
                if (inspect.isclass(obj) or inspect.isfunction(obj)) and not obj.__doc__:
                    missing.append("%s.%s" % (mod.__name__, name))
                if inspect.isclass(obj):
                    for attr, value in vars(obj).items():
                        if attr.startswith("_"):
                            continue
                        f = value.fget if isinstance(value, property) else value
                        if callable(f) and not getattr(f, "__doc__", None):
                            missing.append("%s.%s.%s" % (mod.__name__, name, attr))
        self.assertEqual(missing, [])

    def test_readme_example_runs(self):
        with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
            text = f.read()
        section = text[text.index("## Use it from Python"):]
        code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
        code = code.replace('"shop.rsm"', repr(tmp("readme.rsm")))
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            exec(compile(code, "README.md", "exec"), {"print": lambda *a, **k: None})
        finally:
            os.chdir(cwd)


if __name__ == "__main__":
    unittest.main()
