"""A human figure around the model's bones: head with face, ears and hair, neck, upper
body, arms and hands, in one posture.

Every piece is built in the model's neutral frame from its own landmarks and carried by
the bone it belongs to (the head by the skull, the neck by the cervical vertebrae, the
shoulders by the shoulder blades), so the figure bends, turns and shrugs exactly as the
model does. The arms are not in the model: each is a two-segment limb from the shoulder
joint (``glenoid_center``) to a hand target, its elbow found by two-link inverse
kinematics toward a pole. Where the hands go comes from the plan's positions and steps
(``_sequence``); this module only builds the figure and its props (bed, pillow, chair,
armrest, table) as pieces in ground coordinates.

Ground frame (the model's): x forward, y up, z to the person's right; metres.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

from ._scene import Scene, _carrier, _neutral, _unit_sphere

UPPER_ARM, FOREARM = 0.29, 0.25  # metres, shoulder to elbow, elbow to wrist
_RIGHT = np.array([1.0, 1.0, 1.0])
_MIRROR = np.array([1.0, 1.0, -1.0])


@dataclass(frozen=True)
class Piece:
    """One piece of the figure in ground coordinates.

    ``kind``: ``"blob"`` (filled silhouette of the points), ``"tube"`` (a thick line of
    width ``width`` metres through the points, round ends), ``"line"`` (a thin stroke),
    ``"dot"``. ``layer``: pieces of one layer are outlined together (their outline is the
    outline of their union). ``facing``: a normal; the piece shows only in views it faces.
    """

    name: str
    kind: str
    points: np.ndarray
    layer: str
    width: float = 0.0
    fill: str = ""
    edge: str = ""
    facing: np.ndarray | None = None
    visible_only: bool = False  # a blob drawn from the points that face the viewer


@dataclass(frozen=True)
class Hand:
    """Where one hand goes: ``grip`` is ``"tips"`` (fingertips on ``point``), ``"palm"``
    (palm flat on ``point``, facing ``into``) or ``"rest"`` (the wrist at ``point``, fingers
    along ``fingers``, palm facing ``into``). ``pole``: the way the elbow points."""

    point: np.ndarray
    grip: str = "rest"
    into: np.ndarray = field(default_factory=lambda: np.array([0.0, -1.0, 0.0]))
    fingers: np.ndarray = field(default_factory=lambda: np.array([1.0, 0.0, 0.0]))
    pole: np.ndarray = field(default_factory=lambda: np.array([-0.3, -1.0, 0.3]))
    helper: bool = False


SKIN = "#f2d5bf"
SKIN_EDGE = "#8a6450"
HELPER_SKIN = "#d9a882"
HELPER_SLEEVE = "#7d8fa3"
HAIR = "#6e5644"
FEATURE = "#5b4334"
PROP = "#e6dccf"
PROP_EDGE = "#b7a68f"
PILLOW = "#eef1f6"


def _unit(v) -> np.ndarray:
    v = np.asarray(v, dtype=float)
    n = np.linalg.norm(v)
    return v / n if n > 1e-12 else v


# ---------------------------------------------------------------------------- the head


class Head:
    """The head's shape in the neutral frame, carried by the skull."""

    def __init__(self, body):
        nasion, eop, vertex, porion = (
            _neutral(body, k) for k in ("nasion", "external_occipital_protuberance", "vertex", "porion")
        )
        self.centre = np.array([(nasion[0] + eop[0]) / 2, porion[1] + 0.01, 0.0])
        self.radii = np.array([(nasion[0] - eop[0]) / 2 + 0.012, vertex[1] - porion[1] - 0.002, porion[2] + 0.012])
        self.nasion, self.porion = nasion, porion
        self.menton = _neutral(body, "menton")
        self.gonion = _neutral(body, "gonion")
        self.carrier = _carrier(body, "vertex")

    def skull_points(self) -> np.ndarray:
        pts = self.centre + _unit_sphere(15, 32) * self.radii
        keep = pts[:, 1] >= self.centre[1] - 0.45 * self.radii[1]
        n, m, g = self.nasion, self.menton, self.gonion
        face = [
            m + [0.008, -0.01, 0.0],
            m + [0.0, -0.006, 0.02],
            m + [0.0, -0.006, -0.02],
            [g[0] + 0.004, g[1] - 0.008, g[2] + 0.012],
            [g[0] + 0.004, g[1] - 0.008, -g[2] - 0.012],
            [n[0] + 0.004, n[1] - 0.09, 0.0],  # upper lip
            [n[0] - 0.01, n[1] - 0.07, 0.058],  # cheeks
            [n[0] - 0.01, n[1] - 0.07, -0.058],
        ]
        return np.vstack([pts[keep], np.array(face)])

    def hair_points(self) -> np.ndarray:
        """The top, back and sides of the head above the ears (the face is drawn over it)."""
        pts = self.centre + _unit_sphere(15, 32) * (self.radii + 0.004)
        rel = (pts - self.centre) / self.radii
        return pts[(rel[:, 1] > 0.05) | ((rel[:, 0] < -0.2) & (rel[:, 1] > -0.45))]

    def face_points(self) -> np.ndarray:
        """The face, from the chin to the hairline: drawn over the hair, so the hairline curves."""
        pts = self.centre + _unit_sphere(15, 32) * (self.radii + 0.006)
        rel = (pts - self.centre) / self.radii
        front = pts[(rel[:, 0] > 0.3 - 0.35 * np.clip(rel[:, 1], 0, 1)) & (rel[:, 1] < 0.62)
                    & (pts[:, 1] >= self.centre[1] - 0.45 * self.radii[1])]
        return np.vstack([front, self.skull_points()[-8:]])

    def pieces(self, scene: Scene) -> list[Piece]:
        fix = lambda p: scene.fixed(self.carrier, p)  # noqa: E731
        normal = lambda v: _unit(fix([self.centre + np.asarray(v)])[0] - fix([self.centre])[0])  # noqa: E731
        n = self.nasion
        out = [
            Piece("head", "blob", fix(self.skull_points()), "core", fill=SKIN, edge=SKIN_EDGE),
            Piece("hair", "blob", fix(self.hair_points()), "face", fill=HAIR, visible_only=True),
            Piece("face", "blob", fix(self.face_points()), "face", fill=SKIN, visible_only=True,
                  facing=normal([1, 0, 0])),
        ]
        # The nose: a wedge that stands out of the face in a side view.
        nose = np.array([
            n + [0.004, -0.004, 0.0], n + [0.03, -0.05, 0.0], n + [0.01, -0.062, 0.0],
            n + [0.012, -0.058, 0.013], n + [0.012, -0.058, -0.013],
        ])
        out.append(Piece("nose", "blob", fix(nose), "face", fill=SKIN, edge=SKIN_EDGE, facing=normal([1, 0, 0])))
        for s in (1.0, -1.0):
            eye = n + [-0.008, -0.014, 0.031 * s]
            out.append(Piece(f"eye{s:+.0f}", "dot", fix([eye]), "face", width=0.006, fill=FEATURE,
                             facing=normal([1, 0, 0.45 * s])))
            brow = np.array([n + [0.006, 0.004, 0.016 * s], n + [0.0, 0.008, 0.044 * s]])
            out.append(Piece(f"brow{s:+.0f}", "line", fix(brow), "face", width=0.003, fill=FEATURE,
                             facing=normal([1, 0, 0.4 * s])))
            p = self.porion
            t = np.linspace(0, 2 * np.pi, 18, endpoint=False)
            ear = np.stack([p[0] - 0.008 + 0.014 * np.cos(t), p[1] - 0.008 + 0.028 * np.sin(t),
                            (p[2] + 0.012 + 0.004 * (1 - np.cos(t))) * np.ones_like(t)], axis=-1)
            ear[:, 2] *= s
            out.append(Piece(f"ear{s:+.0f}", "blob", fix(ear), "face", fill=SKIN, edge=SKIN_EDGE,
                             facing=normal([0, 0, s])))
        mouth = np.array([n + [0.004, -0.097, 0.018], n + [0.01, -0.099, 0.0], n + [0.004, -0.097, -0.018]])
        out.append(Piece("mouth", "line", fix(mouth), "face", width=0.003, fill=FEATURE, facing=normal([1, 0, 0])))
        return out

    def surface_point(self, scene: Scene, direction_ground: np.ndarray, lift: float = 0.0) -> np.ndarray:
        """The point of the (posed) head's surface in a ground direction from its centre."""
        rot = scene._rot[self.carrier]
        d_local = rot.T @ _unit(direction_ground)
        r = 1.0 / np.sqrt(np.sum((d_local / self.radii) ** 2))
        return scene.fixed(self.carrier, [self.centre + d_local * (r + lift)])[0]

    def centre_now(self, scene: Scene) -> np.ndarray:
        return scene.fixed(self.carrier, [self.centre])[0]


