"""The musculoskeletal engine: load a model, compute muscle lengths and moment arms.

``load_model(path)`` reads an OpenSim ``.osim`` file or the project's own model
file; ``default_model()`` is the project's own upper-body model, which speaks the
contract's posture variables and muscle ids.
"""

import functools
import importlib.resources

from ._functions import Constant, Function, Linear, Multiplier, Spline
from ._model import Coordinate, Coupler, Joint, Model, Muscle, PathPoint, Transform, TransformAxis
from ._loaders import load_model
from ._body import UpperBodyModel
from ._own import load_own_model


@functools.lru_cache(maxsize=1)
def default_model() -> UpperBodyModel:
    """The project's own upper-body model (``data/upper_body.yaml``), loaded once."""
    resource = importlib.resources.files(__package__).joinpath("data", "upper_body.yaml")
    with importlib.resources.as_file(resource) as path:
        return load_own_model(path)


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
    "PathPoint",
    "Spline",
    "Transform",
    "TransformAxis",
    "UpperBodyModel",
    "default_model",
    "load_model",
    "load_own_model",
]
