"""The package's layers run one way: each part imports only parts below it.

Read from the source (every import, including those inside functions), so a cycle
hidden in a function-level import fails here too.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "relieve"

# Lower numbers are lower layers. A part may import its own modules and any part of a
# lower layer, never one of the same or a higher layer.
LAYERS = {
    "errors": 0,
    "_version": 0,
    "_lazy": 0,
    "_parallel": 0,
    "_input": 1,
    "_filecache": 1,
    "_data": 2,
    "vocabulary": 1,
    "contract": 3,
    "model": 3,
    "anatomy": 4,
    "assessment": 5,
    "techniques": 6,
    "card": 7,
    "figures": 7,
    "sessions": 8,
    "store": 8,
    "cli": 9,
    "web": 9,
    "__main__": 10,
    "__init__": 10,
}
PRESENTATION = {"cli", "web", "figures"}


def _part(module: str) -> str:
    """``relieve.model._own`` -> ``model``; ``relieve`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("relieve"):
                out.add(target)
                if node.module is None or target == "relieve":  # from . import x
                    out |= {f"{target}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("relieve")}
    return out


def _sources():
    return sorted(p for p in SRC.rglob("*.py"))


def test_every_part_has_a_layer():
    parts = {_part(_module_name(p)) for p in _sources()}
    assert parts <= set(LAYERS), f"give these a layer: {sorted(parts - set(LAYERS))}"


def test_imports_point_down():
    wrong = []
    for path in _sources():
        me = _part(_module_name(path))
        for target in _imports(path):
            other = _part(target)
            if other == me or target == "relieve":
                continue
            if LAYERS[other] >= LAYERS[me] and me != "__init__":
                wrong.append(f"{_module_name(path)} imports {target} ({me} {LAYERS[me]} -> {other} {LAYERS[other]})")
    assert not wrong, "\n".join(wrong)


def test_library_never_imports_presentation():
    wrong = []
    for path in _sources():
        me = _part(_module_name(path))
        if me in PRESENTATION or me in ("__init__", "__main__"):
            continue
        for target in _imports(path):
            if _part(target) in PRESENTATION:
                wrong.append(f"{_module_name(path)} imports {target}")
    assert not wrong, "\n".join(wrong)
