"""Pictures drawn from the model: a card per muscle and a figure per technique position.

Nothing here is hand-drawn. The skeleton is built from the model's landmarks, bone
volumes and rib-cage surface in the posture asked for; each muscle follows its model
path (via points included); the arrows are the paths that points fixed to the head or a
shoulder blade travel while the posture variables change. So the left side comes out as
the mirror image of the right, and a posture that bends the neck draws the head bent.

>>> svg = muscle_card_figure("levator_scapulae", "left")
>>> png = technique_figure([("levator_scapulae", "left")], {"neck_side_bend": -30},
...                        kind="shortening", fmt="png")

Both return the image as ``bytes`` (callers write files), and the same inputs give the
same bytes. Only matplotlib's object API with its Agg and SVG renderers is used, no
pyplot.

Also here: ``choose_views`` (which views show a movement), ``skeleton_2d`` (the
skeleton as drawn in one view, as numbers), ``VIEWS`` and ``KINDS``.

Screen conventions: ``front`` looks at the face (the person's right on the viewer's
left), ``back`` at the back (right on the right), ``left`` / ``right`` from that side,
``top`` from above with the face toward the top of the picture and the person's right on
the right.
"""

from __future__ import annotations

import io
import textwrap
import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, Polygon
from matplotlib.path import Path

from .anatomy.postures import direction
from .errors import RelieveError, UnknownNameError, ValidationError

__all__ = [
    "FORMATS",
    "KINDS",
    "VIEWS",
    "Kind",
    "Shape",
    "View",
    "choose_views",
    "muscle_card_figure",
    "skeleton_2d",
    "technique_figure",
]

FORMATS: tuple[str, ...] = ("svg", "png")

# ---------------------------------------------------------------------------- style

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

_RC = {
    "svg.hashsalt": "relieve-figures",  # stable element ids: same inputs, same bytes
    "svg.fonttype": "none",  # text stays text: searchable and small
    "font.family": "DejaVu Sans",  # ships with matplotlib: nothing to download
    "font.size": 8,
}
# rc_context changes matplotlib's process-wide settings: one figure at a time, so that
# threads (a web server) never see each other's settings half-way.
_RENDER_LOCK = threading.Lock()


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
        "orange: the muscle that pushes",
        "arrow: the way of the gentle push (your hand stops the movement)",
    ),
    "jones": Kind("Position of ease (Jones)", _BLUES, "blue: muscle on slack", "arrow: the way to move"),
}


# ---------------------------------------------------------------------------- views


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


