"""The musculoskeletal engine: load a model, compute muscle lengths and moment arms.

``load_model(path)`` reads an OpenSim ``.osim`` file or the project's own model
file; ``default_model()`` is the project's own upper-body model, which speaks the
contract's posture variables and muscle ids.
"""

import functools
import importlib.resources

from ._functions import Constant, Function, Linear, Multiplier, Spline
from ._model import Coordinate, Coupler, Joint, Model, Muscle, PathPoint, Transform, TransformAxis, WrapEllipsoid
from ._loaders import load_model
from ._body import UpperBodyModel


def __getattr__(name: str):
    # The YAML loader is imported when first asked for: a process that takes the
    # default model from the cache never parses YAML.
    if name == "load_own_model":
        from ._own import load_own_model

        return load_own_model
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.lru_cache(maxsize=1)
def default_model() -> UpperBodyModel:
    """The project's own upper-body model (``data/upper_body.yaml``): built once per
    process, and kept on disk between processes (see ``_cache``: keyed by the file's
    content, the package version and the code; rebuilt when stale or damaged)."""
    from . import _cache

    resource = importlib.resources.files(__package__).joinpath("data", "upper_body.yaml")
    source = resource.read_bytes()

    def build() -> UpperBodyModel:
        from ._own import load_own_model

        with importlib.resources.as_file(resource) as path:
            return load_own_model(path)

    return _cache.load_or_build("upper_body", _cache.model_key(source), build, UpperBodyModel)


__all__ = [
    "Constant",
    "Coordinate",
    "Coupler",
    "Function",
    "Joint",
    "Linear",
    "Model",
    "Multiplier",
    "Muscle",
    "WrapEllipsoid",
    "PathPoint",
    "Spline",
    "Transform",
    "TransformAxis",
    "UpperBodyModel",
    "default_model",
    "load_model",
    "load_own_model",
]
