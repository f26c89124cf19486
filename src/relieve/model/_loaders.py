"""Pick the loader for a model file by its content."""

from __future__ import annotations

from pathlib import Path

from ..errors import ModelError
from ._model import Model


def load_model(path) -> Model:
    """Load an OpenSim ``.osim`` file or the project's own YAML model file."""
    p = Path(path)
    if not p.exists():
        raise ModelError(f"model file not found: {p}", field="path")
    if not p.is_file():
        raise ModelError(f"not a file: {p}", field="path")
    suffix = p.suffix.lower()
    if suffix in (".osim", ".xml"):
        from ._osim import load_osim

        return load_osim(p)
    if suffix in (".yaml", ".yml"):
        from ._own import load_own_model

        return load_own_model(p).model
    raise ModelError(f"unknown model format {suffix!r} for {p}: expected .osim or .yaml", field="path")
