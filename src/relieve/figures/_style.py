"""How the pictures look: sizes, colours and the drawing of each technique kind.

Plain data, no matplotlib.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

FORMATS: tuple[str, ...] = ("svg", "png")

SCALE = 7.0  # inches of picture per metre of body, the same in every panel
PNG_DPI = 110
LABEL_SIZE = 7.5  # points
LABEL_WRAP = 24  # characters per label line
LABEL_GAP = 0.025  # metres between the drawing and a column of labels
MIN_TRAVEL = 0.02  # metres: an arrow shorter than this on screen is left out (all head, no shaft)
PUSH_LENGTH = 0.06  # metres: length of a push arrow

BONE = {"edge": "#a3a3a3", "fill": "#ededed", "lw": 1.0}
BONE_EMPHASIS = {"edge": "#3d3d3d", "fill": "#d2d2d2", "lw": 1.9}
NEUTRAL_EDGE, NEUTRAL_LW, NEUTRAL_DASH = "#8e8e8e", 0.9, (0, (4, 3))
INK = "#262626"
LEADER = "#7a7a7a"
SPOT = "#17803d"
MOVE_ARROW = "#262626"
CARD_COLOUR = "#b8332a"


@dataclass(frozen=True)
class Kind:
    """How a technique is drawn."""

    title: str
    colours: tuple[str, ...]  # one per muscle drawn, cycled
    muscle_caption: str  # what the colour means
    arrow_caption: str
    emphasise_girdle: bool = False


_BLUES = ("#1f63b0", "#35a3d9", "#173f73")
KINDS: Mapping[str, Kind] = {
    "shortening": Kind("Muscle shortening", _BLUES, "blue: muscle on slack", "arrow: the way to move"),
    "repositioning": Kind(
        "Repositioning",
        _BLUES,
        "blue: muscle on slack",
        "arrow: the way the shoulder blade moves",
        emphasise_girdle=True,
    ),
    "stretch": Kind("Stretch", ("#c0392b", "#e8746a", "#7b1f16"), "red: muscle stretched", "arrow: the way to move"),
    "resist": Kind(
        "Gentle push against your hand",
        ("#d35400", "#f0a04b", "#8a3600"),
        "orange: the treated muscle (the push goes the way that lengthens it; the muscles opposite it do the pushing)",
        "arrow: the way of the gentle push (your hand stops the movement)",
    ),
    "jones": Kind("Position of ease (Jones)", _BLUES, "blue: muscle on slack", "arrow: the way to move"),
}
