"""The musculoskeletal engine: load a model, compute muscle lengths and moment arms.

``load_model(path)`` reads an OpenSim ``.osim`` file or the project's own model
file; ``default_model()`` is the project's own upper-body model, which speaks the
contract's posture variables and muscle ids.
"""

from ._functions import Constant, Function, Linear, Multiplier, Spline
from ._model import Coordinate, Coupler, Joint, Model, Muscle, PathPoint, Transform, TransformAxis
from ._loaders import load_model

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
    "load_model",
]
