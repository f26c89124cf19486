"""An on-disk cache of the built default model, so a short command starts quickly.

Building ``UpperBodyModel`` from ``data/upper_body.yaml`` (parse, validate, mirror,
plan the kernel, compute the neutral lengths) takes a tenth of a second or more;
reading it back from a cache file takes a few milliseconds.

The cache file is ``<cache dir>/<name>.model``, the cache directory being
``$RELIEVE_CACHE_DIR`` if set, else ``platformdirs.user_cache_dir("relieve")``. It
holds a header line, the key (sha256 over the model file's bytes, the package
version, the source of the code that builds and computes the model, and the Python
and NumPy versions - an editable install keeps its version number while its code
changes), the sha256 of the payload, and the payload (a pickle).

It is never trusted blindly: a missing file, another key (stale), a payload whose
digest does not match (truncated or corrupt), or any failure to read it means the
model is built again and the file rewritten atomically (written to a temporary file
in the same directory, then renamed over the old one). When the directory cannot be
written the model is just built in memory. The digest catches damage, not a hostile
writer: whoever can write the cache directory could write the digest too, just as
with Python's own ``__pycache__``.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import sys
from pathlib import Path
from types import MappingProxyType
from typing import Callable, TypeVar

import numpy as np

ENV_VAR = "RELIEVE_CACHE_DIR"
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


def cache_dir() -> Path | None:
    """``$RELIEVE_CACHE_DIR``, else the user cache directory; None if neither is known."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    try:
        import platformdirs

        return Path(platformdirs.user_cache_dir("relieve"))
    except Exception:  # noqa: BLE001 - no home directory, an odd platform...
        return None


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
    root = cache_dir()
    path = root / f"{name}.model" if root is not None else None
    if path is not None:
        found = _read(path, key, kind)
        if found is not None:
            last_event[name] = "loaded"
            return found
    value = build()
    if path is None:
        last_event[name] = "built (not stored: no cache directory)"
        return value
    problem = _write(path, key, value)
    last_event[name] = "built and stored" if not problem else f"built (not stored: {problem})"
    return value


# --------------------------------------------------------------------------- file


def _read(path: Path, key: str, kind: type | None):
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = len(_MAGIC)
    if not data.startswith(_MAGIC) or len(data) < header + 130:
        return None
    stored_key = data[header : header + 64].decode("ascii", "replace")
    digest = data[header + 65 : header + 129].decode("ascii", "replace")
    payload = data[header + 130 :]
    if stored_key != key or data[header + 64 : header + 65] != b"\n" or data[header + 129 : header + 130] != b"\n":
        return None
    if hashlib.sha256(payload).hexdigest() != digest:
        return None
    try:
        value = pickle.loads(payload)
    except Exception:  # noqa: BLE001 - a payload we cannot read is rebuilt
        return None
    if kind is not None and not isinstance(value, kind):
        return None
    return value


def _write(path: Path, key: str, value) -> str:
    """Store atomically; "" on success, else why not (the caller carries on)."""
    try:
        payload = _dumps(value)
    except Exception as exc:  # noqa: BLE001 - an object we cannot store is simply not cached
        return f"cannot serialise: {exc}"
    blob = b"".join([_MAGIC, key.encode("ascii"), b"\n", hashlib.sha256(payload).hexdigest().encode("ascii"), b"\n", payload])
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as out:
            out.write(blob)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    return ""


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
