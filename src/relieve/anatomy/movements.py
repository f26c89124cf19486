"""The contract's active test movements as model postures (``data/movements.yaml``).

Used by identification (how a muscle's length changes in each test) and by the
planner (a painful or limited movement caps that direction of a posture).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping


from ..vocabulary import MOVEMENT_CODES, POSTURE_VARIABLES
from .._data import packaged_yaml
from ..errors import ModelError


@dataclass(frozen=True)
class Movement:
    code: str
    posture: Mapping[str, float]
    contraction: bool
    text: str


@lru_cache(maxsize=1)
def movements() -> Mapping[str, Movement]:
    """Every contract movement code -> its posture, in contract order."""
    raw = packaged_yaml(__package__, "movements.yaml")
    missing = [c for c in MOVEMENT_CODES if c not in raw]
    extra = [c for c in raw if c not in MOVEMENT_CODES]
    if missing or extra:
        raise ModelError(f"movements.yaml: missing {missing}, unknown {extra}")
    out = {}
    for code in MOVEMENT_CODES:
        entry = raw[code]
        posture = dict(entry["posture"])
        bad = [v for v in posture if v not in POSTURE_VARIABLES]
        if bad:
            raise ModelError(f"movements.yaml:{code}.posture: unknown posture variable(s) {bad}")
        out[code] = Movement(code, MappingProxyType(posture), bool(entry.get("contraction", False)), entry["text"])
    return MappingProxyType(out)
