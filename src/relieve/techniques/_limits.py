"""How far each posture variable may go: a comfortable share of the normal range,
narrowed further in any direction the person's findings show to be painful or limited."""

from __future__ import annotations

from dataclasses import dataclass

from ..anatomy.postures import describe
from ..anatomy.movements import movements
from ..vocabulary import VARIABLES
from ._settings import limits

# Shares of the normal adult range (each direction) a technique may use, with their
# rationale, are data: data/limits.yaml.
_LIMITS = limits()
EASE_SHARE = _LIMITS.ease_share
STRETCH_SHARE = _LIMITS.stretch_share
PAINFUL_SHARE = _LIMITS.painful_share
MILD_PAIN_SHARE = _LIMITS.mild_pain_share
MILD_PAIN_MAX = _LIMITS.mild_pain_max


@dataclass(frozen=True)
class Cap:
    """One direction narrowed by the findings: ``variable`` may go at most ``cap``
    degrees in the direction ``sign``, because of ``why``."""

    variable: str
    sign: int
    cap: float
    range_end: float
    why: str

    def note(self, used: dict[str, float]) -> str:
        """The held-back note, with the angle each named technique actually uses."""
        name = describe(self.variable, self.sign * self.cap, "name").capitalize()
        limit = _amount(self.variable, self.cap, self.range_end)
        uses = "; ".join(
            f"{what} uses {_used(self.variable, self.sign, angle)}" for what, angle in used.items()
        )
        return f"{name} kept to at most {limit}, {self.why}" + (f" ({uses})." if uses else ".")


def _used(variable: str, sign: int, angle: float) -> str:
    along = angle if (angle > 0) == (sign > 0) else 0.0
    if along == 0.0:
        return "none of it"
    return f"{abs(along):.0f}°"


@dataclass(frozen=True)
class Bounds:
    """Per-variable (low, high) in degrees, with the findings caps that narrowed any."""

    low: dict[str, float]
    high: dict[str, float]
    caps: tuple[Cap, ...] = ()

    def span(self, variable: str, sign: int) -> float:
        return self.high[variable] if sign > 0 else -self.low[variable]


def bounds(body, share: float, findings=None) -> Bounds:
    low, high = {}, {}
    for v in body.posture_variables:
        lo, hi = body.ranges[v]
        low[v], high[v] = share * lo, share * hi
    caps: list[Cap] = []
    if findings is None:
        return Bounds(low, high, ())
    tests = movements()
    for code, finding in findings.movements.items():
        pain = finding.pain or 0
        if not finding.limited and pain <= 0:
            continue
        cap_share = PAINFUL_SHARE if (finding.limited or pain > MILD_PAIN_MAX) else MILD_PAIN_SHARE
        why = _why(code, finding)
        for v, amount in tests[code].posture.items():
            lo, hi = body.ranges[v]
            if amount > 0:
                cap = cap_share * hi
                if high[v] > cap:
                    high[v] = cap
                    caps.append(Cap(v, 1, cap, hi, why))
            elif amount < 0:
                cap = cap_share * lo
                if low[v] < cap:
                    low[v] = cap
                    caps.append(Cap(v, -1, abs(cap), lo, why))
    return Bounds(low, high, tuple(caps))


def _amount(variable: str, value: float, range_end: float) -> str:
    if VARIABLES[variable].is_scapular:
        return f"a quarter of its range ({abs(value):.0f}°)" if abs(value) < 0.3 * abs(range_end) else f"{abs(value):.0f}°"
    return f"{abs(value):.0f}°"


def _why(code: str, finding) -> str:
    parts = []
    if finding.limited:
        parts.append("limited")
    if finding.pain:
        parts.append(f"painful ({finding.pain:g}/10)")
    label = code.replace("_", " ")
    return f"because you found {label} " + " and ".join(parts)
