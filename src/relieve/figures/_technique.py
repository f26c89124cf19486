"""The technique pictures: the neutral posture in grey dashes, the technique's posture
solid, the muscles in it, and arrows for the movement (or the push)."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..errors import UnknownNameError
from .._input import shown
from ._inputs import check_format, defaults, ends, members, muscle_name, place_name
from ._motion import arrows_for, best_track, check_arrows, choose_views, path_length, screen_length
from ._panels import (Callout, Panel, draw_arrow, draw_end, draw_faint_skeleton, draw_muscle, draw_person,
                      draw_skeleton, draw_spot)
from ._person import resting_figure
from ._render import encode
from ._scene import Scene, skeleton
from ._style import KINDS, MIN_TRAVEL, SPOT
from ._views import VIEWS, midline_preference

# The pieces a reader follows from the neutral posture to the target one (with the
# shoulder girdles).
_FOLLOWED = frozenset({"skull", "nose", "column", "c1"})


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
    follow from the variables that change (``choose_views``). A muscle may be a group
    (``scalenes``): its members are drawn in one colour.
    """
    check_format(fmt)
    if kind not in KINDS:
        raise UnknownNameError(f"no figure kind {shown(kind)}; known: {', '.join(KINDS)}", field="kind")
    body, kb = defaults(body, kb)
    style = KINDS[kind]
    posture = dict(posture or {})
    target = body.posture_array(posture)  # raises, naming an unknown variable
    muscle_list = [(m, s, members(body, kb, m, s)) for m, s in muscles]
    push = check_arrows(body, arrows)
    spots = []
    for i, (landmark, side) in enumerate(finger_spots):
        try:
            body.landmark_local(landmark, None if side == "midline" else side)
        except UnknownNameError as exc:
            raise UnknownNameError(exc.message, field=f"finger_spots[{i}]") from None
        spots.append((landmark, None if side == "midline" else side))
    views = choose_views(posture, [(m, s) for m, s, _ in muscle_list], kind=kind, arrows=arrows, body=body)

    def build():
        neutral_scene = Scene(body, np.zeros_like(target))
        scene = Scene(body, target)
        shapes = skeleton(scene)
        figure = resting_figure(scene)
        rest = {s.name: s for s in skeleton(neutral_scene)}
        # The neutral posture under the target one: only the pieces a reader follows (head,
        # the line of the neck, the shoulder girdles), and only where they moved.
        moved = [
            rest[s.name]
            for s in shapes
            if s.name in _FOLLOWED or s.part == "girdle"
            if np.abs(s.points - rest[s.name].points).max() > 0.001
        ]
        coloured = []
        for i, (m, side, drawn) in enumerate(muscle_list):
            colour = style.colours[i % len(style.colours)]
            paths = {f"{x}.{b}": p for x in drawn for b, p in body.muscle_paths(x, side, target[None, :]).items()}
            coloured.append((m, side, drawn, colour, paths))
        panels = []
        any_arrow = False
        for key in views:
            panel = Panel(VIEWS[key])
            all_muscle = [p for *_, paths in coloured for p in paths.values()]
            if all_muscle:
                panel.prefer = midline_preference(panel.view, np.vstack(all_muscle))
            draw_person(panel, figure)
            draw_faint_skeleton(panel, shapes)
            draw_skeleton(panel, moved, neutral=True)
            for m, side, drawn, colour, paths in coloured:
                draw_muscle(panel, paths, colour)
                for lid, is_origin in ends(body, drawn, side):
                    draw_end(panel, scene.landmark(lid, side), colour, origin=is_origin, size=5)
            for tracks, colour, label in arrows_for(body, target, push, panel.view):
                best = best_track(panel.view, tracks)
                if screen_length(panel.view, best) >= max(MIN_TRAVEL, 0.4 * path_length(best)):
                    draw_arrow(panel, best, colour, label)
                    any_arrow = True
            for landmark, side in spots:
                point = scene.landmark(landmark, side)
                draw_spot(panel, point)
                name = place_name(kb, landmark) + (f" ({side})" if body.landmark(landmark).bilateral else "")
                panel.callouts.append(Callout(panel.view.project(point), name, SPOT))
            panels.append(panel)
        names = [f"{side} {muscle_name(kb, m)}" for m, side, *_ in coloured]
        heading = title or (f"{style.title}: {', '.join(names)}" if names else style.title)
        changes = [
            f"{side} {muscle_name(kb, m)} {_signed(body.length_change_pct(m, side, posture))} %"
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

    return encode(build, fmt)


def _signed(value: float) -> str:
    """``+2.1`` / ``\u22129.5``: a typographic minus, which reads better than a hyphen."""
    return f"{value:+.1f}".replace("-", "\u2212")
