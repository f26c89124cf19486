"""The model's geometry in one posture: landmarks, any point fixed to a bone, and the
skeleton built from the model's landmarks, bone volumes and rib-cage surface."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np

from ._inputs import defaults
from ._views import on_screen, shown, view_named


class Scene:
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


def skeleton(scene: Scene) -> list[Shape]:
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


def skeleton_2d(posture: Mapping[str, float] | None = None, view: str = "front", body=None) -> dict[str, np.ndarray]:
    """The skeleton as drawn in one view: shape name -> screen points ``(k, 2)``, metres.

    ``skull`` is the head's silhouette; bilateral pieces are named ``clavicle.left`` etc.
    """
    body, _ = defaults(body, None)
    scene = Scene(body, body.posture_array(posture))
    v = view_named(view)
    return {s.name: on_screen(s, v) for s in skeleton(scene) if shown(s, v)}
