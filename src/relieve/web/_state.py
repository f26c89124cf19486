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
    functions of their inputs, and a plan takes the model a while)."""

    def __init__(self, size: int):
        self.size = size
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, compute):
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        value = compute()
        with self._lock:
            self._data[key] = value
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


def findings_key(findings) -> str:
    """A canonical text of validated findings, for caching."""
    if findings is None:
        return ""
    return json.dumps(findings.model_dump(mode="json", exclude_none=True), sort_keys=True)
