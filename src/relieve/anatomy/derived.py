"""Actions derived from the model: which way each posture variable shortens a muscle.

The knowledge base states a muscle's actions from the textbooks; what the person is
shown is computed from the model instead ("tilting the head to the left shortens it
by 11 %"), and a test checks the two agree.
"""

from __future__ import annotations

from dataclasses import dataclass


from ..vocabulary import VARIABLES
from .postures import describe

# Each variable is moved to this share of its normal range on each side: far enough
# to show the effect, short of end range.
PROBE_SHARE = 0.5
# Changes smaller than this (percent of length) are not reported as actions.
MIN_EFFECT_PCT = 1.0


@dataclass(frozen=True)
class DerivedAction:
    variable: str  # contract posture variable (with side suffix where it has one)
    sign: int  # the direction that SHORTENS the muscle
    degrees: float  # the probe amount in that direction
    shortening_pct: float  # percent length change there (negative)
    lengthening_pct: float  # percent change at the same amount the other way

    def sentence(self) -> str:
        return (
            f"{describe(self.variable, self.sign * self.degrees, 'name').capitalize()} "
            f"{int(round(self.degrees))}° shortens it by {abs(self.shortening_pct):.0f} %"
        )


def derived_actions(muscle: str, side: str, body=None, min_effect_pct: float = MIN_EFFECT_PCT) -> list[DerivedAction]:
    """Every posture direction that shortens the muscle by at least ``min_effect_pct``,
    largest effect first. Scapular variables of the other side are left out."""
    if body is None:
        from ..model import default_model

        body = default_model()
    col = body.column(muscle, side)
    variables = [v for v in body.posture_variables if VARIABLES[v].belongs_to((side,))]
    rows = []
    for v in variables:
        lo, hi = body.ranges[v]
        for amount in (PROBE_SHARE * hi, PROBE_SHARE * lo):
            rows.append({v: amount})
    pct = body.length_change_pct_batch(body.postures_array(rows))[:, col]
    out = []
    for k, v in enumerate(variables):
        up, down = pct[2 * k], pct[2 * k + 1]
        lo, hi = body.ranges[v]
        if min(up, down) > -min_effect_pct:
            continue
        if up < down:
            out.append(DerivedAction(v, 1, PROBE_SHARE * hi, float(up), float(down)))
        else:
            out.append(DerivedAction(v, -1, -PROBE_SHARE * lo, float(down), float(up)))
    out.sort(key=lambda a: a.shortening_pct)
    return out
