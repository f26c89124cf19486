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


def draw_muscle(panel: Panel, paths: Mapping[str, np.ndarray], colour: str, width: float = 3.6) -> None:
    """Each bundle as a thick coloured line through its path points."""
    for pts3 in paths.values():
        pts = panel.view.project(pts3)
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