VIEWS: Mapping[str, View] = {
    "front": View("front", "from the front", (0.0, 0.0, -1.0), (0.0, 1.0, 0.0)),
    "back": View("back", "from behind", (0.0, 0.0, 1.0), (0.0, 1.0, 0.0)),
    "right": View("right", "from the right side", (1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "left": View("left", "from the left side", (-1.0, 0.0, 0.0), (0.0, 1.0, 0.0)),
    "top": View("top", "from above (face at the top)", (0.0, 0.0, 1.0), (1.0, 0.0, 0.0)),
}


# ---------------------------------------------------------------------------- the model in one posture


class _Scene:
    """The model's geometry in one posture: landmarks, and any point fixed to a bone."""

    def __init__(self, body, posture: np.ndarray):
        self.body = body
        self.posture = np.asarray(posture, dtype=float)
        poses = body.body_poses(self.posture[None, :])
        rest = body.body_poses(np.zeros((1, len(body.posture_variables))))
        self._rot = {b: r[0] for b, (r, _) in poses.items()}
        self._pos = {b: p[0] for b, (_, p) in poses.items()}
        # Every body's frame sits at its joint centre, parallel to the ground at rest.
        self.rest_origin = {b: p[0] for b, (_, p) in rest.items()}

    def fixed(self, engine_body: str, neutral_points) -> np.ndarray:
        """Points given in the neutral ground frame, carried by ``engine_body``: ``(k, 3)``."""
        local = np.atleast_2d(np.asarray(neutral_points, dtype=float)) - self.rest_origin[engine_body]
        return local @ self._rot[engine_body].T + self._pos[engine_body]

    def landmark(self, landmark: str, side: str | None = None) -> np.ndarray:
        engine_body, local = self.body.landmark_local(landmark, side)
        return self.fixed(engine_body, local + self.rest_origin[engine_body])[0]

    def landmarks(self, ids: Iterable[str], side: str | None = None) -> np.ndarray:
        return np.array([self.landmark(i, side) for i in ids])


def _neutral(body, landmark: str, side: str = "right") -> np.ndarray:
    """A landmark's position in the neutral posture (the right one of a pair unless told)."""
    lm = body.landmark(landmark)
    p = np.array(lm.location, dtype=float)
    if side == "left" and lm.bilateral:
        p[2] = -p[2]
    return p


def _carrier(body, landmark: str, side: str | None = None) -> str:
    """The engine body that carries a landmark (on one side)."""
    return body.landmark_local(landmark, side)[0]


# ---------------------------------------------------------------------------- skeleton geometry


@dataclass(frozen=True)
class Shape:
    """One piece of the skeleton in ground coordinates."""

    name: str
    points: np.ndarray  # (k, 3)
    style: str = "line"  # "line" | "loop" (closed, filled) | "outline" (silhouette of the points) | "ball"
    part: str = "spine"  # "skull" | "spine" | "girdle" | "trunk" (below the shoulders: not drawn from above)
    radius: float = 0.0  # of a "ball"
    frames: bool = True  # counts when the panel is fitted to its content


def _unit_sphere(n_lat: int = 13, n_lon: int = 28) -> np.ndarray:
    lat = np.linspace(-np.pi / 2, np.pi / 2, n_lat)
    lon = np.linspace(0, 2 * np.pi, n_lon, endpoint=False)
    la, lo = np.meshgrid(lat, lon, indexing="ij")
    return np.stack([np.cos(la) * np.cos(lo), np.sin(la), np.cos(la) * np.sin(lo)], axis=-1).reshape(-1, 3)


def _nose(body) -> np.ndarray:
    """A drawing aid: a small nose (nasion, tip, base) so that the direction of the face
    reads at a glance, also from above. Its tip lies 25 mm ahead of the nasion and 28 mm
    below it, its base 40 mm below it."""
    nasion = _neutral(body, "nasion")
    return nasion + np.array([[0.0, 0.0, 0.0], [0.025, -0.028, 0.0], [0.006, -0.040, 0.0]])


def _skull_points(body) -> np.ndarray:
    """Neutral-frame points whose silhouette, from any side, is the head.

    The cranium: an ellipsoid reaching the nasion in front, the external occipital
    protuberance behind and the vertex on top, centred level with the ear openings
    (porion) and bulging 10 % beyond them at the sides (the parietal bones). The face:
    chin (menton), angles of the jaw (gonion) and mastoids. (The nose is drawn apart: in
    the silhouette it would turn the face into a beak.)
    """
    nasion, eop, vertex, porion = (
        _neutral(body, k) for k in ("nasion", "external_occipital_protuberance", "vertex", "porion")
    )
    centre = np.array([(nasion[0] + eop[0]) / 2, porion[1], 0.0])
    radii = np.array([(nasion[0] - eop[0]) / 2, vertex[1] - porion[1], 1.1 * porion[2]])
    cranium = centre + _unit_sphere() * radii
    cranium = cranium[cranium[:, 1] >= centre[1] - 0.3 * radii[1]]
    face = [_neutral(body, k, s) for k in ("gonion", "mastoid_process", "porion") for s in ("left", "right")]
    face += [_neutral(body, "menton"), nasion, eop]
    return np.vstack([cranium, np.array(face)])


def _rib_curve(body, anchors: Sequence[np.ndarray], n: int = 14) -> np.ndarray:
    """A right rib through its anchor points (neutral frame), round the rib cage between them.

    Between two anchors the rib runs round the scapulothoracic ellipsoid (the rib cage
    and the muscles on it) with its height changing evenly; each anchor's small distance
    from the ellipsoid is blended along, so the curve passes through every anchor.
    """
    cage = next(s for s in body.surfaces if s.name == "scapulothoracic")
    c, r = np.array(cage.centre, dtype=float), np.array(cage.radii, dtype=float)

    def on_cage(azimuth: float, y: float) -> np.ndarray:
        s = np.sqrt(max(0.0, 1.0 - ((y - c[1]) / r[1]) ** 2))
        return np.array([c[0] + r[0] * s * np.cos(azimuth), y, c[2] + r[2] * s * np.sin(azimuth)])

    out = [anchors[0]]
    for a, b in zip(anchors, anchors[1:]):
        az_a = np.arctan2((a[2] - c[2]) / r[2], (a[0] - c[0]) / r[0])
        az_b = np.arctan2((b[2] - c[2]) / r[2], (b[0] - c[0]) / r[0])
        da, db = a - on_cage(az_a, a[1]), b - on_cage(az_b, b[1])
        for t in np.linspace(0, 1, n)[1:]:
            out.append(on_cage(az_a + t * (az_b - az_a), a[1] + t * (b[1] - a[1])) + (1 - t) * da + t * db)
    return np.array(out)


_CERVICAL = ("c2", "c3", "c4", "c5", "c6", "c7")
# Ribs as landmark chains from back to front (right side). Rib 2 has no landmark at its
# front end: it is put half-way between the front ends of ribs 1 and 3.
_RIBS: Mapping[str, tuple[str | None, ...]] = {
    "rib1": ("t1_transverse_process", "first_rib_posterior", "first_rib_scalene_tubercle", "manubrium"),
    "rib2": ("t2_transverse_process", "second_rib_lateral", None),
    "rib3": ("t3_transverse_process", "third_rib_anterior"),
    "rib4": ("t4_transverse_process", "fourth_rib_anterior"),
    "rib5": ("t5_transverse_process", "fifth_rib_anterior"),
}
_CLAVICLE = ("sternoclavicular_joint", "clavicle_medial_third", "clavicle_lateral_third", "acromioclavicular_joint")
_SCAPULA = (
    "superior_angle",
    "medial_border_upper",
    "medial_border_lower",
    "inferior_angle",
    "glenoid_center",
    "acromion",
    "acromioclavicular_joint",
)
_SCAPULAR_SPINE = ("scapular_spine_root", "scapular_spine", "acromion_medial_border", "acromion")


def _skeleton(scene: _Scene) -> list[Shape]:
    """Every piece of the skeleton, in the scene's posture."""
    body = scene.body
    lm = scene.landmark
    skull = _carrier(body, "vertex")
    shapes = [
        Shape("skull", scene.fixed(skull, _skull_points(body)), "outline", "skull"),
        Shape("jaw", np.array([lm("gonion", "left"), lm("menton"), lm("gonion", "right")]), "line", "skull"),
        Shape("nose", scene.fixed(skull, _nose(body)), "loop", "skull"),
        # The atlas as a ring through its tubercles and transverse processes.
        Shape(
            "c1",
            np.array(
                [
                    lm("c1_anterior_tubercle"),
                    lm("c1_transverse_process", "right"),
                    lm("c1_posterior_tubercle"),
                    lm("c1_transverse_process", "left"),
                ]
            ),
            "loop",
        ),
    ]
    # C2-T2: the vertebral bodies are the model's bone volumes; each has its spinous
    # process, and C2-C7 a bar through the articular pillars to the transverse processes.
    volumes = {o.name.removesuffix("_body"): o for o in body.obstacles}
    centres = [(lm("c1_anterior_tubercle") + lm("c1_posterior_tubercle")) / 2]
    for v in (*_CERVICAL, "t1", "t2"):
        if v not in volumes:
            continue
        centre = scene.fixed(volumes[v].body, volumes[v].centre)[0]
        centres.append(centre)
        shapes.append(Shape(f"{v}_body", centre[None, :], "ball", radius=volumes[v].radius))
        shapes.append(Shape(f"{v}_spinous", np.array([centre, lm(f"{v}_spinous_process")])))
    for v in _CERVICAL:
        pillars = [f"{v}_transverse_process_posterior", f"{v}_articular_process"]
        bar = [lm(p, "left") for p in pillars] + [lm(p, "right") for p in reversed(pillars)]
        shapes.append(Shape(f"{v}_transverse", np.array(bar)))
    shapes.append(Shape("column", np.array(centres)))
    spinous = scene.landmarks([f"t{i}_spinous_process" for i in range(1, 13)])
    shapes.append(Shape("thoracic_spine", spinous[:7], part="trunk"))
    shapes.append(Shape("lower_thoracic_spine", spinous[6:], part="trunk", frames=False))
    for i in range(1, 7):
        tp = f"t{i}_transverse_process"
        part = "spine" if i <= 2 else "trunk"
        shapes.append(Shape(f"t{i}_transverse", np.array([lm(tp, "left"), lm(tp, "right")]), part=part))

    # Ribs 1-5, and the sternum down to the level of the 5th rib's front end.
    rib3_front = (_neutral(body, "manubrium") + _neutral(body, "third_rib_anterior")) / 2
    for rib, chain in _RIBS.items():
        curve = _rib_curve(body, [_neutral(body, a) if a else rib3_front for a in chain])
        for side, pts in (("right", curve), ("left", curve * np.array([1.0, 1.0, -1.0]))):
            carrier = _carrier(body, chain[-2] if chain[-1] is None else chain[-1], side)
            part = "spine" if rib == "rib1" else "trunk"
            shapes.append(Shape(f"{rib}.{side}", scene.fixed(carrier, pts), "line", part))
    fifth = _neutral(body, "fifth_rib_anterior")
    sternum = [_neutral(body, "jugular_notch"), np.array([fifth[0], fifth[1], 0.0])]
    shapes.append(Shape("sternum", scene.fixed(_carrier(body, "jugular_notch"), sternum), "line", "trunk"))

    # The shoulder girdles.
    for side in ("left", "right"):
        shapes += [
            Shape(f"clavicle.{side}", scene.landmarks(_CLAVICLE, side), "line", "girdle"),
            Shape(f"scapula.{side}", scene.landmarks(_SCAPULA, side), "loop", "girdle"),
            Shape(f"scapular_spine.{side}", scene.landmarks(_SCAPULAR_SPINE, side), "line", "girdle"),
            Shape(f"coracoid.{side}", scene.landmarks(("glenoid_center", "coracoid_process"), side), "line", "girdle"),
        ]
    return shapes


def _convex_hull(points: np.ndarray) -> np.ndarray:
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


def _shown(shape: Shape, view: View) -> bool:
    """From above, the rib cage and the back below the shoulders would only clutter."""
    return not (view.key == "top" and shape.part == "trunk")


def _on_screen(shape: Shape, view: View) -> np.ndarray:
    """A shape's points on the screen (a silhouette for an outline)."""
    pts = view.project(shape.points)
    return _convex_hull(pts) if shape.style == "outline" else pts


def skeleton_2d(posture: Mapping[str, float] | None = None, view: str = "front", body=None) -> dict[str, np.ndarray]:
    """The skeleton as drawn in one view: shape name -> screen points ``(k, 2)``, metres.

    ``skull`` is the head's silhouette; bilateral pieces are named ``clavicle.left`` etc.
    """
    body, _ = _defaults(body, None)
    scene = _Scene(body, body.posture_array(posture))
    v = _view(view)
    return {s.name: _on_screen(s, v) for s in _skeleton(scene) if _shown(s, v)}


# ---------------------------------------------------------------------------- panels


@dataclass
class _Callout:
    anchor: np.ndarray  # (2,) screen
    text: str
    colour: str


@dataclass
class _Panel:
    """One view's drawing, recorded as commands so the figure can be laid out first."""

    view: View
    commands: list[tuple[float, Callable]] = field(default_factory=list)
    extent: list[np.ndarray] = field(default_factory=list)  # screen points that must show
    callouts: list[_Callout] = field(default_factory=list)
    prefer: str = "right"  # label column for anchors on the midline

    def draw(self, zorder: float, command: Callable, points=None, frames: bool = True) -> None:
        """Record a drawing command; ``points`` (screen) must show unless ``frames`` is off."""
        self.commands.append((zorder, command))
        if points is not None and frames:
            self.extent.append(np.atleast_2d(points))

    def bounds(self) -> tuple[float, float, float, float]:
        pts = np.vstack(self.extent)
        return float(pts[:, 0].min()), float(pts[:, 0].max()), float(pts[:, 1].min()), float(pts[:, 1].max())


def _draw_skeleton(panel: _Panel, shapes: Sequence[Shape], *, neutral: bool = False, emphasise: str = "") -> None:
    """Bones in light grey (filled where they are plates), far pieces first.

    ``neutral``: thin grey dashes, no fill (the starting posture under the target one).
    ``emphasise``: a part (``"girdle"``) drawn darker.
    """
    view = panel.view
    order = sorted((s for s in shapes if _shown(s, view)), key=lambda s: float(view.depth(s.points).mean()))
    for depth_rank, shape in enumerate(order):
        pts = _on_screen(shape, view)
        style = BONE_EMPHASIS if shape.part == emphasise else BONE
        z = 1 + depth_rank / (10 * len(order))
        if neutral:
            if shape.style == "ball":
                continue
            kw = dict(edgecolor=NEUTRAL_EDGE, linewidth=NEUTRAL_LW, linestyle=NEUTRAL_DASH, fill=False)
            z = 3
        else:
            kw = dict(edgecolor=style["edge"], linewidth=style["lw"], facecolor=style["fill"])
        if shape.style == "ball":
            c, r = pts[0], shape.radius
            panel.draw(z, lambda ax, c=c, r=r, kw=kw: ax.add_patch(Circle(c, r, **kw)), [c - r, c + r])
        elif shape.style in ("loop", "outline"):
            panel.draw(z, lambda ax, p=pts, kw=kw: ax.add_patch(Polygon(p, closed=True, joinstyle="round", **kw)),
                       pts, shape.frames)
        else:
            line = dict(color=kw["edgecolor"], linewidth=kw["linewidth"] * 1.3, linestyle=kw.get("linestyle", "-"))
            panel.draw(z, lambda ax, p=pts, k=line: ax.plot(p[:, 0], p[:, 1], solid_capstyle="round", **k),
                       pts, shape.frames)


def _draw_muscle(panel: _Panel, paths: Mapping[str, np.ndarray], colour: str, width: float = 3.6) -> None:
    """Each bundle as a thick coloured line through its path points."""
    for pts3 in paths.values():
        pts = panel.view.project(pts3)
        panel.draw(
            5,
            lambda ax, p=pts: ax.plot(p[:, 0], p[:, 1], color=colour, linewidth=width, alpha=0.85,
                                      solid_capstyle="round", solid_joinstyle="round"),
            pts,
        )


def _draw_end(panel: _Panel, point3: np.ndarray, colour: str, *, origin: bool, size: float = 6.5) -> None:
    """A muscle end: a filled dot for the origin, an open one for the insertion."""
    p = panel.view.project(point3)
    face = colour if origin else "white"
    panel.draw(
        6,
        lambda ax: ax.plot([p[0]], [p[1]], marker="o", markersize=size, markerfacecolor=face,
                           markeredgecolor=colour, markeredgewidth=1.6, linestyle="none"),
        p,
    )


def _draw_spot(panel: _Panel, point3: np.ndarray) -> None:
    """Where a fingertip goes: a green ring with a dot."""
    p = panel.view.project(point3)

    def command(ax):
        ax.plot([p[0]], [p[1]], marker="o", markersize=15, markerfacecolor="none", markeredgecolor=SPOT,
                markeredgewidth=2.2, linestyle="none")
        ax.plot([p[0]], [p[1]], marker="o", markersize=4, color=SPOT, linestyle="none")

    panel.draw(8, command, p)


def _draw_arrow(panel: _Panel, path3: np.ndarray, colour: str, label: str = "") -> None:
    """An arrow along a path in space (``(k, 3)``), the head at its end."""
    pts = panel.view.project(path3)

    def command(ax):
        ax.add_patch(
            FancyArrowPatch(path=Path(pts), arrowstyle="-|>,head_length=0.55,head_width=0.3", mutation_scale=16,
                            color=colour, linewidth=2.2, shrinkA=0, shrinkB=0, capstyle="round")
        )
        if label:  # at the tail, on the side away from the head, clear of the shaft
            back = pts[0] - pts[min(len(pts) - 1, 3)]
            back = back / (np.linalg.norm(back) or 1.0)
            ax.annotate(label, pts[0], xytext=tuple(11 * back), textcoords="offset points", ha="center",
                        va="center", fontsize=LABEL_SIZE, color=colour, fontweight="bold")

    panel.draw(7, command, pts)


def _layout_callouts(panel: _Panel) -> tuple[float, float, float, float]:
    """Place the panel's labels in a column at each side of the drawing, ordered by height
    and pushed apart so that none overlaps, each joined to its point by a thin leader.
    Returns the panel's screen box with the labels in it."""
    umin, umax, vmin, vmax = panel.bounds()
    pad = 0.012
    umin, umax, vmin, vmax = umin - pad, umax + pad, vmin - pad, vmax + pad
    line_h = LABEL_SIZE * 1.25 / 72 / SCALE  # metres per text line
    char_w = LABEL_SIZE * 0.56 / 72 / SCALE  # metres per character (DejaVu Sans, average)
    widths = {"left": 0.0, "right": 0.0}
    columns: dict[str, list] = {"left": [], "right": []}
    for c in panel.callouts:
        # Labels go to the side of the midline their point is on; midline points to the
        # muscle's side.
        column = panel.prefer if abs(c.anchor[0]) < 0.012 else ("left" if c.anchor[0] < 0 else "right")
        lines = textwrap.wrap(c.text, LABEL_WRAP) or [""]
        widths[column] = max(widths[column], max(map(len, lines)) * char_w + LABEL_GAP)
        columns[column].append((c, "\n".join(lines), len(lines) * line_h))
    for column, items in columns.items():
        if not items:
            continue
        items.sort(key=lambda it: -it[0].anchor[1])
        gap = 0.25 * line_h
        ys = []
        for c, _, h in items:  # top down: as high as the point, but below the one above
            y = c.anchor[1]
            if ys:
                y = min(y, ys[-1][0] - ys[-1][1] / 2 - gap - h / 2)
            ys.append((y, h))
        low = vmin + items[-1][2] / 2
        for i in range(len(ys) - 1, -1, -1):  # bottom up: keep them inside the panel
            y, h = ys[i]
            floor = low if i == len(ys) - 1 else ys[i + 1][0] + ys[i + 1][1] / 2 + gap + h / 2
            ys[i] = (max(y, floor), h)
        x = umin - LABEL_GAP if column == "left" else umax + LABEL_GAP
        ha = "right" if column == "left" else "left"
        for (c, text, h), (y, _) in zip(items, ys):
            vmax = max(vmax, y + h / 2)
            vmin = min(vmin, y - h / 2)

            def command(ax, c=c, text=text, x=x, y=y, ha=ha):
                ax.plot([c.anchor[0], x + (0.004 if ha == "right" else -0.004)], [c.anchor[1], y],
                        color=LEADER, linewidth=0.6)
                ax.text(x, y, text, ha=ha, va="center", fontsize=LABEL_SIZE, color=c.colour, linespacing=1.05)

            panel.draw(9, command)
    return umin - widths["left"], umax + widths["right"], vmin, vmax


# ---------------------------------------------------------------------------- rendering


def _render(panels: Sequence[_Panel], title: str, caption: Sequence[str], fmt: str) -> bytes:
    """Lay the panels out side by side at one scale, draw them, and encode the figure."""
    boxes = [_layout_callouts(p) for p in panels]
    margin, gap, title_h, head_h = 0.25, 0.3, 0.5, 0.3
    widths = [(b[1] - b[0]) * SCALE for b in boxes]
    height = max((b[3] - b[2]) * SCALE for b in boxes)
    title_w = len(title) * 12 * 0.62 / 72  # inches, bold 12 pt
    fig_w = max(sum(widths) + gap * (len(panels) - 1) + 2 * margin, title_w + 2 * margin, 6.0)
    per_line = int((fig_w - 2 * margin) * 72 / (8 * 0.56))
    caption_lines = [ln for item in caption for ln in textwrap.wrap(item, per_line)]
    caption_h = 0.16 * len(caption_lines) + 0.15
    fig_h = height + title_h + head_h + caption_h + margin
    fig = Figure(figsize=(fig_w, fig_h))
    x = (fig_w - sum(widths) - gap * (len(panels) - 1)) / 2
    for panel, box, w in zip(panels, boxes, widths):
        umin, umax, vmin, vmax = box
        bottom = caption_h + margin / 2
        ax = fig.add_axes((x / fig_w, bottom / fig_h, w / fig_w, height / fig_h))
        # Same scale everywhere; a shorter panel keeps its top level with the others.
        ax.set_xlim(umin, umax)
        ax.set_ylim(vmax - height / SCALE, vmax)
        ax.set_aspect("equal")
        ax.set_autoscale_on(False)
        ax.set_axis_off()
        for z, command in panel.commands:
            _with_zorder(ax, z, command)
        fig.text((x + w / 2) / fig_w, (bottom + height + 0.08) / fig_h, panel.view.title, ha="center",
                 va="bottom", fontsize=9, color="#555555", style="italic")
        x += w + gap
    fig.text(0.5, 1 - 0.12 / fig_h, title, ha="center", va="top", fontsize=12, fontweight="bold", color=INK)
    for i, line in enumerate(caption_lines):
        fig.text(0.5, (caption_h - 0.1 - 0.16 * (i + 0.5)) / fig_h, line, ha="center", va="center", fontsize=8,
                 color="#444444")
    buffer = io.BytesIO()
    # No date or software version in the file: the same inputs give the same bytes.
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Title": title})
    else:
        fig.savefig(buffer, format="png", dpi=PNG_DPI, metadata={"Software": None, "Title": title})
    return buffer.getvalue()


def _with_zorder(ax, z: float, command: Callable) -> None:
    """Run a drawing command and put what it drew at depth ``z`` (matplotlib otherwise
    stacks all lines over all patches, whatever the order they came in)."""
    groups = (ax.lines, ax.patches, ax.texts)
    counts = [len(g) for g in groups]
    command(ax)
    for group, n in zip(groups, counts):
        for artist in list(group)[n:]:
            artist.set_zorder(z)


def _encode(build: Callable[[], tuple[list[_Panel], str, list[str]]], fmt: str) -> bytes:
    with _RENDER_LOCK, matplotlib.rc_context(_RC):
        panels, title, caption = build()
        return _render(panels, title, caption, fmt)


# ---------------------------------------------------------------------------- inputs


def _defaults(body, kb):
    if body is None:
        from .model import default_model

        body = default_model()
    if kb is None:
        from .anatomy import knowledge_base

        kb = knowledge_base()
    return body, kb


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise RelieveError(f"unknown image format {fmt!r}; choose one of: {', '.join(FORMATS)}", field="figure")
    return fmt


def _view(key: str) -> View:
    try:
        return VIEWS[key]
    except (KeyError, TypeError):
        raise UnknownNameError(f"no view {key!r}; known: {', '.join(VIEWS)}", field="view") from None


def _members(body, muscle: str, side: str) -> tuple[str, ...]:
    """A muscle id gives itself, a group its members; checks the muscle and side."""
    members = body.groups.get(muscle, (muscle,)) if isinstance(muscle, str) else (muscle,)
    for m in members:
        body.bundles(m, side)  # raises UnknownNameError naming the muscle or the side
    return tuple(members)


def _muscle_name(kb, muscle: str) -> str:
    try:
        return kb.muscle(muscle).common_name
    except UnknownNameError:
        return muscle.replace("_", " ")  # a group


def _place_name(kb, landmark: str) -> str:
    """A landmark's name in plain words (from the knowledge base; else from its id)."""
    try:
        return kb.landmark(landmark).name
    except UnknownNameError:
        words = landmark.split("_")
        return " ".join(w.upper() if w[:1] in "ct" and w[1:].isdigit() else w for w in words)


def _ends(body, muscles: Iterable[str], side: str) -> list[tuple[str, bool]]:
    """(landmark, is_origin) of the muscles' ends, without repeats, origins first."""
    out: dict[str, bool] = {}
    for m in muscles:
        a = body.attachments(m, side)
        for lid in a["origin"]:
            out.setdefault(lid, True)
        for lid in a["insertion"]:
            out.setdefault(lid, False)
    return sorted(out.items(), key=lambda kv: not kv[1])


def _midline_preference(view: View, points: np.ndarray) -> str:
    """The label column on the muscle's side of the panel."""
    return "left" if view.project(points)[:, 0].mean() < 0 else "right"


# ---------------------------------------------------------------------------- the muscle card


def muscle_card_figure(muscle: str, side: str, fmt: str = "svg", body=None, kb=None) -> bytes:
    """A muscle on the skeleton, from the front, its own side and behind.

    The muscle follows its model path (every bundle); its origins (filled dots) and
    insertions (open dots) are labelled with their plain names. ``muscle`` may be a group
    (``scalenes``): its members are drawn together.
    """
    _check_format(fmt)
    body, kb = _defaults(body, kb)
    members = _members(body, muscle, side)

    def build():
        scene = _Scene(body, np.zeros(len(body.posture_variables)))
        shapes = _skeleton(scene)
        paths = {f"{m}.{b}": p for m in members for b, p in body.muscle_paths(m, side, None).items()}
        muscle_points = np.vstack(list(paths.values()))
        panels = []
        for key in ("front", side, "back"):
            panel = _Panel(VIEWS[key])
            panel.prefer = _midline_preference(panel.view, muscle_points)
            _draw_skeleton(panel, shapes)
            _draw_muscle(panel, paths, CARD_COLOUR)
            for lid, is_origin in _ends(body, members, side):
                point = scene.landmark(lid, side)
                _draw_end(panel, point, CARD_COLOUR, origin=is_origin)
                panel.callouts.append(_Callout(panel.view.project(point), _place_name(kb, lid), INK))
            panels.append(panel)
        title = f"{side.capitalize()} {_muscle_name(kb, muscle)}"
        caption = [
            "filled dot: where the muscle starts (origin)  ·  open dot: where it ends (insertion)  ·  "
            "bones in grey  ·  drawn from the relieve model, upright posture"
        ]
        return panels, title, caption

    return _encode(build, fmt)


# ---------------------------------------------------------------------------- technique figures

# Points fixed to a moving bone where arrows are drawn, a little outside the bone so the
# arrow does not hide it: (landmark, offset in metres from it, neutral frame, right side).
_HANDLES: Mapping[str, tuple[tuple[str, tuple[float, float, float]], ...]] = {
    "head": (("vertex", (0.0, 0.035, 0.0)), ("nasion", (0.05, -0.02, 0.0))),
    "scapula": (("acromion", (0.0, 0.035, 0.01)), ("inferior_angle", (0.0, -0.03, 0.0))),
    "chest": (("jugular_notch", (0.045, 0.0, 0.0)),),
}


def _mover(variable: str) -> tuple[str, str | None]:
    """Which bone a posture variable moves: (handle group, side)."""
    if variable.startswith("scapula_"):
        return "scapula", direction(variable, 0).side
    if variable == "thoracic_flexion":
        return "chest", None
    return "head", None


def _tracks(body, postures: np.ndarray, group: str, side: str | None) -> list[np.ndarray]:
    """The paths ``(n, 3)`` of a group's handles through a sequence of postures."""
    poses = body.body_poses(postures)
    out = []
    for landmark, offset in _HANDLES[group]:
        engine_body, local = body.landmark_local(landmark, side)
        off = np.array(offset) * (np.array([1.0, 1.0, -1.0]) if side == "left" else 1.0)
        r, p = poses[engine_body]
        out.append(np.einsum("nij,j->ni", r, local + off) + p)
    return out


def _screen_length(view: View, path3: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(view.project(path3), axis=0), axis=1).sum())


def _best_track(view: View, tracks: Sequence[np.ndarray]) -> np.ndarray:
    """The first handle whose path shows (nearly) as long as the longest on the screen."""
    lengths = [_screen_length(view, t) for t in tracks]
    return next(t for t, n in zip(tracks, lengths) if n >= 0.8 * max(lengths))


def _cut(path3: np.ndarray, length: float) -> np.ndarray:
    """The first ``length`` metres of a path."""
    seg = np.linalg.norm(np.diff(path3, axis=0), axis=1)
    run = np.concatenate([[0.0], np.cumsum(seg)])
    if run[-1] <= length:
        return path3
    k = int(np.searchsorted(run, length))
    t = (length - run[k - 1]) / seg[k - 1]
    return np.vstack([path3[:k], path3[k - 1] + t * (path3[k] - path3[k - 1])])


# Which posture variables each family of views shows: a movement arrow or a push arrow
# for a variable is drawn in the views that show it.
_SHOWN_BY: Mapping[str, frozenset[str]] = {
    "coronal": frozenset({"neck_side_bend", "scapula_elevation", "scapula_upward_rotation", "scapula_retraction"}),
    "side": frozenset({"neck_flexion", "head_nod", "thoracic_flexion", "scapula_elevation"}),
    "top": frozenset({"neck_rotation", "scapula_retraction"}),
}
_FAMILY = {"front": "coronal", "back": "coronal", "left": "side", "right": "side", "top": "top"}


def _view_shows(view: View, variable: str) -> bool:
    return direction(variable, 0).base in _SHOWN_BY[_FAMILY[view.key]]


_FOLLOWED = frozenset({"skull", "nose", "column", "c1"})


def choose_views(
    posture: Mapping[str, float],
    muscles: Sequence[tuple[str, str]] = (),
    *,
    kind: str = "shortening",
    arrows: Mapping[str, int] | None = None,
    body=None,
) -> tuple[str, ...]:
    """The views that make a movement clear, at least two.

    Side bend and the shoulder blades -> from the front or from behind (behind when a
    shoulder blade moves or the muscles lie at the back); flexion, nodding and rounding
    of the upper back -> from the side of the first muscle; rotation and drawing the
    shoulder blades back -> from above.
    """
    body, _ = _defaults(body, None)
    active = {v for v, x in posture.items() if x} | {v for v, s in (arrows or {}).items() if s}
    side = muscles[0][1] if muscles else "right"
    scapular = any(v.startswith("scapula_") for v in active)
    coronal = "back" if scapular or kind == "repositioning" or _at_the_back(body, muscles) else "front"
    wanted = {direction(v, 0).base for v in active}
    views: list[str] = []
    if wanted & {"neck_side_bend", "scapula_elevation", "scapula_upward_rotation", "scapula_retraction"} or (
        kind == "repositioning"
    ):
        views.append(coronal)
    if wanted & {"neck_flexion", "head_nod", "thoracic_flexion"}:
        views.append(side)
    if wanted & {"neck_rotation", "scapula_retraction"}:
        views.append("top")
    for extra in (coronal, side):
        if len(views) < 2 and extra not in views:
            views.append(extra)
    order = {"front": 0, "back": 0, "left": 1, "right": 1, "top": 2}
    return tuple(sorted(views, key=order.__getitem__))


def _at_the_back(body, muscles: Sequence[tuple[str, str]]) -> bool:
    """Whether the muscles lie mostly behind the vertebral bodies (neutral posture)."""
    if not muscles:
        return True
    pts = np.vstack(
        [p for m, s in muscles for member in _members(body, m, s) for p in body.muscle_paths(member, s, None).values()]
    )
    column = np.mean([o.centre[0] for o in body.obstacles])
    return bool(pts[:, 0].mean() < column)


def technique_figure(
    muscles: Sequence[tuple[str, str]],
    posture: Mapping[str, float],
    *,
    kind: str,
    arrows: Mapping[str, int] | None = None,
    finger_spots: Sequence[tuple[str, str | None]] = (),
    title: str = "",
    fmt: str = "svg",
    body=None,
    kb=None,
) -> bytes:
    """A technique position: the neutral posture in grey dashes, the target posture solid,
    the muscle(s) in the target posture, and arrows for the movement from neutral (or,
    with ``arrows`` - posture variable -> +1 / -1 - for the direction of the push).

    ``kind``: one of ``KINDS``. ``finger_spots``: (landmark, side) pairs marked with a
    ring and labelled (side ``None`` or ``"midline"`` for a midline landmark). The views
    follow from the variables that change (``choose_views``).
    """
    _check_format(fmt)
    if kind not in KINDS:
        raise UnknownNameError(f"no figure kind {kind!r}; known: {', '.join(KINDS)}", field="kind")
    body, kb = _defaults(body, kb)
    style = KINDS[kind]
    posture = dict(posture or {})
    target = body.posture_array(posture)  # raises, naming an unknown variable
    muscle_list = [(m, s, _members(body, m, s)) for m, s in muscles]
    push = _check_arrows(body, arrows)
    spots = []
    for i, (landmark, side) in enumerate(finger_spots):
        try:
            body.landmark_local(landmark, None if side == "midline" else side)
        except UnknownNameError as exc:
            raise UnknownNameError(exc.message, field=f"finger_spots[{i}]") from None
        spots.append((landmark, None if side == "midline" else side))
    views = choose_views(posture, [(m, s) for m, s, _ in muscle_list], kind=kind, arrows=arrows, body=body)

    def build():
        neutral_scene = _Scene(body, np.zeros_like(target))
        scene = _Scene(body, target)
        shapes = _skeleton(scene)
        rest = {s.name: s for s in _skeleton(neutral_scene)}
        # The neutral posture under the target one: only the pieces a reader follows (head,
        # the line of the neck, the shoulder girdles), and only where they moved.
        moved = [
            rest[s.name]
            for s in shapes
            if s.name in _FOLLOWED or s.part == "girdle"
            if np.abs(s.points - rest[s.name].points).max() > 0.001
        ]
        coloured = []
        for i, (m, side, members) in enumerate(muscle_list):
            colour = style.colours[i % len(style.colours)]
            paths = {f"{x}.{b}": p for x in members for b, p in body.muscle_paths(x, side, target[None, :]).items()}
            coloured.append((m, side, members, colour, paths))
        panels = []
        any_arrow = False
        for key in views:
            panel = _Panel(VIEWS[key])
            all_muscle = [p for *_, paths in coloured for p in paths.values()]
            if all_muscle:
                panel.prefer = _midline_preference(panel.view, np.vstack(all_muscle))
            _draw_skeleton(panel, shapes, emphasise="girdle" if style.emphasise_girdle else "")
            _draw_skeleton(panel, moved, neutral=True)
            for m, side, members, colour, paths in coloured:
                _draw_muscle(panel, paths, colour)
                for lid, is_origin in _ends(body, members, side):
                    _draw_end(panel, scene.landmark(lid, side), colour, origin=is_origin, size=5)
            for tracks, colour, label in _arrows(body, target, push, panel.view):
                best = _best_track(panel.view, tracks)
                if _screen_length(panel.view, best) >= max(MIN_TRAVEL, 0.4 * _path_length(best)):
                    _draw_arrow(panel, best, colour, label)
                    any_arrow = True
            for landmark, side in spots:
                point = scene.landmark(landmark, side)
                _draw_spot(panel, point)
                name = _place_name(kb, landmark) + (f" ({side})" if body.landmark(landmark).bilateral else "")
                panel.callouts.append(_Callout(panel.view.project(point), name, SPOT))
            panels.append(panel)
        names = [f"{side} {_muscle_name(kb, m)}" for m, side, *_ in coloured]
        heading = title or (f"{style.title}: {', '.join(names)}" if names else style.title)
        changes = [
            f"{side} {_muscle_name(kb, m)} {_signed(body.length_change_pct(m, side, posture))} %"
            for m, side, *_ in coloured
        ]
        caption = ["grey dashed: neutral (upright)  ·  solid: the position  ·  " + style.muscle_caption
                   + (f" (length from neutral: {'; '.join(changes)})" if changes else "")]
        line = []
        if any_arrow:
            line.append(style.arrow_caption if push else KINDS["shortening"].arrow_caption)
        if spots:
            line.append("green ring: where your fingertips go")
        caption.append("  ·  ".join(line + ["drawn from the relieve model"]))
        return panels, heading, caption

    return _encode(build, fmt)


def _signed(value: float) -> str:
    """``+2.1`` / ``\u22129.5``: a typographic minus, which reads better than a hyphen."""
    return f"{value:+.1f}".replace("-", "\u2212")


def _path_length(path3: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(path3, axis=0), axis=1).sum())


