"""Files in the cache directory that let a short command start quickly.

The cache directory is ``$RELIEVE_CACHE_DIR`` if set, else
``platformdirs.user_cache_dir("relieve")``. Each file holds a magic line naming what
it is, the key it was made for (a sha256 in hex), the sha256 of the payload, and the
payload (a pickle).

A file is never trusted blindly: a missing file, another magic or key (stale), a
payload whose digest does not match (truncated or corrupt), or a payload that cannot
be unpickled reads as nothing, and the caller builds the value again. Writes are
atomic (a temporary file in the same directory, then renamed over the old one); when
the directory cannot be written the caller just carries on without the file. The
digest catches damage, not a hostile writer: whoever can write the cache directory
could write the digest too, just as with Python's own ``__pycache__``.

Nothing here is state a second process depends on: every file can be deleted at any
time and is rebuilt from the package's own data.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Callable, TypeVar

ENV_VAR = "RELIEVE_CACHE_DIR"
_KEY_LENGTH = 64  # sha256 in hex

T = TypeVar("T")


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


def read(path: Path, magic: bytes, key: str, kind: type | None = None):
    """The value stored in ``path`` for ``key``, or None (missing, stale or damaged)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header = len(magic)
    if not data.startswith(magic) or len(data) < header + 2 * _KEY_LENGTH + 2:
        return None
    stored_key = data[header : header + _KEY_LENGTH].decode("ascii", "replace")
    digest = data[header + _KEY_LENGTH + 1 : header + 2 * _KEY_LENGTH + 1].decode("ascii", "replace")
    payload = data[header + 2 * _KEY_LENGTH + 2 :]
    if (
        stored_key != key
        or data[header + _KEY_LENGTH : header + _KEY_LENGTH + 1] != b"\n"
        or data[header + 2 * _KEY_LENGTH + 1 : header + 2 * _KEY_LENGTH + 2] != b"\n"
    ):
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


def write(path: Path, magic: bytes, key: str, payload: bytes) -> str:
    """Store ``payload`` (a pickle) for ``key`` atomically; "" on success, else why not."""
    blob = b"".join([magic, key.encode("ascii"), b"\n", hashlib.sha256(payload).hexdigest().encode("ascii"), b"\n", payload])
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
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


def write_value(path: Path, magic: bytes, key: str, value, dumps: Callable[[object], bytes]) -> str:
    """``write`` of ``dumps(value)``; "" on success, else why not (also an object that
    cannot be serialised: it is simply not stored)."""
    try:
        payload = dumps(value)
    except Exception as exc:  # noqa: BLE001 - an object we cannot store is simply not cached
        return f"cannot serialise: {exc}"
    return write(path, magic, key, payload)


def _pickle(value) -> bytes:
    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def load_or_build(
    filename: str, magic: bytes, key: str, build: Callable[[], T], dumps: Callable[[object], bytes] = _pickle,
    kind: type | None = None,
) -> tuple[T, str]:
    """The value stored as ``filename`` for ``key``, else ``build()`` (stored for next
    time; an exception from ``build`` stores nothing), and what happened: "loaded",
    "built and stored" or "built (not stored: why)"."""
    root = cache_dir()
    path = root / filename if root is not None else None
    if path is not None:
        found = read(path, magic, key, kind)
        if found is not None:
            return found, "loaded"
    value = build()
    if path is None:
        return value, "built (not stored: no cache directory)"
    problem = write_value(path, magic, key, value, dumps)
    return value, "built and stored" if not problem else f"built (not stored: {problem})"
