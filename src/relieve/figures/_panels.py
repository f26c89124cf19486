"""Panels: one view's drawing recorded as commands, and the layout of its labels.

The commands are run later on a matplotlib ``Axes`` (``_render``); matplotlib's classes
are imported only when a command runs, so recording a panel does not load matplotlib.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import numpy as np

from ._scene import Shape
from ._style import (
    BONE,
    BONE_EMPHASIS,
    LABEL_GAP,
    LABEL_SIZE,
    LABEL_WRAP,
    LEADER,
    NEUTRAL_DASH,
    NEUTRAL_EDGE,
    NEUTRAL_LW,
    SCALE,
    SPOT,
)
from ._views import View, on_screen, shown


@dataclass
class Callout:
    anchor: np.ndarray  # (2,) screen
    text: str
    colour: str


@dataclass
class Panel:
    """One view's drawing, recorded as commands so the figure can be laid out first."""

    view: View
    commands: list[tuple[float, Callable]] = field(default_factory=list)
    extent: list[np.ndarray] = field(default_factory=list)  # screen points that must show
    callouts: list[Callout] = field(default_factory=list)
    prefer: str = "right"  # label column for anchors on the midline

    def draw(self, zorder: float, command: Callable, points=None, frames: bool = True) -> None:
        """Record a drawing command; ``points`` (screen) must show unless ``frames`` is off."""
        self.commands.append((zorder, command))
        if points is not None and frames:
            self.extent.append(np.atleast_2d(points))

    def bounds(self) -> tuple[float, float, float, float]:
        pts = np.vstack(self.extent)
        return float(pts[:, 0].min()), float(pts[:, 0].max()), float(pts[:, 1].min()), float(pts[:, 1].max())


def draw_skeleton(panel: Panel, shapes: Sequence[Shape], *, neutral: bool = False, emphasise: str = "") -> None:
    """Bones in light grey (filled where they are plates), far pieces first.

    ``neutral``: thin grey dashes, no fill (the starting posture under the target one).
    ``emphasise``: a part (``"girdle"``) drawn darker.
    """
    view = panel.view
    order = sorted((s for s in shapes if shown(s, view)), key=lambda s: float(view.depth(s.points).mean()))
    for depth_rank, shape in enumerate(order):
        pts = on_screen(shape, view)
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

            def ball(ax, c=c, r=r, kw=kw):
                from matplotlib.patches import Circle

                ax.add_patch(Circle(c, r, **kw))

            panel.draw(z, ball, [c - r, c + r])
        elif shape.style in ("loop", "outline"):

            def plate(ax, p=pts, kw=kw):
                from matplotlib.patches import Polygon

                ax.add_patch(Polygon(p, closed=True, joinstyle="round", **kw))

            panel.draw(z, plate, pts, shape.frames)
        else:
            line = dict(color=kw["edgecolor"], linewidth=kw["linewidth"] * 1.3, linestyle=kw.get("linestyle", "-"))
            panel.draw(z, lambda ax, p=pts, k=line: ax.plot(p[:, 0], p[:, 1], solid_capstyle="round", **k),
                       pts, shape.frames)


def draw_muscle(panel: Panel, paths: Mapping[str, np.ndarray], colour: str, width: float = 3.6,
                slack: bool = False) -> None:
    """Each bundle as a thick coloured line through its path points (gently wavy when
    the muscle is on slack)."""
    for pts3 in paths.values():
        pts = panel.view.project(pts3)
        if slack:
            pts = wavy(pts)
        panel.draw(
            5,
            lambda ax, p=pts: ax.plot(p[:, 0], p[:, 1], color=colour, linewidth=width, alpha=0.85,
                                      solid_capstyle="round", solid_joinstyle="round"),
            pts,
        )


def draw_end(panel: Panel, point3: np.ndarray, colour: str, *, origin: bool, size: float = 6.5) -> None:
    """A muscle end: a filled dot for the origin, an open one for the insertion."""
    p = panel.view.project(point3)
    face = colour if origin else "white"
    panel.draw(
        6,
        lambda ax: ax.plot([p[0]], [p[1]], marker="o", markersize=size, markerfacecolor=face,
                           markeredgecolor=colour, markeredgewidth=1.6, linestyle="none"),
        p,
    )


