"""Movement: which views show a posture's movement, and the arrows that draw it.

The arrows are the paths that points fixed to the head, a shoulder blade or the chest
travel while the posture variables change. Which bone a variable moves, and its name
without its side, come from the facts table ``vocabulary.VARIABLES``.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..errors import UnknownNameError, ValidationError
from ..vocabulary import VARIABLES
from .._input import shown
from ._inputs import defaults, members, posture_variable, variable_bases
from ._style import KINDS, MOVE_ARROW, PUSH_LENGTH
from ._views import View

# Points fixed to a moving bone (``PostureVariable.bone``) where arrows are drawn, a
# little outside the bone so the arrow does not hide it: (landmark, offset in metres
# from it, neutral frame, right side).
_HANDLES: Mapping[str, tuple[tuple[str, tuple[float, float, float]], ...]] = {
    "head": (("vertex", (0.0, 0.035, 0.0)), ("nasion", (0.05, -0.02, 0.0))),
    "scapula": (("acromion", (0.0, 0.035, 0.01)), ("inferior_angle", (0.0, -0.03, 0.0))),
    "chest": (("jugular_notch", (0.045, 0.0, 0.0)),),
}
if set(_HANDLES) != {f.bone for f in VARIABLES.values()}:
    raise ValueError("figures: every bone a posture variable moves needs its handles")


def _mover(variable: str) -> tuple[str, str | None]:
    """Which bone a posture variable moves: (handle group, side)."""
    facts = posture_variable(variable)
    return facts.bone, facts.side


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


def screen_length(view: View, path3: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(view.project(path3), axis=0), axis=1).sum())


def path_length(path3: np.ndarray) -> float:
    return float(np.linalg.norm(np.diff(path3, axis=0), axis=1).sum())


def best_track(view: View, tracks: Sequence[np.ndarray]) -> np.ndarray:
    """The first handle whose path shows (nearly) as long as the longest on the screen."""
    lengths = [screen_length(view, t) for t in tracks]
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


# Which posture variables (without their side) each family of views shows: a movement
# arrow or a push arrow for a variable is drawn in the views that show it.
_CORONAL = variable_bases("neck_side_bend", "scapula_elevation", "scapula_upward_rotation", "scapula_retraction")
_SAGITTAL = variable_bases("neck_flexion", "head_nod", "thoracic_flexion")
_TRANSVERSE = variable_bases("neck_rotation", "scapula_retraction")
_SHOWN_BY: Mapping[str, frozenset[str]] = {
    "coronal": _CORONAL,
    "side": _SAGITTAL | variable_bases("scapula_elevation"),
    "top": _TRANSVERSE,
    "oblique": _CORONAL | _SAGITTAL | _TRANSVERSE,
}


def _view_shows(view: View, variable: str) -> bool:
    return posture_variable(variable).base in _SHOWN_BY[view.family]


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
    of the upper back -> from the side of the first muscle; rotation -> a three-quarter
    view from the front on the first muscle's side (the turned face reads there; a view
    from above does not).
    """
    body, kb = defaults(body, None)
    active = {v for v, x in posture.items() if x} | {v for v, s in (arrows or {}).items() if s}
    side = muscles[0][1] if muscles else "right"
    # (An unknown variable is refused below, after the muscles are checked.)
    scapular = any(VARIABLES[v].is_scapular for v in active if v in VARIABLES)
    coronal = "back" if scapular or kind == "repositioning" or _at_the_back(body, kb, muscles) else "front"
    wanted = {posture_variable(v).base for v in active}
    views: list[str] = []
    if wanted & _CORONAL or kind == "repositioning":
        views.append(coronal)
    if wanted & _SAGITTAL:
        views.append(side)
    if wanted & (_TRANSVERSE - _CORONAL):
        views.append(f"front_{side}")
    for extra in (coronal, side):
        if len(views) < 2 and extra not in views:
            views.append(extra)
    order = {"front": 0, "back": 0, "left": 1, "right": 1, "front_left": 2, "front_right": 2}
    return tuple(sorted(views, key=order.__getitem__))


def _at_the_back(body, kb, muscles: Sequence[tuple[str, str]]) -> bool:
    """Whether the muscles lie mostly behind the vertebral bodies (neutral posture)."""
    if not muscles:
        return True
    pts = np.vstack(
        [
            p
            for m, s in muscles
            for member in members(body, kb, m, s)
            for p in body.muscle_paths(member, s, None).values()
        ]
    )
    column = np.mean([o.centre[0] for o in body.obstacles])
    return bool(pts[:, 0].mean() < column)


def check_arrows(body, arrows: Mapping[str, int] | None) -> dict[str, int]:
    """Posture variable -> +1 / -1 (0 draws nothing)."""
    out = {}
    for variable, sign in (arrows or {}).items():
        if variable not in body.posture_variables:
            raise UnknownNameError(
                f"no posture variable {shown(variable)}; known: {', '.join(body.posture_variables)}",
                field=f"arrows.{variable}",
            )
        if isinstance(sign, bool) or sign not in (-1, 0, 1):
            raise ValidationError([(f"arrows.{variable}", f"must be -1, 0 or +1, got {shown(sign)}")])
        if sign:
            out[variable] = int(sign)
    return out


def arrows_for(
    body, target: np.ndarray, push: Mapping[str, int], view: View
) -> list[tuple[list[np.ndarray], str, str]]:
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