# ---------------------------------------------------------------------------- neck and trunk


def _neck(scene: Scene) -> Piece:
    body = scene.body
    lm = scene.landmark
    skull = _carrier(body, "vertex")
    mast = (_neutral(body, "mastoid_process", "left") + _neutral(body, "mastoid_process", "right")) / 2
    pts = [scene.fixed(skull, [mast + [0.03, -0.005, 0.0]])[0]]
    pts.append((lm("c1_anterior_tubercle") + lm("c1_posterior_tubercle")) / 2 + [0.0, 0.0, 0.0])
    volumes = {o.name.removesuffix("_body"): o for o in body.obstacles}
    for v in ("c2", "c3", "c4", "c5", "c6", "c7", "t1"):
        if v in volumes:
            o = volumes[v]
            pts.append(scene.fixed(o.body, [np.asarray(o.centre) + [0.016, 0.0, 0.0]])[0])
    return Piece("neck", "tube", np.array(pts), "core", width=0.112, fill=SKIN, edge=SKIN_EDGE)


def _trunk(scene: Scene) -> list[Piece]:
    body = scene.body
    cage = next(s for s in body.surfaces if s.name == "scapulothoracic")
    c, r = np.asarray(cage.centre, dtype=float), np.asarray(cage.radii, dtype=float) + [0.02, 0.02, 0.022]
    pts = c + _unit_sphere(13, 24) * r
    pts = pts[(pts[:, 1] <= c[1] + 0.75 * r[1]) & (pts[:, 1] >= c[1] - 0.85 * r[1])]
    upper = pts[pts[:, 1] > -0.12]
    lower = pts[pts[:, 1] <= -0.12]
    t = np.linspace(0, 2 * np.pi, 24, endpoint=False)
    waist = np.stack([0.005 + 0.098 * np.cos(t), np.full_like(t, -0.52), 0.145 * np.sin(t)], axis=-1)
    base = np.stack([0.02 + 0.055 * np.cos(t), np.full_like(t, 0.035), 0.06 * np.sin(t)], axis=-1)
    torso = [scene.fixed("upper_thorax", np.vstack([upper, base])), scene.fixed("thorax", np.vstack([lower, waist]))]
    for side in ("left", "right"):
        acromion = _neutral(body, "acromion", side)
        lateral = np.array([0.0, 0.0, 0.014 if side == "right" else -0.014])
        ball = acromion + lateral + [-0.004, -0.036, 0.0] + _unit_sphere(7, 14) * 0.047
        torso.append(scene.fixed(_carrier(body, "acromion", side), ball))
    return [Piece("torso", "blob", np.vstack(torso), "core", fill=SKIN, edge=SKIN_EDGE)]


