"""Every public name of the package has a docstring."""
import inspect
import unittest

import recsim
import recsim.cf
import recsim.dask
import recsim.model


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


if __name__ == "__main__":
    unittest.main()
