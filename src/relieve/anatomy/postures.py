"""Plain words for postures: each direction of each posture variable (``data/postures.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Mapping


from .._data import packaged_yaml
from ..errors import ModelError, UnknownNameError
from ..vocabulary import POSTURE_VARIABLES, VARIABLES
from .._input import shown

_KINDS = ("name", "move", "self_help", "helper", "push", "push_hand")
PUSH_HANDS = ("left", "right", "other", "any", "none")


@dataclass(frozen=True)
class Direction:
    variable: str  # the contract variable, with side suffix where it has one
    sign: int  # +1 or -1
    side: str | None  # the shoulder blade's side, for scapular variables

    @property
    def base(self) -> str:
        return VARIABLES[self.variable].base


@lru_cache(maxsize=1)
def _phrases() -> Mapping[str, Mapping[str, Mapping[str, str]]]:
    raw = packaged_yaml(__package__, "postures.yaml")
    bases = {f.base for f in VARIABLES.values()}
    if set(raw) != bases:
        raise ModelError(f"postures.yaml: variables {sorted(set(raw) ^ bases)} do not match the contract")
    for base, dirs in raw.items():
        for sign in ("positive", "negative"):
            missing = [k for k in _KINDS if k not in dirs.get(sign, {})]
            if missing:
                raise ModelError(f"postures.yaml:{base}.{sign}: missing {missing}")
            if dirs[sign]["push_hand"] not in PUSH_HANDS:
                raise ModelError(f"postures.yaml:{base}.{sign}.push_hand: expected one of {', '.join(PUSH_HANDS)}")
    return MappingProxyType(raw)


def direction(variable: str, value: float) -> Direction:
    if variable not in POSTURE_VARIABLES:
        raise UnknownNameError(
            f"unknown posture variable {shown(variable)}; known: {', '.join(POSTURE_VARIABLES)}", field="posture"
        )
    return Direction(variable, 1 if value >= 0 else -1, VARIABLES[variable].side)


def phrase_origin(text: str, kind: str = "push") -> list[tuple[str, int]]:
    """The (base variable, sign) pairs whose ``kind`` phrase (side filled in either way)
    occurs in ``text``: the way back from words to the direction they came from."""
    found = []
    for base, dirs in _phrases().items():
        for word, sign in (("positive", 1), ("negative", -1)):
            template = dirs[word][kind]
            for side in ("left", "right"):
                phrase = template.format(deg="", side=side, share="")
                if phrase in text:
                    found.append((base, sign))
                    break
    return found


def share_words(fraction: float) -> str:
    """A share of the comfortable range in words (shoulder-blade amounts)."""
    if fraction < 0.3:
        return "a little"
    if fraction < 0.65:
        return "about halfway"
    return "most of the way"


def describe(variable: str, value: float, kind: str = "move", *, range_span: float | None = None) -> str:
    """One direction of one variable in words, e.g. ``describe("neck_side_bend", -20)``
    -> "tilt your head to the left, left ear toward your left shoulder, about 20°".

    ``range_span``: the variable's normal range on that side (degrees), for the
    share words of shoulder-blade variables.
    """
    if kind not in _KINDS:
        raise UnknownNameError(f"unknown phrase kind {shown(kind)}; known: {', '.join(_KINDS)}", field="kind")
    d = direction(variable, value)
    text = _phrases()[d.base]["positive" if d.sign > 0 else "negative"][kind]
    deg = int(5 * round(abs(value) / 5)) or max(1, int(round(abs(value))))
    share = share_words(abs(value) / range_span) if range_span else "gently"
    return text.format(deg=deg, side=d.side or "", share=share)