def shoulder_joint(scene: Scene, side: str) -> np.ndarray:
    """The centre of the shoulder joint (head of the arm bone), in the posture."""
    p = _neutral(scene.body, "glenoid_center", side) + [0.0, -0.005, 0.024 if side == "right" else -0.024]
    return scene.fixed(_carrier(scene.body, "glenoid_center", side), [p])[0]


# ---------------------------------------------------------------------------- arms and hands


def elbow(shoulder: np.ndarray, wrist: np.ndarray, pole: np.ndarray, l1: float = UPPER_ARM, l2: float = FOREARM):
    """The elbow of a two-link arm reaching from ``shoulder`` toward ``wrist``, bent toward
    ``pole``; the wrist is brought in to the arm's reach. Returns (elbow, wrist)."""
    d = wrist - shoulder
    n = float(np.linalg.norm(d))
    u = d / n if n > 1e-9 else np.array([0.0, -1.0, 0.0])
    n_c = min(max(n, abs(l1 - l2) + 0.02), 0.995 * (l1 + l2))
    a = (l1**2 - l2**2 + n_c**2) / (2 * n_c)
    h = np.sqrt(max(l1**2 - a**2, 0.0))
    p = pole - (pole @ u) * u
    if np.linalg.norm(p) < 1e-6:
        p = np.array([0.0, -1.0, 0.0]) - u[1] * u
    p = _unit(p)
    return shoulder + a * u + h * p, shoulder + n_c * u


