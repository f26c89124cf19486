"""Pick the loader for a model file by its content."""

from __future__ import annotations

import os
from pathlib import Path

from .._input import MAX_MODEL_BYTES, MAX_YAML_MODEL_BYTES, size_words
from ..errors import ModelError
from ._model import Model


def load_model(path) -> Model:
    """Load an OpenSim ``.osim`` file or the project's own YAML model file.

    A file larger than the limit (64 MiB for ``.osim``, the largest real model we know
    being about 1 MB; 4 MiB for the slower-to-parse YAML) is refused before it is parsed."""
    if not isinstance(path, (str, os.PathLike)):
        raise ModelError(f"expected the path of a model file, got {type(path).__name__}", field="path")
    p = Path(path)
    try:
        if not p.exists():
            raise ModelError(f"model file not found: {p}", field="path")
        if not p.is_file():
            raise ModelError(f"not a file: {p}", field="path")
        size = p.stat().st_size
    except OSError as exc:  # a name too long, a directory we may not enter...
        raise ModelError(f"cannot read {p}: {exc.strerror or exc}", field="path") from None
    except ValueError as exc:  # a NUL character in the name
        raise ModelError(f"not a usable file name: {exc}", field="path") from None
    suffix = p.suffix.lower()
    limit = MAX_YAML_MODEL_BYTES if suffix in (".yaml", ".yml") else MAX_MODEL_BYTES
    if size > limit:
        raise ModelError(f"{p.name} is {size:,} bytes; a model file may be at most {size_words(limit)}", field="path")
    if suffix in (".osim", ".xml"):
        from ._osim import load_osim

        return load_osim(p)
    if suffix in (".yaml", ".yml"):
        from ._own import load_own_model

        return load_own_model(p).model
    raise ModelError(f"unknown model format {suffix!r} for {p}: expected .osim or .yaml", field="path")