def _check_arrows(body, arrows: Mapping[str, int] | None) -> dict[str, int]:
    """Posture variable -> +1 / -1 (0 draws nothing)."""
    out = {}
    for variable, sign in (arrows or {}).items():
        if variable not in body.posture_variables:
            raise UnknownNameError(
                f"no posture variable {variable!r}; known: {', '.join(body.posture_variables)}",
                field=f"arrows.{variable}",
            )
        if isinstance(sign, bool) or sign not in (-1, 0, 1):
            raise ValidationError([(f"arrows.{variable}", f"must be -1, 0 or +1, got {sign!r}")])
        if sign:
            out[variable] = int(sign)
    return out


def _arrows(body, target: np.ndarray, push: Mapping[str, int], view: View) -> list[tuple[list[np.ndarray], str, str]]:
    """(candidate handle paths, colour, label) of the arrows one view shows.

    Without ``push``: for each moving bone, its handles' paths as the variables this
    view shows go from 0 to their target values (the others held at theirs), so the
    arrow ends on the bone as drawn. With it: for each pushed variable the view shows, the
    first ``PUSH_LENGTH`` metres of the handles' paths as that variable changes from the
    target posture in the push's sign.
    """
    steps = np.linspace(0.0, 1.0, 31)[:, None]
    out = []
    if push:
        for variable, sign in push.items():
            if not _view_shows(view, variable):
                continue
            i = body.posture_variables.index(variable)
            lo, hi = body.ranges[variable]
            postures = np.repeat(target[None, :], len(steps), axis=0)
            postures[:, i] += sign * (hi - lo) * steps[:, 0]
            tracks = [_cut(t, PUSH_LENGTH) for t in _tracks(body, postures, *_mover(variable))]
            out.append((tracks, KINDS["resist"].colours[2], "push"))
        return out
    moved: dict[tuple[str, str | None], list[int]] = {}
    for i, (variable, value) in enumerate(zip(body.posture_variables, target)):
        if value and _view_shows(view, variable):
            moved.setdefault(_mover(variable), []).append(i)
    for (group, side), columns in moved.items():
        start = target.copy()
        start[columns] = 0.0
        out.append((_tracks(body, start + steps * (target - start), group, side), MOVE_ARROW, ""))
    return out
