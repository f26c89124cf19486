"""What the app holds between requests: settings and the database handle, never a
person's session state (that lives in the database, as in the CLI)."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field


@dataclass
class AppState:
    database_url: str | None = None
    time_scale: float = 1.0
    _store = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def store(self):
        """The store, opened (and migrated when new) on first use and shared by every
        request: SQLAlchemy's pool serves the threads."""
        if self._store is None:
            with self._lock:
                if self._store is None:
                    from ..store import open_store

                    self._store = open_store(self.database_url)
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


class Memo:
    """A small thread-safe LRU of computed answers (plans and pictures are pure
    functions of their inputs, and a plan takes the model a while). Concurrent first
    requests for one key compute it once: the first computes, the others wait for it
    (and get its error too, which is not remembered). Nothing here is state another
    worker needs: a second process computes the same answers for itself."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._pending: dict = {}
        self._lock = threading.Lock()

    def get(self, key, compute):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
            pending = self._pending.get(key)
            owner = pending is None
            if owner:
                pending = self._pending[key] = _Pending()
            else:
                pending.waiters += 1
        if not owner:
            pending.done.wait()
            if pending.error is not None:
                raise pending.error
            return pending.value
        try:
            pending.value = compute()
        except BaseException as exc:
            pending.error = exc
            raise
        else:
            with self._lock:
                self._data[key] = pending.value
                while len(self._data) > self.size:
                    self._data.popitem(last=False)
            return pending.value
        finally:
            with self._lock:
                del self._pending[key]
            pending.done.set()

    def peek(self, key):
        """The remembered value, or None (nothing is computed)."""
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def waiting(self, key) -> int:
        """How many callers wait for ``key`` to be computed (for tests)."""
        with self._lock:
            pending = self._pending.get(key)
            return pending.waiters if pending is not None else 0


class _Pending:
    def __init__(self):
        self.done = threading.Event()
        self.value = None
        self.error: BaseException | None = None
        self.waiters = 0


def findings_key(findings) -> str:
    """A canonical text of validated findings, for caching."""
    if findings is None:
        return ""
    return json.dumps(findings.model_dump(mode="json", exclude_none=True), sort_keys=True)
