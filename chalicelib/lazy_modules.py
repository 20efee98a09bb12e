"""A library's import of a module it needs only on a path this app never takes, loaded when first touched.

PyJWT's `jwt.algorithms` imports `cryptography.x509` at the top, yet uses it only to tell an HMAC secret from a
certificate; this app verifies RS256 tokens only. Loading x509 is about a ninth of the instructions the API's
cold start spends beyond the AWS SDK's own import (bench/request_overhead.py). `defer(name)` puts a stand-in into
`sys.modules` before the library is imported; the first attribute read on it imports the real module and the
stand-in takes on its contents, so the library behaves exactly as before, only later. Python's own
`importlib.util.LazyLoader` cannot do this: the import system reads the module's `__spec__` while importing, which
makes a lazy module load at once.
"""
from __future__ import annotations

import importlib
import sys
import threading
import types

_lock = threading.RLock()


class _LoadedOnFirstUse(types.ModuleType):
    """Holds nothing of its own; any attribute not yet copied loads the real module (once) and is then read."""

    def __getattr__(self, attribute: str):
        _load(self)
        try:
            return self.__dict__[attribute]
        except KeyError:
            raise AttributeError(f"module {self.__name__!r} has no attribute {attribute!r}") from None


def _load(stand_in: _LoadedOnFirstUse) -> None:
    with _lock:
        if stand_in.__dict__.get("__file__"):   # another thread loaded it first
            return
        name = stand_in.__name__
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        real = importlib.import_module(name)
        stand_in.__dict__.update(real.__dict__)


def defer(name: str) -> bool:
    """Put a stand-in for `name` into sys.modules unless the module is already imported; True if deferred."""
    with _lock:
        if name in sys.modules:
            return False
        stand_in = _LoadedOnFirstUse(name)
        sys.modules[name] = stand_in
        parent, _, child = name.rpartition(".")
        if parent:   # so `import a.b; a.b.f()` finds it too, as after a real import
            setattr(importlib.import_module(parent), child, stand_in)
        return True


def is_loaded(name: str) -> bool:
    """Whether the real module has been imported (the stand-in, if any, does not count)."""
    module = sys.modules.get(name)
    return module is not None and not (isinstance(module, _LoadedOnFirstUse) and "__file__" not in module.__dict__)