def draw_spot(panel: Panel, point3: np.ndarray) -> None:
    """Where a fingertip goes: a green ring with a dot."""
    p = panel.view.project(point3)

    def command(ax):
        ax.plot([p[0]], [p[1]], marker="o", markersize=15, markerfacecolor="none", markeredgecolor=SPOT,
                markeredgewidth=2.2, linestyle="none")
        ax.plot([p[0]], [p[1]], marker="o", markersize=4, color=SPOT, linestyle="none")

    panel.draw(8, command, p)


def draw_arrow(panel: Panel, path3: np.ndarray, colour: str, label: str = "") -> None:
    """An arrow along a path in space (``(k, 3)``), the head at its end."""
    pts = panel.view.project(path3)

    def command(ax):
        from matplotlib.patches import FancyArrowPatch
        from matplotlib.path import Path

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


def layout_callouts(panel: Panel) -> tuple[float, float, float, float]:
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


# ---------------------------------------------------------------------------- the human figure

_EDGE_PT = 1.5  # points: the outline of the figure


def _pt(width_m: float) -> float:
    """A width in metres as a matplotlib line width (points) at the pictures' scale."""
    return width_m * SCALE * 72


def _layer_z(view: View, pieces, torso_depth: float) -> dict[str, float]:
    """The depth of each layer: arms behind the trunk under it, the others over it."""
    z = {"props": 0.5, "props_front_of_bed": 0.6, "core": 1.5, "face": 1.8, "helper": 5.6}
    by_layer: dict[str, list] = {}
    for p in pieces:
        by_layer.setdefault(p.layer, []).append(p.points)
    for layer, pts in by_layer.items():
        if layer.startswith("arm."):
            depth = float(view.depth(np.vstack(pts)).mean())
            base = 1.0 if depth < torso_depth - 0.03 else 3.0
            z[layer] = base + (0.05 if layer.endswith("_hand") else 0.0)
            if layer.endswith(".press_hand"):
                z[layer] = 5.5
    return z


def draw_person(panel: Panel, pieces) -> None:
    """The figure: each layer's pieces outlined as one (an outline pass, then the fill),
    face features only where they face the viewer, arms behind or in front of the trunk."""
    from ._views import convex_hull

    view = panel.view
    toward = view.toward_viewer
    torso = [p for p in pieces if p.name == "torso"]
    torso_depth = float(view.depth(torso[0].points).mean()) if torso else 0.0
    zs = _layer_z(view, pieces, torso_depth)
    layers: dict[str, list] = {}
    for p in pieces:
        least = -0.25 if p.name.startswith("ear") else (-0.3 if p.name in ("nose", "face") else 0.08)
        if p.facing is not None and float(np.dot(p.facing, toward)) < least:
            continue
        layers.setdefault(p.layer, []).append(p)
    for layer, items in layers.items():
        z = zs.get(layer, 3.0)
        if layer == "props":  # furniture between the viewer and the person is left out
            items = [p for p in items if p.name not in ("chair_back", "cushion")
                     or float(view.depth(p.points).mean()) < torso_depth + 0.12]
        for outline in (True, False):
            for p in items:
                pts3 = p.points
                if p.visible_only:
                    centre = pts3.mean(axis=0)
                    pts3 = pts3[(pts3 - centre) @ toward > -0.004]
                    if len(pts3) < 3:
                        continue
                pts = view.project(pts3)
                frames = layer not in ("props", "props_front_of_bed")
                if p.kind == "blob":
                    hull = convex_hull(pts)
                    if outline and not p.edge:
                        continue

                    def blob(ax, h=hull, p=p, outline=outline):
                        from matplotlib.patches import Polygon

                        if outline:
                            ax.add_patch(Polygon(h, closed=True, facecolor=p.edge, edgecolor=p.edge,
                                                 linewidth=_EDGE_PT * 1.4, joinstyle="round"))
                        else:
                            ax.add_patch(Polygon(h, closed=True, facecolor=p.fill, edgecolor="none"))

                    panel.draw(z + (0 if outline else 0.001), blob, hull, frames)
                elif p.kind == "tube":
                    lw = _pt(p.width)

                    def tube(ax, q=pts, p=p, lw=lw, outline=outline):
                        ax.plot(q[:, 0], q[:, 1], color=p.edge if outline else p.fill,
                                linewidth=lw + (2 * _EDGE_PT if outline else 0), solid_capstyle="round",
                                solid_joinstyle="round")

                    panel.draw(z + (0 if outline else 0.001), tube,
                               np.vstack([pts + [p.width / 2, 0], pts - [p.width / 2, 0],
                                          pts + [0, p.width / 2], pts - [0, p.width / 2]]), frames)
                elif not outline and p.kind == "line":
                    panel.draw(z + 0.002, lambda ax, q=pts, p=p: ax.plot(q[:, 0], q[:, 1], color=p.fill,
                                                                         linewidth=_pt(p.width) + 0.6,
                                                                         solid_capstyle="round"))
                elif not outline and p.kind == "dot":
                    panel.draw(z + 0.002, lambda ax, q=pts, p=p: ax.plot(q[:, 0], q[:, 1], marker="o", linestyle="none",
                                                                         markersize=_pt(p.width), color=p.fill))


