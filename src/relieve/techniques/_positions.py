"""The catalogue of positions people can take (``data/positions.yaml``) and the
combinations the planner may choose among.

A *configuration* is one support (how the body and head rest), at most one arm
position per side and at most one trunk position, for one technique. It turns the
technique's bounds into a smaller box: the neck may only go where the support holds it
(for a position of ease) and a shoulder-blade or upper-back variable only the way, and
as far, as a chosen position moves it. A configuration in which one arm would have two
jobs is never formed.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from functools import lru_cache

from .._data import packaged_yaml
from ..errors import ModelError
from ..vocabulary import LANDMARK_IDS, NECK_VARIABLES, VARIABLES, other_side

_FILE = "positions.yaml"
TECHNIQUE_USES = ("ease", "repositioning", "stretch", "helper", "jones")
OWN_LIMBS = ("left", "right")
HELPER_LIMBS = ("helper_left", "helper_right")


@dataclass(frozen=True)
class NeckHold:
    variable: str
    sign: int
    max_deg: float
    how: str
    pillow: str | None


@dataclass(frozen=True)
class Support:
    id: str
    lying: bool
    uses: tuple[str, ...]  # limbs, concrete (left / right)
    techniques: tuple[str, ...]
    words: str
    holds: dict  # (variable, sign) -> NeckHold
    rests_on: frozenset = frozenset()  # landmark ids the body's weight lies on (no fingertip reaches them)

    def covers(self, landmark: str, side: str) -> bool:
        """Whether the body rests on ``landmark`` (of ``side``, for a bilateral one): a
        side-lying support rests only on the side it uses, the others on both."""
        return landmark in self.rests_on and (not self.uses or side in self.uses)

    def neck_box(self, variable: str) -> tuple[float, float]:
        lo = self.holds.get((variable, -1))
        hi = self.holds.get((variable, 1))
        return (-lo.max_deg if lo else 0.0, hi.max_deg if hi else 0.0)


@dataclass(frozen=True)
class Placement:
    """An arm or trunk position; ``effects``: side-less variable -> (sign, max share)."""

    id: str
    kind: str  # "arm" | "trunk"
    techniques: tuple[str, ...]
    supports: tuple[str, ...]
    uses: tuple[str, ...]  # same | other | left | right | helper
    effects: dict
    words: str

    def limbs(self, side: str | None) -> tuple[str, ...]:
        out = []
        for u in self.uses:
            if u == "same":
                out.append(side)
            elif u == "other":
                out.append(other_side(side))
            elif u == "helper":
                out += list(HELPER_LIMBS)
            else:
                out.append(u)
        return tuple(out)

    def variables(self, side: str | None) -> dict[str, tuple[int, float]]:
        """Full posture-variable names this position moves (with its side), -> (sign, share)."""
        out = {}
        for base, (sign, share) in self.effects.items():
            for v, facts in VARIABLES.items():
                if facts.base == base and (facts.side is None or facts.side == side):
                    out[v] = (sign, share)
        return out


@dataclass(frozen=True)
class Configuration:
    support: Support
    arms: tuple[tuple[Placement, str], ...] = ()  # (arm position, side)
    trunk: Placement | None = None
    placed: dict = field(default_factory=dict)  # limb -> the position that holds it

    def limbs(self) -> list[tuple[str, str]]:
        """(limb, job) for every arm the configuration occupies (each at most once)."""
        out = [(limb, self.support.id) for limb in self.support.uses]
        for p, side in self.arms:
            out += [(limb, p.id) for limb in p.limbs(side)]
        if self.trunk is not None:
            out += [(limb, self.trunk.id) for limb in self.trunk.limbs(None)]
        return out

    def free_hands(self) -> list[str]:
        busy = {limb for limb, _ in self.limbs()}
        return [h for h in OWN_LIMBS if h not in busy]

    def box(self, body, base_low: dict, base_high: dict, neck: str) -> tuple[dict, dict]:
        """The bounds inside this configuration. ``neck``: ``held`` (the support holds the
        neck: position of ease), ``neutral`` (repositioning) or ``free`` (moved actively:
        the stretch)."""
        low = {v: 0.0 for v in body.posture_variables}
        high = {v: 0.0 for v in body.posture_variables}
        for v in body.posture_variables:
            if v in NECK_VARIABLES:
                if neck == "free":
                    low[v], high[v] = base_low[v], base_high[v]
                elif neck == "held":
                    lo, hi = self.support.neck_box(v)
                    low[v], high[v] = max(base_low[v], lo), min(base_high[v], hi)
        placements = [(p, side) for p, side in self.arms] + ([(self.trunk, None)] if self.trunk else [])
        for p, side in placements:
            for v, (sign, share) in p.variables(side).items():
                lo, hi = body.ranges[v]
                if sign > 0:
                    high[v] = max(high[v], min(base_high[v], share * hi))
                else:
                    low[v] = min(low[v], max(base_low[v], share * lo))
        return low, high

    def describe(self) -> str:
        parts = [self.support.id] + [f"{p.id}:{side}" for p, side in self.arms] + ([self.trunk.id] if self.trunk else [])
        return " + ".join(parts)


@dataclass(frozen=True)
class Catalogue:
    supports: dict
    arms: dict
    trunk: dict
    neutral_back_cm: float
    neutral_side_cm: float
    lever_cm: float

    def pillow_cm(self, kind: str, degrees: float) -> int:
        """Pillow height for a neck angle: a higher pillow bends toward the side it lifts."""
        base = self.neutral_back_cm if kind == "back" else self.neutral_side_cm
        return max(2, int(round(base + self.lever_cm * math.tan(math.radians(degrees)))))

    def configurations(self, use: str, sides, *, supports=None, wanted=None):
        """Every configuration for technique ``use`` on ``sides``: one support, at most one
        arm position per side, at most one trunk position, no arm used twice.

        ``wanted``: full variable -> sign that can help; positions moving anything else
        are left out (they could only cost).
        """
        chosen = [s for s in self.supports.values() if use in s.techniques and (supports is None or s.id in supports)]
        for support in chosen:
            arm_options = []
            for side in sides:
                options = [None]
                for p in self.arms.values():
                    if use in p.techniques and support.id in p.supports and _helps(p, side, wanted):
                        options.append((p, side))
                arm_options.append(options)
            trunk_options = [None] + [
                t for t in self.trunk.values() if use in t.techniques and support.id in t.supports and _helps(t, None, wanted)
            ]
            for arms in itertools.product(*arm_options):
                arms = tuple(a for a in arms if a is not None)
                if use == "helper" and len(arms) > 1:
                    continue  # the helper's two hands do one shoulder blade at a time
                for trunk in trunk_options:
                    config = Configuration(support, arms, trunk)
                    limbs = [limb for limb, _ in config.limbs()]
                    if len(limbs) == len(set(limbs)):
                        yield config


def _helps(p: Placement, side, wanted) -> bool:
    if wanted is None:
        return True
    return all(wanted.get(v) == sign for v, (sign, _) in p.variables(side).items())


def _text(node, where: str) -> str:
    if not isinstance(node, str) or not node.strip():
        raise ModelError("expected non-empty text", field=f"{_FILE}:{where}")
    return " ".join(node.split())


def _list(node, where: str, allowed=None) -> tuple[str, ...]:
    if not isinstance(node, list):
        raise ModelError("expected a list", field=f"{_FILE}:{where}")
    for i, item in enumerate(node):
        if allowed is not None and item not in allowed:
            raise ModelError(f"unknown value {item!r}; valid: {', '.join(allowed)}", field=f"{_FILE}:{where}[{i}]")
    return tuple(node)


def _number(node, where: str) -> float:
    if isinstance(node, bool) or not isinstance(node, (int, float)) or node < 0:
        raise ModelError("expected a non-negative number", field=f"{_FILE}:{where}")
    return float(node)


def build_catalogue(raw) -> Catalogue:
    """A ``Catalogue`` from the parsed document; ``ModelError`` naming the entry if wrong."""
    if not isinstance(raw, dict) or set(raw) != {"pillow", "supports", "arms", "trunk"}:
        raise ModelError("expected exactly: pillow, supports, arms, trunk", field=_FILE)
    pillow = {}
    for key in ("neutral_back_cm", "neutral_side_cm", "lever_cm"):
        entry = raw["pillow"].get(key) if isinstance(raw["pillow"], dict) else None
        if not isinstance(entry, dict) or not (entry.get("source") or entry.get("rationale")):
            raise ModelError("expected {value, rationale or source}", field=f"{_FILE}:pillow.{key}")
        pillow[key] = _number(entry.get("value"), f"pillow.{key}.value")
    supports = {}
    for sid, e in raw["supports"].items():
        where = f"supports.{sid}"
        holds = {}
        for v, dirs in (e.get("neck") or {}).items():
            if v not in NECK_VARIABLES:
                raise ModelError(f"not a neck variable: {v!r}", field=f"{_FILE}:{where}.neck.{v}")
            for sign_word, h in dirs.items():
                if sign_word not in ("positive", "negative"):
                    raise ModelError("expected positive or negative", field=f"{_FILE}:{where}.neck.{v}.{sign_word}")
                sign = 1 if sign_word == "positive" else -1
                pillow_kind = h.get("pillow")
                if pillow_kind not in (None, "back", "side"):
                    raise ModelError("expected back or side", field=f"{_FILE}:{where}.neck.{v}.{sign_word}.pillow")
                holds[(v, sign)] = NeckHold(v, sign, _number(h.get("max"), f"{where}.neck.{v}.{sign_word}.max"),
                                            _text(h.get("how"), f"{where}.neck.{v}.{sign_word}.how"), pillow_kind)
        supports[sid] = Support(
            id=sid,
            lying=bool(e.get("lying")),
            uses=_list(e.get("uses", []), f"{where}.uses", OWN_LIMBS),
            techniques=_list(e.get("for"), f"{where}.for", TECHNIQUE_USES),
            words=_text(e.get("words"), f"{where}.words"),
            holds=holds,
            rests_on=frozenset(_list(e.get("rests_on", []), f"{where}.rests_on", LANDMARK_IDS)),
        )
    out = {}
    for kind, table in (("arm", raw["arms"]), ("trunk", raw["trunk"])):
        out[kind] = {}
        for pid, e in table.items():
            where = f"{kind}s.{pid}" if kind == "arm" else f"trunk.{pid}"
            effects = {}
            for base, eff in (e.get("effects") or {}).items():
                if not any(f.base == base for f in VARIABLES.values()) or base in NECK_VARIABLES:
                    raise ModelError(f"not a shoulder-blade or upper-back variable: {base!r}", field=f"{_FILE}:{where}.effects")
                sign = eff.get("sign")
                if sign not in (1, -1):
                    raise ModelError("expected +1 or -1", field=f"{_FILE}:{where}.effects.{base}.sign")
                effects[base] = (sign, _number(eff.get("max_share"), f"{where}.effects.{base}.max_share"))
            if not effects:
                raise ModelError("a position must move something", field=f"{_FILE}:{where}.effects")
            sups = _list(e.get("supports"), f"{where}.supports", tuple(supports))
            out[kind][pid] = Placement(
                id=pid,
                kind=kind,
                techniques=_list(e.get("for"), f"{where}.for", TECHNIQUE_USES),
                supports=sups,
                uses=_list(e.get("uses", []), f"{where}.uses", ("same", "other", "left", "right", "helper")),
                effects=effects,
                words=_text(e.get("words"), f"{where}.words"),
            )
    return Catalogue(supports, out["arm"], out["trunk"], pillow["neutral_back_cm"], pillow["neutral_side_cm"], pillow["lever_cm"])


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The packaged catalogue of positions."""
    return build_catalogue(packaged_yaml(__package__, _FILE))
