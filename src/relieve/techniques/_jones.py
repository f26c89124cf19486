"""Jones' tender points (``data/jones.yaml``): where each is, the position of comfort he
gives for it, and which of our muscles it matches.

``JonesPoint.posture(side, body)`` turns Jones' words (flexion, side-bend toward or
away, rotation toward or away, slight / moderate / marked) into the contract's posture
variables for a point on ``side``, using each variable's normal range and the mirror
rule of ``vocabulary.VARIABLES``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from .._data import packaged_yaml
from ..errors import ModelError, UnknownNameError
from ..vocabulary import LANDMARK_IDS, MUSCLE_IDS, VARIABLES

_FILE = "jones.yaml"

# Jones' movement words -> (side-less variable, sign for a point on the RIGHT side).
# Side bend and rotation "toward" a right-side point are positive (contract section 1);
# the left side follows the mirror rule.
MOVEMENTS = {
    "flexion": ("neck_flexion", 1),
    "extension": ("neck_flexion", -1),
    "chin_tuck": ("head_nod", 1),
    "chin_lift": ("head_nod", -1),
    "side_bend_toward": ("neck_side_bend", 1),
    "side_bend_away": ("neck_side_bend", -1),
    "rotation_toward": ("neck_rotation", 1),
    "rotation_away": ("neck_rotation", -1),
    "shoulder_up": ("scapula_elevation", 1),
    "shoulder_down": ("scapula_elevation", -1),
    "blade_back": ("scapula_retraction", 1),
    "blade_forward": ("scapula_retraction", -1),
    "blade_turn_up": ("scapula_upward_rotation", 1),
    "blade_turn_down": ("scapula_upward_rotation", -1),
}


@dataclass(frozen=True)
class JonesPoint:
    code: str
    name: str
    where: str
    landmark: str
    support: str
    components: tuple[tuple[str, str], ...]  # (movement word, amount word)
    sources: tuple[str, ...]
    muscles: dict  # muscle id -> why it matches
    shares: dict  # amount word -> share of the range

    def posture(self, side: str, body) -> dict[str, float]:
        """Jones' position for this point on ``side``, in whole degrees."""
        out = {}
        for word, amount in self.components:
            base, sign = MOVEMENTS[word]
            variable = next(v for v, f in VARIABLES.items() if f.base == base and f.side in (None, side))
            facts = VARIABLES[variable]
            if side == "left" and facts.mirror_sign < 0:
                sign = -sign
            lo, hi = body.ranges[variable]
            out[variable] = float(round(self.shares[amount] * (hi if sign > 0 else lo)))
        return out

    def component(self, variable: str, side: str) -> tuple[str, str] | None:
        """Jones' (movement, amount) words that set ``variable``, if any."""
        for word, amount in self.components:
            base, _ = MOVEMENTS[word]
            if VARIABLES[variable].base == base:
                return word, amount
        return None


@dataclass(frozen=True)
class JonesCatalogue:
    points: dict
    sources: dict

    def for_muscle(self, muscle: str) -> list[JonesPoint]:
        """The points matching ``muscle``, in the catalogue's order."""
        if muscle not in MUSCLE_IDS:
            raise UnknownNameError(f"unknown muscle {muscle!r}", field="muscle")
        return [p for p in self.points.values() if muscle in p.muscles]


def build_jones(raw, support_ids=None) -> JonesCatalogue:
    if not isinstance(raw, dict) or set(raw) != {"sources", "amounts", "points"}:
        raise ModelError("expected exactly: sources, amounts, points", field=_FILE)
    sources = {k: " ".join(str(v).split()) for k, v in raw["sources"].items()}
    shares = {}
    for word, entry in raw["amounts"].items():
        if not isinstance(entry, dict) or not (entry.get("rationale") or entry.get("source")):
            raise ModelError("expected {value, rationale}", field=f"{_FILE}:amounts.{word}")
        value = entry.get("value")
        if not isinstance(value, (int, float)) or not 0 < value <= 1:
            raise ModelError("expected a share between 0 and 1", field=f"{_FILE}:amounts.{word}.value")
        shares[word] = float(value)
    points = {}
    for code, e in raw["points"].items():
        where = f"{_FILE}:points.{code}"
        for key in ("name", "where", "landmark", "support", "components", "sources", "muscles"):
            if key not in e:
                raise ModelError(f"missing {key}", field=where)
        if e["landmark"] not in LANDMARK_IDS:
            raise ModelError(f"unknown landmark id {e['landmark']!r}", field=f"{where}.landmark")
        if support_ids is not None and e["support"] not in support_ids:
            raise ModelError(f"unknown support {e['support']!r}", field=f"{where}.support")
        components = []
        for word, amount in e["components"].items():
            if word not in MOVEMENTS:
                raise ModelError(f"unknown movement {word!r}; valid: {', '.join(MOVEMENTS)}", field=f"{where}.components")
            if amount not in shares:
                raise ModelError(f"unknown amount {amount!r}; valid: {', '.join(shares)}", field=f"{where}.components.{word}")
            components.append((word, amount))
        bases = [MOVEMENTS[w][0] for w, _ in components]
        if len(bases) != len(set(bases)):
            raise ModelError("two components move the same variable", field=f"{where}.components")
        for s in e["sources"]:
            if s not in sources:
                raise ModelError(f"unknown source {s!r}", field=f"{where}.sources")
        for m in e["muscles"]:
            if m not in MUSCLE_IDS:
                raise ModelError(f"unknown muscle id {m!r}", field=f"{where}.muscles")
        points[code] = JonesPoint(
            code=code,
            name=" ".join(str(e["name"]).split()),
            where=" ".join(str(e["where"]).split()),
            landmark=e["landmark"],
            support=e["support"],
            components=tuple(components),
            sources=tuple(e["sources"]),
            muscles={m: " ".join(str(w).split()) for m, w in e["muscles"].items()},
            shares=shares,
        )
    return JonesCatalogue(points, sources)


@lru_cache(maxsize=1)
def jones_catalogue() -> JonesCatalogue:
    """The packaged catalogue of Jones' tender points."""
    from ._positions import catalogue

    return build_jones(packaged_yaml(__package__, _FILE), tuple(catalogue().supports))
