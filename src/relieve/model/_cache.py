"""An on-disk cache of the built default model, so a short command starts quickly.

Building ``UpperBodyModel`` from ``data/upper_body.yaml`` (parse, validate, mirror,
plan the kernel, compute the neutral lengths) takes a tenth of a second or more;
reading it back from a cache file takes a few milliseconds.

The cache file is ``<cache dir>/<name>.model`` (``relieve._filecache``: the
directory, the file's layout, and why a file is never trusted blindly). Its key is a
sha256 over the model file's bytes, the package version, the source of the code that
builds and computes the model, and the Python and NumPy versions - an editable
install keeps its version number while its code changes. A missing, stale or damaged
file means the model is built again and the file rewritten; when the directory cannot
be written the model is just built in memory.
"""

from __future__ import annotations

import hashlib
import io
import pickle
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Callable, TypeVar

import numpy as np

from .. import _filecache
from .._filecache import ENV_VAR, cache_dir

_MAGIC = b"relieve model cache 1\n"
_HERE = Path(__file__).resolve().parent
# The code whose behaviour is baked into a cached model.
_CODE = (
    *(_HERE / n for n in ("__init__.py", "_body.py", "_cache.py", "_functions.py", "_kernel.py", "_model.py", "_own.py")),
    _HERE.parent / "vocabulary.py",
    _HERE.parent / "_data.py",
)

T = TypeVar("T")

# What the last ``load_or_build`` in this process did, per name: "loaded", "built
# and stored", "built (not stored: ...)" - for tests and the benchmark.
last_event: dict[str, str] = {}


def model_key(source: bytes) -> str:
    """The cache key of a model built from ``source`` by this version of the code."""
    from .._version import __version__

    digest = hashlib.sha256()
    digest.update(hashlib.sha256(source).digest())
    digest.update(f"|relieve {__version__}|python {sys.version_info[:3]}|numpy {np.__version__}|".encode())
    for path in _CODE:
        try:
            digest.update(path.name.encode() + hashlib.sha256(path.read_bytes()).digest())
        except OSError:
            digest.update(path.name.encode() + b" missing")
    return digest.hexdigest()


def load_or_build(name: str, key: str, build: Callable[[], T], kind: type | None = None) -> T:
    """The object cached as ``name`` under ``key``, else ``build()`` (stored for next time)."""
    value, last_event[name] = _filecache.load_or_build(f"{name}.model", _MAGIC, key, build, _dumps, kind)
    return value


def _write(path: Path, key: str, value) -> str:
    """Store atomically; "" on success, else why not (the caller carries on)."""
    return _filecache.write_value(path, _MAGIC, key, value, _dumps)


# --------------------------------------------------------------------------- pickling


def _dumps(value) -> bytes:
    """A pickle that keeps what plain pickling loses: read-only mapping views
    (``MappingProxyType``) and the read-only flag of NumPy arrays."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {MappingProxyType: _reduce_proxy, np.ndarray: _reduce_array}
    pickler.dump(value)
    return buffer.getvalue()


def _reduce_proxy(proxy):
    return _proxy, (dict(proxy),)


def _proxy(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


def _reduce_array(array: np.ndarray):
    if array.dtype.hasobject:
        return array.__reduce__()
    return _array, (array.dtype.str, array.shape, array.tobytes(), bool(array.flags.writeable))


def _array(dtype: str, shape: tuple, data: bytes, writeable: bool) -> np.ndarray:
    array = np.frombuffer(data, dtype=np.dtype(dtype)).reshape(shape).copy()
    array.setflags(write=writeable)
    return array
