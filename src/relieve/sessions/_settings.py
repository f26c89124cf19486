"""The session's numbers (``data/sessions.yaml``), read once."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .._data import packaged_yaml


@lru_cache(maxsize=1)
def settings() -> dict[str, Any]:
    return packaged_yaml(__package__, "sessions.yaml")


def value(*path: str) -> Any:
    node: Any = settings()
    for key in path:
        node = node[key]
    return node["value"] if isinstance(node, dict) and "value" in node else node
