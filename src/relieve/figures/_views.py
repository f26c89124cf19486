"""Views: orthographic projections of ground points onto the screen, and what each shows.

Screen conventions: ``front`` looks at the face (the person's right on the viewer's
left), ``back`` at the back (right on the right), ``left`` / ``right`` from that side,
``top`` from above with the face toward the top of the picture and the person's right on
the right.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

import numpy as np

from ..errors import UnknownNameError
from .._input import shown as _shown

if TYPE_CHECKING:
    from ._scene import Shape


@dataclass(frozen=True)
class View:
    """An orthographic view: screen x along ``right``, screen y along ``up`` (ground axes)."""

    key: str
    title: str
    right: tuple[float, float, float]
    up: tuple[float, float, float]

    def project(self, points) -> np.ndarray:
        """Ground points ``(..., 3)`` -> screen points ``(..., 2)``, metres."""
        p = np.asarray(points, dtype=float)
        return np.stack([p @ np.array(self.right), p @ np.array(self.up)], axis=-1)

    def depth(self, points) -> np.ndarray:
        """Distance toward the viewer ``(...,)``: larger is nearer."""
        return np.asarray(points, dtype=float) @ np.cross(self.right, self.up)

    @property
    def toward_viewer(self) -> np.ndarray:
        return np.cross(self.right, self.up)

    @property
    def family(self) -> str:
        """Which plane of the body the view shows: ``coronal`` (front, back), ``side``,
        ``top`` or ``oblique`` (a three-quarter view, which shows every movement)."""
        n = np.abs(self.toward_viewer)
        if n[0] > 0.9:
            return "coronal"
        if n[2] > 0.9:
            return "side"
        if n[1] > 0.9:
            return "top"
        return "oblique"


def _three_quarter(key: str, title: str, x: float, z: float) -> View:
    """A view from a horizontal direction ``(x, 0, z)`` toward the viewer."""
    v = np.array([x, 0.0, z]) / np.hypot(x, z)
    right = np.cross([0.0, 1.0, 0.0], v)
    return View(key, title, tuple(float(a) for a in right), (0.0, 1.0, 0.0))


VIEWS: Mapping[str, View] = {
    "front": View("front", "from the front", (0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
    "back": View("back", "from behind", (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
    "right": View("right", "from the right side", (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "left": View("left", "from the left side", (-1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "top": View("top", "from above (face at the top)", (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)),
    "front_left": _three_quarter("front_left", "from the front, on the left", 0.77, -0.64),
    "front_right": _three_quarter("front_right", "from the front, on the right", 0.77, 0.64),
    "back_left": _three_quarter("back_left", "from behind, on the left", -0.77, -0.64),
    "back_right": _three_quarter("back_right", "from behind, on the right", -0.77, 0.64),
    # Lying on the back (the person's frame is the model's: the views turn instead).
    "lying_left": View("lying_left", "lying on the back, seen from the left", (0.0, 1.0, 0.0), (1.0, 0.0, 0.0)),
    "lying_right": View("lying_right", "lying on the back, seen from the right", (0.0, -1.0, 0.0), (1.0, 0.0, 0.0)),
    "lying_above": View("lying_above", "lying on the back, seen from above", (0.0, -1.0, 0.0), (0.0, 0.0, -1.0)),
    # Lying on one side: seen from in front (the face) and from behind.
    "side_lying_left_front": View("side_lying_left_front", "lying on the left side, seen from the front",
                                  (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "side_lying_left_back": View("side_lying_left_back", "lying on the left side, seen from behind",
                                 (0.0, -1.0, 0.0), (0.0, 0.0, 1.0)),
    "side_lying_right_front": View("side_lying_right_front", "lying on the right side, seen from the front",
                                   (0.0, -1.0, 0.0), (0.0, 0.0, -1.0)),
    "side_lying_right_back": View("side_lying_right_back", "lying on the right side, seen from behind",
                                  (0.0, 1.0, 0.0), (0.0, 0.0, -1.0)),
}


def view_named(key: str) -> View:
    try:
        return VIEWS[key]
    except (KeyError, TypeError):
        raise UnknownNameError(f"no view {_shown(key)}; known: {', '.join(VIEWS)}", field="view") from None


def convex_hull(points: np.ndarray) -> np.ndarray:
    """The convex hull of 2-D points, counter-clockwise (Andrew's monotone chain)."""
    pts = sorted(set(map(tuple, np.round(points, 6))))
    if len(pts) < 3:
        return np.array(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    upper: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def shown(shape: Shape, view: View) -> bool:
    """From above, the rib cage and the back below the shoulders would only clutter."""
    return not (view.key == "top" and shape.part == "trunk")


def on_screen(shape: Shape, view: View) -> np.ndarray:
    """A shape's points on the screen (a silhouette for an outline)."""
    pts = view.project(shape.points)
    return convex_hull(pts) if shape.style == "outline" else pts


def midline_preference(view: View, points: np.ndarray) -> str:
    """The label column on the muscle's side of the panel."""
    return "left" if view.project(points)[:, 0].mean() < 0 else "right"