def draw_faint_skeleton(panel: Panel, shapes: Sequence[Shape]) -> None:
    """The model's bones, faintly, inside the figure."""
    view = panel.view
    order = sorted((s for s in shapes if shown(s, view) and s.name not in ("nose", "skull", "jaw")),
                   key=lambda s: float(view.depth(s.points).mean()))
    for rank, shape in enumerate(order):
        pts = on_screen(shape, view)
        z = 2.0 + rank / (10 * len(order))
        kw = dict(edgecolor="#9c8577", linewidth=0.6, facecolor="#eddccf", alpha=0.55)
        if shape.style == "ball":
            def ball(ax, c=pts[0], r=shape.radius, kw=kw):
                from matplotlib.patches import Circle

                ax.add_patch(Circle(c, r, **kw))

            panel.draw(z, ball)
        elif shape.style in ("loop", "outline"):
            def plate(ax, p=pts, kw=kw):
                from matplotlib.patches import Polygon

                ax.add_patch(Polygon(p, closed=True, joinstyle="round", **kw))

            panel.draw(z, plate)
        else:
            panel.draw(z, lambda ax, p=pts: ax.plot(p[:, 0], p[:, 1], color="#9c8577", linewidth=0.8, alpha=0.6,
                                                    solid_capstyle="round"))


def draw_outline(panel: Panel, points3: np.ndarray, z: float = 3.5) -> None:
    """The silhouette of points in grey dashes (where the head was, upright)."""
    from ._views import convex_hull

    hull = convex_hull(panel.view.project(points3))

    def command(ax, h=hull):
        from matplotlib.patches import Polygon

        ax.add_patch(Polygon(h, closed=True, fill=False, edgecolor=NEUTRAL_EDGE, linewidth=NEUTRAL_LW,
                             linestyle=NEUTRAL_DASH))

    panel.draw(z, command, hull)


def wavy(pts: np.ndarray, amplitude: float = 0.0025, wavelength: float = 0.018) -> np.ndarray:
    """A screen path made gently wavy: a slack muscle."""
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    run = np.concatenate([[0.0], np.cumsum(seg)])
    if run[-1] < 1e-6:
        return pts
    s = np.linspace(0, run[-1], max(8, int(run[-1] / 0.003)))
    x = np.interp(s, run, pts[:, 0])
    y = np.interp(s, run, pts[:, 1])
    dx, dy = np.gradient(x), np.gradient(y)
    n = np.hypot(dx, dy)
    n[n == 0] = 1
    off = amplitude * np.sin(2 * np.pi * s / wavelength) * np.minimum(1, np.minimum(s, run[-1] - s) / 0.006)
    return np.stack([x - dy / n * off, y + dx / n * off], axis=-1)
