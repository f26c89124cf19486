"""The muscle card picture: a muscle (or a group) on the skeleton, from three sides."""

from __future__ import annotations

import numpy as np

from ._inputs import check_format, defaults, ends, members, muscle_name, place_name
from ._panels import Callout, Panel, draw_end, draw_muscle, draw_skeleton
from ._render import encode
from ._scene import Scene, skeleton
from ._style import CARD_COLOUR, INK
from ._views import VIEWS, midline_preference


def muscle_card_figure(muscle: str, side: str, fmt: str = "svg", body=None, kb=None) -> bytes:
    """A muscle on the skeleton, from the front, its own side and behind.

    The muscle follows its model path (every bundle); its origins (filled dots) and
    insertions (open dots) are labelled with their plain names. ``muscle`` may be a group
    (``scalenes``; its members are those of ``kb.expand``): they are drawn together.
    """
    check_format(fmt)
    body, kb = defaults(body, kb)
    drawn = members(body, kb, muscle, side)

    def build():
        scene = Scene(body, np.zeros(len(body.posture_variables)))
        shapes = skeleton(scene)
        paths = {f"{m}.{b}": p for m in drawn for b, p in body.muscle_paths(m, side, None).items()}
        muscle_points = np.vstack(list(paths.values()))
        panels = []
        for key in ("front", side, "back"):
            panel = Panel(VIEWS[key])
            panel.prefer = midline_preference(panel.view, muscle_points)
            draw_skeleton(panel, shapes)
            draw_muscle(panel, paths, CARD_COLOUR)
            for lid, is_origin in ends(body, drawn, side):
                point = scene.landmark(lid, side)
                draw_end(panel, point, CARD_COLOUR, origin=is_origin)
                panel.callouts.append(Callout(panel.view.project(point), place_name(kb, lid), INK))
            panels.append(panel)
        title = f"{side.capitalize()} {muscle_name(kb, muscle)}"
        caption = [
            "filled dot: where the muscle starts (origin)  ·  open dot: where it ends (insertion)  ·  "
            "bones in grey  ·  drawn from the relieve model, upright posture"
        ]
        return panels, title, caption

    return encode(build, fmt)
