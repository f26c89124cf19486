"""Names a package exports but loads on first use (PEP 562), so that importing it stays
light: a CLI call that only needs the planner does not load pydantic or the assessment."""

from __future__ import annotations

from importlib import import_module
from typing import Callable, Mapping


def lazy_exports(namespace: dict, table: Mapping[str, str]) -> tuple[Callable, Callable]:
    """``__getattr__`` and ``__dir__`` for a module whose ``table`` maps each lazily
    exported name to the module that defines it (relative names resolve against the
    package). A loaded name is kept in ``namespace``, so it is looked up once."""
    package = namespace["__name__"]

    def __getattr__(name: str):
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module, package), name)
        namespace[name] = value
        return value

    def __dir__():
        return sorted(set(namespace) | set(table))

    return __getattr__, __dir__
