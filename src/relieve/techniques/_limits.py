"""How far each posture variable may go: a comfortable share of the normal range,
narrowed further in any direction the person's findings show to be painful or limited."""

from __future__ import annotations

from dataclasses import dataclass

from ..anatomy.postures import describe
from ..assess.movements import movements
from ..vocabulary import VARIABLES

# Shares of the normal adult range (each direction) a technique may use.
# A position of ease is held ~90 s, so it stays at moderate angles (half the range);
# a stretch goes further but stops short of end range (three quarters).
EASE_SHARE = 0.5
STRETCH_SHARE = 0.75
# A direction the person reported painful or limited is capped at this share of the
# normal range: the test movement itself (about two thirds of the range) hurt, so
# only the first part of it is taken as comfortable. Mild pain (1-3/10) that did not
# limit the movement keeps half the range.
PAINFUL_SHARE = 0.25
MILD_PAIN_SHARE = 0.5
MILD_PAIN_MAX = 3


@dataclass(frozen=True)
class Bounds:
    """Per-variable (low, high) in degrees, with the reasons any were narrowed."""

    low: dict[str, float]
    high: dict[str, float]
    held_back: tuple[str, ...]

    def span(self, variable: str, sign: int) -> float:
        return self.high[variable] if sign > 0 else -self.low[variable]


def bounds(body, share: float, findings=None) -> Bounds:
    low, high = {}, {}
    for v in body.posture_variables:
        lo, hi = body.ranges[v]
        low[v], high[v] = share * lo, share * hi
    notes: list[str] = []
    if findings is None:
        return Bounds(low, high, ())
    tests = movements()
    for finding in findings.movements:
        pain = finding.pain or 0
        if not finding.limited and pain <= 0:
            continue
        cap_share = PAINFUL_SHARE if (finding.limited or pain > MILD_PAIN_MAX) else MILD_PAIN_SHARE
        why = _why(finding)
        for v, amount in tests[finding.movement].posture.items():
            lo, hi = body.ranges[v]
            if amount > 0:
                cap = cap_share * hi
                if high[v] > cap:
                    high[v] = cap
                    notes.append(f"{describe(v, cap, 'name').capitalize()} kept to {_amount(v, cap, hi)}, {why}.")
            elif amount < 0:
                cap = cap_share * lo
                if low[v] < cap:
                    low[v] = cap
                    notes.append(f"{describe(v, cap, 'name').capitalize()} kept to {_amount(v, cap, lo)}, {why}.")
    return Bounds(low, high, tuple(dict.fromkeys(notes)))


def _amount(variable: str, value: float, range_end: float) -> str:
    if VARIABLES[variable].is_scapular:
        return f"a quarter of its range ({abs(value):.0f}°)" if abs(value) < 0.3 * abs(range_end) else f"{abs(value):.0f}°"
    return f"{abs(value):.0f}°"


def _why(finding) -> str:
    parts = []
    if finding.limited:
        parts.append("limited")
    if finding.pain:
        parts.append(f"painful ({finding.pain:g}/10)")
    label = finding.movement.replace("_", " ")
    return f"because you found {label} " + " and ".join(parts)
