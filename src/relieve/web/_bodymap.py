"""The clickable body map: front and back drawings with the contract's pain-map regions
(section 3), each region once per side (or once in the middle when left and right are
not different places). Positions are in the drawing's own units (200 x 300 per view);
the person's right is on the viewer's left in the front view and on the right in the
back view, as in a mirror and from behind."""

from __future__ import annotations

from dataclasses import dataclass

# region -> (view, x offset from the midline, y, rx, ry); side_applies comes from the
# knowledge base (anatomy/data/regions.yaml).
PLACES = {
    "top_of_head": ("front", 0, 20, 16, 7),
    "forehead_eye": ("front", 9, 38, 6, 6),
    "temple": ("front", 19, 42, 5, 6),
    "jaw": ("front", 12, 62, 6, 5),
    "anterior_neck": ("front", 5, 82, 4, 6),
    "lateral_neck": ("front", 15, 82, 5, 6),
    "upper_chest": ("front", 26, 120, 13, 10),
    "front_of_shoulder": ("front", 50, 108, 8, 8),
    "upper_arm": ("front", 60, 150, 8, 20),
    "forearm_hand": ("front", 68, 208, 7, 24),
    "occiput": ("back", 9, 56, 6, 5),
    "behind_ear": ("back", 21, 50, 4, 6),
    "posterior_neck_upper": ("back", 7, 70, 5, 5),
    "posterior_neck_lower": ("back", 8, 84, 5, 5),
    "neck_shoulder_junction": ("back", 24, 94, 7, 6),
    "top_of_shoulder": ("back", 46, 100, 8, 6),
    "superior_angle_scapula": ("back", 30, 112, 6, 6),
    "medial_border_scapula": ("back", 22, 134, 5, 12),
    "between_shoulder_blades": ("back", 0, 128, 7, 16),
}

OUTLINE = ("M100 17 C82 17 78 35 78 47 C78 62 88 72 92 74 L92 90 C80 94 60 96 50 102 "
           "C40 106 36 120 36 140 L30 230 L44 232 L52 150 L56 140 L58 250 L142 250 L144 140 "
           "L148 150 L156 232 L170 230 L164 140 C164 120 160 106 150 102 C140 96 120 94 108 90 "
           "L108 74 C112 72 122 62 122 47 C122 35 118 17 100 17 Z")


@dataclass(frozen=True)
class Spot:
    region: str
    side: str
    name: str
    view: str
    cx: float
    cy: float
    rx: float
    ry: float

    @property
    def value(self) -> str:
        return f"{self.region}:{self.side}"

    @property
    def label(self) -> str:
        return self.name if self.side == "midline" else f"{self.name}, {self.side}"


def spots() -> list[Spot]:
    from ..anatomy import knowledge_base

    out = []
    for region in knowledge_base().regions:
        view, dx, y, rx, ry = PLACES[region.code]
        if not region.side_applies or dx == 0:
            out.append(Spot(region.code, "midline", region.name, view, 100, y, rx, ry))
            continue
        for side in ("right", "left"):
            # Front: the person's right on the viewer's left; back: on the right.
            sign = -1 if (side == "right") == (view == "front") else 1
            out.append(Spot(region.code, side, region.name, view, 100 + sign * dx, y, rx, ry))
    return out


def regions() -> list[dict]:
    """Every region with its sides, for the list beside the map (the same choices)."""
    from ..anatomy import knowledge_base

    return [{"code": r.code, "name": r.name, "sides": ["left", "right"] if r.side_applies else ["midline"]}
            for r in knowledge_base().regions]