def _hand_frame(hand: Hand, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(wrist, finger direction, palm normal) for a hand."""
    into = _unit(hand.into)
    if hand.grip == "tips":
        f = _unit(hand.fingers - (hand.fingers @ into) * into)
        return hand.point - f * 0.168 - into * 0.008, f, into
    if hand.grip == "palm":
        f = _unit(hand.fingers - (hand.fingers @ into) * into)
        return hand.point - into * 0.014 - f * 0.085, f, into
    f = _unit(hand.fingers - (hand.fingers @ into) * into)
    return hand.point, f, into


def hand_pieces(wrist: np.ndarray, f: np.ndarray, n: np.ndarray, side: str, layer: str, *,
                straight: bool = False, skin: str = SKIN) -> list[Piece]:
    """A hand: palm, four fingers and a thumb, from the wrist along ``f``, palm facing ``n``."""
    w = _unit(np.cross(n, f))
    thumb_side = -1.0 if side in ("right", "helper_right") else 1.0
    t = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = [(0.05 + 0.052 * np.cos(a), 0.038 * np.sin(a)) for a in t]
    palm = np.array([wrist + f * a + w * b + n * c for a, b in ring for c in (-0.014, 0.014)])
    out = [Piece(f"palm.{side}", "blob", palm, layer, fill=skin, edge=SKIN_EDGE)]
    curl = 0.0 if straight else 0.22
    for i, (off, length) in enumerate(((-0.028, 0.062), (-0.009, 0.075), (0.01, 0.072), (0.028, 0.058))):
        knuckle = wrist + f * 0.09 + w * off * thumb_side * -1
        mid = knuckle + f * length * 0.55 - n * length * curl * 0.3
        tip = mid + _unit(f - n * curl) * length * 0.45
        out.append(Piece(f"finger{i}.{side}", "tube", np.array([knuckle, mid, tip]), layer, width=0.017,
                         fill=skin, edge=SKIN_EDGE))
    base = wrist + f * 0.025 + w * 0.03 * thumb_side
    tip = base + f * 0.045 + w * 0.03 * thumb_side - n * 0.01
    out.append(Piece(f"thumb.{side}", "tube", np.array([base, tip]), layer, width=0.019, fill=skin, edge=SKIN_EDGE))
    return out


def arm_pieces(scene: Scene, side: str, hand: Hand, layer: str) -> tuple[list[Piece], np.ndarray]:
    """An arm of the person to a hand; returns (pieces, fingertip point)."""
    s = shoulder_joint(scene, side)
    wrist, f, n = _hand_frame(hand, side)
    e, wrist_reached = elbow(s, wrist, hand.pole)
    shift = wrist_reached - wrist
    pieces = [
        Piece(f"upper_arm.{side}", "tube", np.array([s, e]), layer, width=0.082, fill=SKIN, edge=SKIN_EDGE),
        Piece(f"forearm.{side}", "tube", np.array([e, wrist_reached]), layer, width=0.066, fill=SKIN, edge=SKIN_EDGE),
    ]
    pieces += hand_pieces(wrist_reached, f, n, side, layer + "_hand", straight=hand.grip == "tips")
    return pieces, hand.point + shift


def helper_pieces(hand: Hand, name: str) -> list[Piece]:
    """A helper's hand and forearm (in a sleeve), coming in from outside the person."""
    wrist, f, n = _hand_frame(hand, name)
    away = _unit(-_unit(hand.into) * 0.8 - f * 0.6)  # the forearm comes from outside the person
    return [
        Piece(f"sleeve.{name}", "tube", np.array([wrist + away * 0.17, wrist - f * 0.005]), "helper",
              width=0.062, fill=HELPER_SLEEVE, edge="#4f5e70"),
        *hand_pieces(wrist, f, n, name, "helper", straight=hand.grip == "tips", skin=HELPER_SKIN),
    ]


# ---------------------------------------------------------------------------- props


def box(lo, hi) -> np.ndarray:
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    return np.array([[x, y, z] for x in (lo[0], hi[0]) for y in (lo[1], hi[1]) for z in (lo[2], hi[2])])


def props(stance: str, supports: Sequence[str], arms: Mapping[str, str], scene: Scene, head: Head) -> list[Piece]:
    """The furniture a position needs: bed and pillow, chair back, armrest, table."""
    out = []
    if stance == "lying_back":
        back = -0.128
        out.append(Piece("bed", "blob", box([back - 0.12, -0.75, -0.45], [back, 0.45, 0.45]), "props",
                         fill=PROP, edge=PROP_EDGE))
        eop = scene.landmark("external_occipital_protuberance")
        top = min(eop[0] - 0.01, back + 0.12)
        out.append(Piece("pillow", "blob", box([back, 0.05, -0.25], [top, 0.42, 0.25]), "props_front_of_bed",
                         fill=PILLOW, edge=PROP_EDGE))
    elif stance.startswith("side_lying"):
        down = -1.0 if stance.endswith("left") else 1.0
        bed = 0.23 * down
        out.append(Piece("bed", "blob", box([-0.35, -0.75, bed], [0.45, 0.45, bed + 0.12 * down]), "props",
                         fill=PROP, edge=PROP_EDGE))
        ear = head.surface_point(scene, np.array([0.0, 0.0, down]))
        out.append(Piece("pillow", "blob", box([-0.12, 0.02, bed], [0.16, 0.36, ear[2] + 0.005 * down]),
                         "props_front_of_bed", fill=PILLOW, edge=PROP_EDGE))
    else:
        if any(s in ("sitting_chair", "sitting_headrest") for s in supports):
            top = 0.33 if "sitting_headrest" in supports else -0.02
            out.append(Piece("chair_back", "blob", box([-0.24, -0.62, -0.24], [-0.17, top, 0.24]), "props",
                             fill=PROP, edge=PROP_EDGE))
            if "sitting_headrest" in supports:
                eop = scene.landmark("external_occipital_protuberance")
                out.append(Piece("cushion", "blob", box([-0.17, eop[1] - 0.07, -0.1], [eop[0] - 0.008, eop[1] + 0.07, 0.1]),
                                 "props", fill=PILLOW, edge=PROP_EDGE))
        table = any(s.startswith("head_in_") or s == "forehead_on_cushions" for s in supports) or "forearms_on_table" in arms.values()
        if table:
            top = -0.24 if any(s.startswith("head_in_") for s in supports) else -0.32
            out.append(Piece("table", "blob", box([0.16, top - 0.04, -0.4], [0.7, top, 0.4]), "props",
                             fill=PROP, edge=PROP_EDGE))
            if "forehead_on_cushions" in supports:
                front = head.surface_point(scene, np.array([1.0, 0.35, 0.0]))
                out.append(Piece("cushions", "blob", box([front[0] + 0.004, -0.32, -0.12], [front[0] + 0.16, front[1] + 0.03, 0.12]),
                                 "props", fill=PILLOW, edge=PROP_EDGE))
        for side, pose in arms.items():
            z = 0.24 if side == "right" else -0.24
            if pose in ("high_armrest", "elbow_back_on_armrest", "push_elbow_down"):
                height = -0.31 if pose == "high_armrest" else -0.36
                out.append(Piece(f"armrest.{side}", "blob", box([-0.16, height - 0.05, z - 0.04], [0.3, height, z + 0.04]),
                                 "props", fill=PROP, edge=PROP_EDGE))
    return out


def resting_figure(scene: Scene) -> list[Piece]:
    """The figure sitting upright, hands resting on the thighs."""
    pieces = [_neck(scene)] + _trunk(scene) + Head(scene.body).pieces(scene)
    for side, s in (("left", -1.0), ("right", 1.0)):
        hand = Hand(np.array([0.26, -0.50, 0.15 * s]), fingers=np.array([1.0, 0.0, -0.2 * s]),
                    pole=np.array([-0.5, -1.0, 0.4 * s]))
        pieces += arm_pieces(scene, side, hand, f"arm.{side}")[0]
    return pieces
