"""Fit the shoulder girdle of the own model to the thoracoscapular model (issue 9).

Regenerates the fitted numbers of ``src/relieve/model/data/upper_body.yaml``: the joint
fractions of the clavicle and scapula bodies (their ``scale`` values, except the ones
that define what a posture variable means) and the attachment refinements of the
scapular muscles (``offset`` of a landmark, ``at`` of a via point on the scapula).

    PYTHONPATH=src python tools/fit_shoulder.py            # fit and report, file untouched
    PYTHONPATH=src python tools/fit_shoulder.py --write    # ... and write the numbers back

The reference, NeckAndShoulder.osim (Seth et al. 2019's thoracoscapular shoulder joined
to the Mortensen neck; with Mortensen2014_rigidTorso.osim for the neck rows), is read at run time from ``../shared/reference/opensim`` and
evaluated with OpenSim 4.6; nothing of it is copied into the repository. The matching of
postures is the one of ``bench/agreement.py`` (elevation and retraction by the spine
root's displacement, upward rotation degree for degree).

What is fixed, not fitted (the contract's meaning of the variables, section 1):
- ``scapula_elevation``: one degree of clavicular elevation at the SC joint;
- ``scapula_retraction``: one degree of clavicular retraction about the SC joint's
  vertical axis;
- ``scapula_upward_rotation``: one degree of rotation of the scapula in its own plane.
  The scapula's axis about its plane's normal has scale 1, and a heavy penalty holds the
  NET rotation of the medial border in the scapular plane (clavicle and AC joint
  together) at one degree per degree (-10, 20, 40 and 60 degrees, as the test). The
  reference's own coordinate turns its blade 0.99 degree per degree in its plane
  (measured below), so the two are compared degree for degree.

Least squares (Levenberg-Marquardt, numerical Jacobian) over:
- the percent length changes of the eight scapular muscle pairs at the nine matched
  postures of the bench (1 per percentage point, and 10 more per point beyond 6: the
  issue's target is every row within 8 pp; the wrap over the rib cage below is part of
  the lengths, computed by the engine's own ``_wrap_ellipsoid``);
- the neck rows of the bench (table (a), Mortensen2014_rigidTorso.osim read with the
  project's loader) of the levator scapulae and the upper trapezius, right side at the
  eight neck postures (1 per percentage point): the levator crosses the neck, and its
  origins (posterior tubercles) are fitted too;
- the displacement of the acromion, inferior angle and spine root against the
  reference's markers AA, AI and TS at the same postures (1 per 4 mm), and the inferior
  angle's lateral travel in upward rotation once more at 1 per mm (the test holds it
  within 25 % of the reference's);
- penalties: each scapular muscle-side inside -38 %..+48 % at every variable's range
  ends (the test's bound is -40/+50 %; full-range combinations are reported, not
  fitted: where they break the bound the cause lies elsewhere, e.g. the neck); the medial
  border within the limits of tests/test_own_model.py's chest-wall glide; a shrug
  raising the whole blade (angles and spine root 0.81-1.19 times the AC joint); attachments
  within 15 mm (each component) of their landmark, via points of their anatomical
  position; every point of a path that wraps over the rib cage and rides on the lower
  thorax or the blade, and the medial border, at least 1 mm outside the rib cage at
  every posture (OpenSim does not wrap a segment with an end inside the surface; the
  blade rests on serratus anterior over the ribs); the blade's attachments no deeper
  than 2 mm under the scapulothoracic surface it glides on; the inferior angle's
  lateral travel within 22 % of the reference's at 20 and 40 degrees of upward rotation
  (the test allows 25 %); a small pull toward the starting values. The medial border's
  travel at the range ends of retraction is reported, not fitted (see there).

A fast NumPy version of the shoulder chain is used inside the loop; before writing, the
result is checked against the engine (``load_own_model``) to 1e-9 m.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "src"))

MODEL_FILE = REPO / "src" / "relieve" / "model" / "data" / "upper_body.yaml"

# Free joint fractions: (body, index in its `axes` list).
FREE_AXES = [("clavicle", 1), ("clavicle", 2), ("clavicle", 4), ("clavicle", 5)] + [("scapula", i) for i in range(9)]
UPWARD_IN_PLANE = ("scapula", 9)  # scale 1: the meaning of the variable

# Free attachment points: (muscle, bundles sharing the value, index in the path).
FREE_POINTS = [
    ("upper_trapezius", ("occipital",), 2),
    ("upper_trapezius", ("nuchal",), 2),
    ("upper_trapezius", ("cervical",), 1),
    ("middle_trapezius", ("t1",), 1),
    ("middle_trapezius", ("t3",), 1),
    ("middle_trapezius", ("t3",), 2),
    ("lower_trapezius", ("t6", "t9", "t12"), 1),
    ("levator_scapulae", ("c1",), 0),
    ("levator_scapulae", ("c2",), 0),
    ("levator_scapulae", ("c3",), 0),
    ("levator_scapulae", ("c4",), 0),
    ("levator_scapulae", ("c1",), 1),
    ("levator_scapulae", ("c2",), 1),
    ("levator_scapulae", ("c3",), 1),
    ("levator_scapulae", ("c4",), 1),
    ("rhomboid_major", ("t2",), 1),
    ("rhomboid_major", ("t5",), 1),
    ("rhomboid_minor", ("c7",), 1),
    ("rhomboid_minor", ("t1",), 1),
    ("pectoralis_minor", ("rib3", "rib4", "rib5"), 0),
    ("pectoralis_minor", ("rib3", "rib4", "rib5"), 1),
]
# Anatomical positions of the via points on the scapula (before any fitting; gray):
# a fitted via point stays within 15 mm (each component) of these.
VIA_ANATOMY = {
    ("middle_trapezius", "t1", 1): [-0.062, -0.034, 0.095],
    ("middle_trapezius", "t3", 1): [-0.076, -0.074, 0.082],
}
REACH = 0.015  # metres, per component
RETRACTION_ENDS = (-25.0, 20.0)  # the range of scapula_retraction (the test checks it)
INFERIOR_ANGLE_AT_20 = 30.5  # mm out at 20 degrees at least (tests/test_own_model.py: 30)
OUTSIDE_MM = 1.0  # wrapped paths' points and the medial border outside the rib cage
BOUND = (-38.0, 48.0)  # margin inside the test's -40/+50 %
GLIDE = {  # variable: (lo, hi, limit mm) as tests/test_own_model.py
    "scapula_retraction_right": (-25, 20, 12.0),
    "scapula_upward_rotation_right": (-10, 20, 10.5),
    "scapula_elevation_right": (-10, 10, 15.0),
}
MEDIAL_BORDER = ["superior_angle", "medial_border_upper", "scapular_spine_root", "medial_border_lower", "inferior_angle"]
SHOULDER_BODIES = ("clavicle_r", "scapula_r")
REF_MARKERS = (("acromion", "AA"), ("inferior_angle", "AI"), ("scapular_spine_root", "TS"))


# ---------------------------------------------------------------- the model file as parameters


def _entry(doc, muscle, bundle, index):
    path = doc["muscles"][muscle]["bundles"][bundle]["path"]
    e = path[index]
    if isinstance(e, str):
        e = path[index] = {"landmark": e}
    return e


def get_params(doc) -> np.ndarray:
    x = [float(doc["bodies"][b]["axes"][i].get("scale", 1.0)) for b, i in FREE_AXES]
    for muscle, bundles, index in FREE_POINTS:
        e = _entry(doc, muscle, bundles[0], index)
        v = e.get("offset", [0.0, 0.0, 0.0]) if "landmark" in e else e["at"]
        x += [1000.0 * float(c) for c in v]  # millimetres
    return np.array(x)


def set_params(doc, x) -> None:
    k = 0
    for b, i in FREE_AXES:
        doc["bodies"][b]["axes"][i]["scale"] = float(x[k])
        k += 1
    for muscle, bundles, index in FREE_POINTS:
        v = [float(c) / 1000.0 for c in x[k : k + 3]]
        k += 3
        for bundle in bundles:
            e = _entry(doc, muscle, bundle, index)
            e["offset" if "landmark" in e else "at"] = v


def param_bounds(doc) -> tuple[np.ndarray, np.ndarray]:
    lo = [-1.0] * len(FREE_AXES)
    hi = [1.0] * len(FREE_AXES)
    for muscle, bundles, index in FREE_POINTS:
        e = _entry(doc, muscle, bundles[0], index)
        centre = np.zeros(3) if "landmark" in e else 1000.0 * np.array(VIA_ANATOMY[(muscle, bundles[0], index)])
        lo += list(centre - 1000 * REACH)
        hi += list(centre + 1000 * REACH)
    return np.array(lo), np.array(hi)


# ---------------------------------------------------------------- fast shoulder chain


def _rot(axis, angle):
    """(N,) angles about one unit axis -> (N, 3, 3)."""
    k = np.array([[0.0, -axis[2], axis[1]], [axis[2], 0.0, -axis[0]], [-axis[1], axis[0], 0.0]])
    s, c = np.sin(angle)[:, None, None], np.cos(angle)[:, None, None]
    return np.eye(3) + s * k + (1 - c) * (k @ k)


class FastShoulder:
    """The right shoulder girdle of a model document, evaluated with NumPy.

    Bodies other than the clavicle and scapula do not depend on the fitted numbers, so
    their poses at the sample postures come from the engine once (``base``)."""

    def __init__(self, doc, base, postures, variables):
        self.doc, self.base, self.postures, self.variables = doc, base, postures, list(variables)
        b = doc["bodies"]
        self.sc = np.array(b["clavicle"]["centre"], float)
        self.ac = np.array(b["scapula"]["centre"], float)
        self.lm = {k: (v["body"], np.array(v["at"], float)) for k, v in doc["landmarks"].items()}
        self.origin = {"upper_thorax": np.array(b["upper_thorax"]["centre"], float)}
        self._frames = {}

    def _axes(self, body):
        out = []
        for ax in self.doc["bodies"][body]["axes"]:
            a = ax["axis"]
            if isinstance(a, dict):
                p = [self.lm[n][1] for n in a["normal_to"]]
                a = np.cross(p[1] - p[0], p[2] - p[0])
            a = np.array(a, float)
            out.append((a / np.linalg.norm(a), ax["coordinate"], float(ax.get("scale", 1.0))))
        return out

    def poses(self):
        """Ground rotation and origin of clavicle_r and scapula_r at every posture."""
        n = len(self.postures)
        rad = {c: np.deg2rad(self.postures[:, self.variables.index(c + "_right")]) for c in
               ("scapula_elevation", "scapula_retraction", "scapula_upward_rotation")}
        out = {}
        r_ut, p_ut = self.base["upper_thorax"]
        r = r_ut.copy()
        p = p_ut + np.einsum("nij,j->ni", r_ut, self.sc - self.origin["upper_thorax"])
        for a, coord, scale in self._axes("clavicle"):
            r = r @ _rot(a, scale * rad[coord])
        out["clavicle_r"] = (r, p)
        p2 = p + np.einsum("nij,j->ni", r, self.ac - self.sc)
        r2 = r.copy()
        for a, coord, scale in self._axes("scapula"):
            r2 = r2 @ _rot(a, scale * rad[coord])
        out["scapula_r"] = (r2, p2)
        assert r.shape[0] == n
        return out

    def _origin_of(self, body):
        if body == "clavicle_r":
            return self.sc
        if body == "scapula_r":
            return self.ac
        return None

    def point(self, poses, body, at):
        """Ground positions (N, 3) of a point given in the neutral ground frame."""
        eb = body + "_r" if body in ("clavicle", "scapula") else body
        if eb in poses:
            r, p = poses[eb]
            return np.einsum("nij,j->ni", r, at - self._origin_of(eb)) + p
        r, p = self.base[eb]
        return np.einsum("nij,j->ni", r, at - self.base_origin[eb]) + p

    def landmark(self, poses, lid):
        body, at = self.lm[lid]
        return self.point(poses, body, at)

    def bundle_lengths(self, poses, muscle):
        out = []
        for label, spec in self.doc["muscles"][muscle]["bundles"].items():
            pts = np.stack([self.path_point(poses, e) for e in spec["path"]], axis=1)
            length = np.linalg.norm(np.diff(pts, axis=1), axis=2).sum(axis=1)
            wrap = spec.get("wrap", self.doc["muscles"][muscle].get("wrap"))
            out.append(length + self.wrap_extra(pts, wrap) if wrap else length)
        return np.stack(out, axis=1)  # (N, bundles)

    def surface_frame(self, name):
        """Centre (N, 3), axes (N, 3, 3) and radii of a surface (its right side, as the
        loader read it into ``self.surfaces``) at every posture. Surfaces ride on trunk
        bodies, which do not depend on the fitted numbers: computed once."""
        if name not in self._frames:
            e = self.surfaces[name]
            r, p = self.base[e.body]
            centre = np.einsum("nij,j->ni", r, np.array(e.centre) - self.base_origin[e.body]) + p
            self._frames[name] = (centre, r @ np.array(e.axes), np.array(e.radii))
        return self._frames[name]

    def depth_mm(self, pts, surface):
        """How far points (N, ..., 3), row n at posture n, lie inside ``surface`` (mm
        along its smallest radius; ``Ellipsoid.depth``): > 0 inside."""
        e = self.surfaces[surface]
        r, p = self.base[e.body]
        return e.depth(pts, r, p, self.base_origin[e.body]) * 1000.0

    def wrapped_paths(self, poses):
        """(surface, points (N, P, 3)) of every wrapped bundle of the shoulder muscles."""
        out = []
        for muscle, mspec in self.doc["muscles"].items():
            for spec in mspec.get("bundles", {}).values():
                wrap = spec.get("wrap", mspec.get("wrap"))
                if wrap:
                    body = self.surfaces[wrap].body
                    keep = [e for e in spec["path"] if self._riding(e) in (body, "scapula", "clavicle")]
                    out.append((wrap, np.stack([self.path_point(poses, e) for e in keep], axis=1)))
        return out

    def _riding(self, e):
        """The body a path point rides on (points on another trunk body, e.g. the upper
        ribs in thoracic flexion, move against the surface whatever is fitted)."""
        return self._where(e)[0]

    def _where(self, e):
        """(body, neutral position) of a path entry: a landmark (with its offset) or a
        via point."""
        if isinstance(e, str):
            e = {"landmark": e}
        if "landmark" in e:
            body, at = self.lm[e["landmark"]]
            return body, at + np.array(e.get("offset", [0, 0, 0]), float)
        return e["body"], np.array(e["at"], float)

    def path_point(self, poses, e):
        return self.point(poses, *self._where(e))

    def wrap_extra(self, pts, surface):
        """What wrapping over ``surface`` adds to paths ``pts`` (N, P, 3): the engine's
        rule (the segment whose wrap adds least wraps; OpenSim's WrapEllipsoid)."""
        centre, axes, radii = self.surface_frame(surface)
        local = np.einsum("nji,npj->npi", axes, pts - centre[:, None, :])
        return _wrap_extra(np.ascontiguousarray(local), radii)


def _wrap_extra(local, radii):
    """Per path (N, P, 3 points in the ellipsoid's frame): the least length a wrapping
    segment adds, 0 where none wraps. Runs the engine's own ``_wrap_ellipsoid``."""
    global _WRAP_BATCH
    if _WRAP_BATCH is None:
        from numba import njit

        from relieve.model import _kernel

        _kernel.jit_implementation("tools/fit_shoulder.py")
        wrap = _kernel._wrap_ellipsoid

        @njit(cache=False)
        def batch(local, a, b, c):
            out = np.zeros(local.shape[0])
            info = np.empty(12)
            for n in range(local.shape[0]):
                best = np.inf
                for k in range(local.shape[1] - 1):
                    x1, y1, z1 = local[n, k, 0], local[n, k, 1], local[n, k, 2]
                    x2, y2, z2 = local[n, k + 1, 0], local[n, k + 1, 1], local[n, k + 1, 2]
                    w = wrap(x1, y1, z1, x2, y2, z2, a, b, c, info)
                    if w >= 0.0:
                        extra = w - np.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2 + (z2 - z1) ** 2)
                        if extra < best:
                            best = extra
                if best < np.inf:
                    out[n] = best
            return out

        _WRAP_BATCH = batch
    return _WRAP_BATCH(local, float(radii[0]), float(radii[1]), float(radii[2]))


_WRAP_BATCH = None


# ---------------------------------------------------------------- the reference


def reference_tables():
    """The reference evaluated on grids of its elevation and abduction and at the three
    upward rotations of the bench: spine-root displacement, percent length changes of
    the paired muscles, marker displacements (metres)."""
    import agreement as A
    from _common import reference

    path = reference("NeckAndShoulder.osim")
    if path is None:
        raise SystemExit("../shared/reference/opensim/NeckAndShoulder.osim is absent: nothing to fit to")
    ref = A._OpenSimShoulder(path)
    marker = ref.marker

    def snapshot():
        pct = [float(np.mean([100.0 * (ref.length(m) / ref.neutral[m] - 1.0) for m in rm])) for _, _, rm in A.SHOULDER_PAIRS]
        return ref.root_point(), np.array(pct), {m: marker(m) for _, m in REF_MARKERS}

    ref.set_scapula({})
    root0, _, mk0 = snapshot()
    tables = {}
    for coord, grid in (("scapula_elevation", np.linspace(-0.3, 0.6, 91)), ("scapula_abduction", np.linspace(-1.0, 1.0, 101))):
        rows = []
        for d in grid:
            ref.set_scapula({coord: d})
            root, pct, mk = snapshot()
            rows.append((root - root0, pct, np.array([mk[m] - mk0[m] for _, m in REF_MARKERS])))
        tables[coord] = (grid, np.array([r[0] for r in rows]), np.array([r[1] for r in rows]), np.array([r[2] for r in rows]))
    upward = {}
    for deg in sorted({d for _, v, d in A.SHOULDER_POSTURES if "upward" in v}):
        ref.set_scapula({"scapula_upward_rot": np.deg2rad(deg)})
        _, pct, mk = snapshot()
        upward[deg] = (pct, np.array([mk[m] - mk0[m] for _, m in REF_MARKERS]))
    # The reference's own in-plane rotation per degree of its coordinate (AI-TS line in
    # the plane of AI, TS, AA).
    ref.set_scapula({})
    p0 = {m: marker(m) for m in ("AI", "TS", "AA")}
    normal = np.cross(p0["TS"] - p0["AI"], p0["AA"] - p0["AI"])
    normal /= np.linalg.norm(normal)
    ref.set_scapula({"scapula_upward_rot": np.deg2rad(40.0)})
    p1 = {m: marker(m) for m in ("AI", "TS")}
    ref.set_scapula({})
    in_plane = abs(_plane_angle(p0["AI"] - p0["TS"], p1["AI"] - p1["TS"], normal)) / 40.0
    # The medial border's travel away from the spine (TS, + out) at the range ends of
    # scapula_retraction, matched by clavicular swing as tests/test_model_physiology.py.
    ts_travel = {}
    for deg in RETRACTION_ENDS:
        ref.set_clavicle_swing(-deg)  # our + is retraction, its clav_prot + is protraction
        ts_travel[deg] = float(marker("TS")[2] - p0["TS"][2])
    ref.set_scapula({})
    return tables, upward, in_plane, ts_travel


# The neck rows of the bench (table (a)) for the muscles fitted here, right side: the
# levator scapulae and the upper trapezius also cross the neck, and the Mortensen/Vasavada
# model (read with the project's own loader) gives their length changes there.
NECK_MUSCLES = [("levator_scapulae", None, "levator_scap"), ("upper_trapezius", "occipital", "trap_cl"),
                ("upper_trapezius", "cervical", "trap_acr")]


def neck_reference():
    import agreement as A
    from _common import reference
    from relieve.model import load_model

    path = reference("Mortensen2014_rigidTorso.osim")
    if path is None:
        raise SystemExit("../shared/reference/opensim/Mortensen2014_rigidTorso.osim is absent")
    ref = load_model(path)
    names = list(ref.muscle_names)
    q0 = ref.default_q()
    neutral = ref.muscle_lengths(q0[None, :])[0]
    out = []
    for label, ours, ref_deg in A.NECK_POSTURES:
        q = q0.copy()
        for coord, deg in ref_deg.items():
            q[ref.coordinate_names.index(coord)] = np.deg2rad(deg)
        pct = 100.0 * (ref.muscle_lengths(q[None, :])[0] / neutral - 1.0)
        out.append((label, ours, [float(pct[names.index(r)]) for _, _, r in NECK_MUSCLES]))
    return out


def _plane_angle(a0, a1, normal):
    a0 = a0 - (a0 @ normal) * normal
    a1 = a1 - (a1 @ normal) * normal
    return float(np.rad2deg(np.arctan2(np.cross(a0, a1) @ normal, a0 @ a1)))


def _interp(grid_disp, values, target):
    """Values at the grid point where the (monotonic) displacement equals target."""
    order = np.argsort(grid_disp)
    g = grid_disp[order]
    v = values[order]
    if v.ndim == 1:
        return np.interp(target, g, v)
    flat = v.reshape(len(g), -1)
    return np.array([np.interp(target, g, flat[:, j]) for j in range(flat.shape[1])]).reshape(v.shape[1:])


# ---------------------------------------------------------------- the objective


class Problem:
    def __init__(self, doc, tables, upward, neck=(), ts_travel=None, n_random=300, seed=0):
        import agreement as A
        from relieve.model import load_own_model

        self.A = A
        self.doc = doc
        self.tables, self.upward, self.ts_travel = tables, upward, ts_travel
        body = load_own_model(MODEL_FILE)
        self.variables = list(body.posture_variables)
        v = self.variables
        # Postures: the bench's nine, then single-variable sweeps for the glide, then
        # random and corner postures of the whole normal range for the bound.
        rows = [np.zeros(len(v))]  # row 0: neutral
        for _, var, deg in A.SHOULDER_POSTURES:
            p = np.zeros(len(v))
            p[v.index(var)] = deg
            rows.append(p)
        self.glide_rows = {}
        for var, (lo, hi, _) in GLIDE.items():
            start = len(rows)
            for val in np.linspace(lo, hi, 10):
                p = np.zeros(len(v))
                p[v.index(var)] = val
                rows.append(p)
            self.glide_rows[var] = slice(start, len(rows))
        self.neck = list(neck)
        self.neck_start = len(rows)
        for _, ours, _ in self.neck:
            p = np.zeros(len(v))
            for var, deg in ours.items():
                p[v.index(var)] = deg
            rows.append(p)
        self.shrug_row = len(rows)
        p = np.zeros(len(v))
        p[v.index("scapula_elevation_right")] = 20.0
        rows.append(p)
        self.in_plane_rows = {}
        for deg in (-10.0, 20.0, 40.0, 60.0):  # as tests/test_model_physiology.py
            p = np.zeros(len(v))
            p[v.index("scapula_upward_rotation_right")] = deg
            self.in_plane_rows[deg] = len(rows)
            rows.append(p)
        rng = np.random.default_rng(seed)
        lo = np.array([body.ranges[x][0] for x in v])
        hi = np.array([body.ranges[x][1] for x in v])
        self.ends_start = len(rows)
        for var in v:  # every single-variable range end
            for end in (lo, hi):
                p = np.zeros(len(v))
                p[v.index(var)] = end[v.index(var)]
                rows.append(p)
        self.bound_start = len(rows)
        rows += list(lo + (hi - lo) * rng.random((n_random, len(v))))
        rows += list(np.where(rng.integers(0, 2, (n_random, len(v))) == 1, hi, lo))
        self.postures = np.array(rows)
        base = body.body_poses(self.postures)
        self.fast = FastShoulder(doc, base, self.postures, v)
        self.fast.base_origin = {b: np.array(body._origins[b]) for b in base}
        self.fast.surfaces = {e.name: e for e in body.surfaces if e.side in (None, "right")}
        self.muscles = sorted({m for m, _, _ in A.SHOULDER_PAIRS})
        self.x0 = get_params(doc)
        self.lo, self.hi = param_bounds(doc)

    def residuals(self, x, detail=False):
        A = self.A
        set_params(self.doc, x)
        fast = self.fast
        poses = fast.poses()
        res, info = [], {}
        pct = {}
        for m in self.muscles:
            lengths = fast.bundle_lengths(poses, m)
            pct[m] = lengths / lengths[0] * 100.0 - 100.0
        root = fast.landmark(poses, "scapular_spine_root")
        root0 = self._neutral_point("scapular_spine_root")
        rows = []
        for k, (label, var, deg) in enumerate(A.SHOULDER_POSTURES, start=1):
            moved = root[k] - root0
            if "elevation" in var:
                g, disp, refpct, refmk = self.tables["scapula_elevation"]
                t = moved[1]
                ref_pct = _interp(disp[:, 1], refpct, t)
                ref_mk = _interp(disp[:, 1], refmk, t)
            elif "retraction" in var:
                g, disp, refpct, refmk = self.tables["scapula_abduction"]
                t = -moved[2]
                ref_pct = _interp(-disp[:, 2], refpct, t)
                ref_mk = _interp(-disp[:, 2], refmk, t)
            else:
                ref_pct, ref_mk = self.upward[deg]
            for j, (muscle, bundle, _) in enumerate(A.SHOULDER_PAIRS):
                labels = list(self.doc["muscles"][muscle]["bundles"])
                ours = pct[muscle][k, labels.index(bundle)] if bundle else pct[muscle][k].mean()
                res.append(ours - ref_pct[j])
                # The target is every row within 8 pp: rows past 6 pp weigh more.
                res.append(10.0 * max(abs(ours - ref_pct[j]) - 6.0, 0.0))
                rows.append((muscle + (f".{bundle}" if bundle else ""), label, ours, ref_pct[j]))
            for i, (ours_lm, _) in enumerate(REF_MARKERS):
                d = fast.landmark(poses, ours_lm)[k] - self._neutral_point(ours_lm)
                res += list((d - ref_mk[i]) * 1000.0 / 4.0)
                if ours_lm == "inferior_angle" and "upward" in var:
                    # The inferior angle's lateral travel (tests/test_model_physiology.py
                    # holds it within 25 % of the reference's): 1 per mm.
                    res.append((d[2] - ref_mk[i][2]) * 1000.0)
                    # ... and within 22 % of it (the test: 25 %), at least 30.5 mm out at 20
                    # degrees (tests/test_own_model.py: 30 mm): 10 per mm outside that.
                    out_mm, ref_mm = d[2] * 1000.0, ref_mk[i][2] * 1000.0
                    low = INFERIOR_ANGLE_AT_20 if deg == 20.0 else 0.0
                    res.append(10.0 * (max(max(low, 0.78 * ref_mm) - out_mm, 0.0) + max(out_mm - 1.22 * ref_mm, 0.0)))
        info["rows"] = rows
        neck_rows = []
        for i, (label, _, ref_pct) in enumerate(self.neck):
            k = self.neck_start + i
            for j, (muscle, bundle, _) in enumerate(NECK_MUSCLES):
                labels = list(self.doc["muscles"][muscle]["bundles"])
                ours = pct[muscle][k, labels.index(bundle)] if bundle else pct[muscle][k].mean()
                res.append(ours - ref_pct[j])
                if muscle == "levator_scapulae" and label == "rotation +30":
                    # Turning toward its side shortens it (a primary action in
                    # anatomy/data/muscles.yaml; tests/test_derived_actions.py wants at least
                    # 1 % at the 35-degree probe; the reference: -0.4 % at 30): keep at
                    # least 1.3 % of shortening at 30 degrees.
                    res.append(30.0 * max(ours + 1.3, 0.0))
                neck_rows.append((muscle + (f".{bundle}" if bundle else ""), label, ours, ref_pct[j]))
        info["neck_rows"] = neck_rows
        n_fit = len(res)
        # The meaning of upward rotation: one degree in the scapular plane per degree.
        normal = self._normal()
        a0 = self._neutral_point("inferior_angle") - self._neutral_point("superior_angle")
        ia, sa = fast.landmark(poses, "inferior_angle"), fast.landmark(poses, "superior_angle")
        info["in_plane"] = {}
        for deg, k in self.in_plane_rows.items():
            ang = _plane_angle(a0, ia[k] - sa[k], normal)
            info["in_plane"][deg] = ang
            res.append(30.0 * (ang - deg))
        # A shrug carries the whole blade up the chest wall: the angles and the spine
        # root rise 0.81-1.19 times as much as the AC joint (the test allows 0.8-1.2).
        k = self.shrug_row
        ac = fast.landmark(poses, "acromioclavicular_joint")[k, 1] - self._neutral_point("acromioclavicular_joint")[1]
        for lid in ("inferior_angle", "superior_angle", "scapular_spine_root"):
            rise = fast.landmark(poses, lid)[k, 1] - self._neutral_point(lid)[1]
            res.append(100.0 * (max(0.81 * ac - rise, 0.0) + max(rise - 1.19 * ac, 0.0)) / 0.01)
        # Glide on the chest wall.
        chest_wall = fast.surfaces["scapulothoracic"]
        for var, (lo, hi, limit) in GLIDE.items():
            sl = self.glide_rows[var]
            for lid in MEDIAL_BORDER:
                gap = chest_wall.gap(fast.landmark(poses, lid)[sl]) * 1000
                res += list(20.0 * np.maximum(np.abs(gap) - limit, 0.0))
        # Wrapping works only where the path's points lie outside the surface (OpenSim
        # does not wrap a segment with an end inside): every point of a wrapped path,
        # and the medial border, at least 2 mm outside the rib cage at every posture.
        info["inside"] = 0.0
        for surface, pts in fast.wrapped_paths(poses):
            d = fast.depth_mm(pts, surface)
            info["inside"] = max(info["inside"], float(d.max()))
            res += list(20.0 * np.maximum(d + OUTSIDE_MM, 0.0).max(axis=0))
        border = np.stack([fast.landmark(poses, lid) for lid in MEDIAL_BORDER], axis=1)
        d = fast.depth_mm(border, "rib_cage")
        info["border_inside"] = float(d.max())
        res += list(20.0 * np.maximum(d + OUTSIDE_MM, 0.0).max(axis=0))
        # The medial border's travel at the range ends of retraction, against the
        # reference's TS (reported, not fitted: held at 0.78 of it or more at 10 per mm,
        # it stayed at 0.72 / 0.76 and rhomboid major went 9.6 pp off in protraction).
        info["ts_travel"] = {}
        var = self.variables.index("scapula_retraction_right")
        for deg in RETRACTION_ENDS:
            k = self.ends_start + 2 * var + (0 if deg < 0 else 1)
            ours = (root[k] - root0)[2]
            theirs = self.ts_travel[deg]
            info["ts_travel"][deg] = (ours, theirs)
        # An attachment on the blade lies no deeper than its deep surface, which glides
        # on the scapulothoracic surface (2 mm tolerance, at neutral).
        on_blade = []
        for mspec in self.doc["muscles"].values():
            for spec in mspec.get("bundles", {}).values():
                on_blade += [fast.path_point(poses, e) for e in spec["path"] if fast._riding(e) == "scapula"]
        d = fast.depth_mm(np.stack(on_blade, axis=1), "scapulothoracic")[0]
        info["blade_attachments_inside"] = float(d.max())
        res += list(20.0 * np.maximum(d - 2.0, 0.0))
        # The bound at every single variable's range ends (muscle-side means, as the
        # test). Combinations (corners) are reported, not fitted: see the module doc.
        info["extremes"] = {}
        for m in self.muscles:
            ends = pct[m][self.ends_start : self.bound_start].mean(axis=1)
            over = np.maximum(ends - BOUND[1], 0.0) + np.maximum(BOUND[0] - ends, 0.0)
            res += list(over)
            mean = pct[m][self.ends_start :].mean(axis=1)
            info["extremes"][m] = (float(mean.min()), float(mean.max()))
        # A small pull toward the start.
        res += list(0.1 * (x - self.x0) / np.where(np.arange(len(x)) < len(FREE_AXES), 0.1, 5.0))
        res = np.array(res)
        if detail:
            info["n_fit"] = n_fit
            return res, info
        return res

    def _neutral_point(self, lid):
        return self.fast.lm[lid][1]

    def _normal(self):
        lm = self.fast.lm
        p = [lm[n][1] for n in ("inferior_angle", "acromioclavicular_joint", "superior_angle")]
        n = np.cross(p[1] - p[0], p[2] - p[0])
        return n / np.linalg.norm(n)


def fit(problem, x, iterations=40):
    lam = 1e-2
    r = problem.residuals(x)
    cost = r @ r
    for it in range(iterations):
        jac = np.empty((len(r), len(x)))
        for i in range(len(x)):
            h = 1e-5 if i < len(FREE_AXES) else 1e-3
            xp = x.copy()
            xp[i] += h
            jac[:, i] = (problem.residuals(xp) - r) / h
        jtj, jtr = jac.T @ jac, jac.T @ r
        improved = False
        for _ in range(10):
            step = np.linalg.solve(jtj + lam * np.diag(np.diag(jtj) + 1e-9), -jtr)
            xn = np.clip(x + step, problem.lo, problem.hi)
            rn = problem.residuals(xn)
            if rn @ rn < cost:
                x, r, cost, lam, improved = xn, rn, rn @ rn, lam / 3, True
                break
            lam *= 4
        print(f"  iteration {it + 1}: cost {cost:.2f}, lambda {lam:.1e}", flush=True)
        if not improved or np.linalg.norm(step) < 1e-6:
            break
    return x


# ---------------------------------------------------------------- writing back


def _fmt(v: float, digits: int) -> str:
    s = f"{v:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def write_back(doc) -> None:
    """Replace the fitted numbers in the file's text, leaving every comment in place."""
    lines = MODEL_FILE.read_text(encoding="utf-8").splitlines(keepends=True)

    def find(start_pattern, within_indent, after=0):
        for i in range(after, len(lines)):
            if re.match(start_pattern, lines[i]):
                return i
        raise SystemExit(f"cannot find {start_pattern!r} in the model file")

    bodies = find(r"^bodies:", 0)
    for body in ("clavicle", "scapula"):
        b = find(rf"^  {body}:\s*$", 2, bodies)
        axes_line = find(r"^    axes:", 4, b)
        k, i = 0, axes_line + 1
        while k < len(doc["bodies"][body]["axes"]):
            if lines[i].lstrip().startswith("- {axis:"):
                ax = doc["bodies"][body]["axes"][k]
                if (body, k) in FREE_AXES:
                    line = re.sub(r",\s*scale:\s*[-0-9.e]+", "", lines[i].rstrip("\n"))
                    line = re.sub(r"}\s*$", f", scale: {_fmt(ax['scale'], 3)}}}", line)
                    lines[i] = line + "\n"
                k += 1
            i += 1
    muscles = find(r"^muscles:", 0)
    for muscle, bundles, index in FREE_POINTS:
        m = find(rf"^  {muscle}:\s*$", 2, muscles)
        for bundle in bundles:
            b = find(rf"^      {bundle}:", 6, m)
            p = find(r"^        path:", 8, b)
            e = _entry(doc, muscle, bundle, index)
            i = p + 1 + index
            if "landmark" in e:
                text = f"          - {{landmark: {e['landmark']}, offset: [{', '.join(_fmt(c, 4) for c in e['offset'])}]}}\n"
            else:
                text = f"          - {{via: {e['via']}, body: {e['body']}, at: [{', '.join(_fmt(c, 4) for c in e['at'])}]}}\n"
            if not lines[i].startswith("          - "):
                raise SystemExit(f"muscles.{muscle}.{bundle}: expected one path point a line")
            lines[i] = text
    MODEL_FILE.write_text("".join(lines), encoding="utf-8")


def check_against_engine(problem) -> float:
    """Largest difference (m) between the fast chain and the engine's bundle lengths."""
    from relieve.model import load_own_model

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upper_body.yaml"
        path.write_text(yaml.safe_dump(problem.doc, sort_keys=False), encoding="utf-8")
        body = load_own_model(path)
    lengths = body.bundle_lengths(problem.postures)
    poses = problem.fast.poses()
    worst = 0.0
    for m in problem.muscles:
        fast = problem.fast.bundle_lengths(poses, m)
        cols = [body.model.muscle_names.index(n) for n in body.bundles(m, "right")]
        worst = max(worst, float(np.abs(fast - lengths[:, cols]).max()))
    return worst


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--write", action="store_true", help="write the fitted numbers into the model file")
    ap.add_argument("--iterations", type=int, default=150)
    args = ap.parse_args()
    doc = yaml.safe_load(MODEL_FILE.read_text(encoding="utf-8"))
    if float(doc["bodies"][UPWARD_IN_PLANE[0]]["axes"][UPWARD_IN_PLANE[1]].get("scale", 1.0)) != 1.0:
        raise SystemExit("the scapula's in-plane upward-rotation axis must have scale 1 (the variable's meaning)")
    print("evaluating the reference with OpenSim ...", flush=True)
    tables, upward, in_plane, ts_travel = reference_tables()
    print(f"reference: its upward-rotation coordinate turns the blade {in_plane:.3f} degree per degree in its plane")
    problem = Problem(doc, tables, upward, neck_reference(), ts_travel)
    x0 = np.clip(problem.x0, problem.lo, problem.hi)
    _, info0 = problem.residuals(x0, detail=True)
    x = fit(problem, x0, args.iterations)
    r, info = problem.residuals(x, detail=True)
    for name, inf in (("start", info0), ("fitted", info)):
        d = np.array([o - f for _, _, o, f in inf["rows"]])
        print(f"{name}: RMS {np.sqrt(np.mean(d**2)):.2f} pp, worst {np.abs(d).max():.1f} pp, "
              f"in-plane rotation at 20/40: {inf['in_plane'][20.0]:.2f}/{inf['in_plane'][40.0]:.2f} deg")
    print(f"deepest inside the rib cage (mm, > 0 inside; kept below -{OUTSIDE_MM:g}): wrapped paths' points "
          f"{info0['inside']:+.1f} -> {info['inside']:+.1f}, medial border {info0['border_inside']:+.1f} -> "
          f"{info['border_inside']:+.1f}; blade attachments inside the scapulothoracic surface "
          f"{info0['blade_attachments_inside']:+.1f} -> {info['blade_attachments_inside']:+.1f} mm")
    for deg, (ours, theirs) in info["ts_travel"].items():
        print(f"  medial border at scapula_retraction {deg:+.0f}: {ours * 1000:+.1f} mm, reference TS "
              f"{theirs * 1000:+.1f} mm ({ours / theirs:.2f})")
    for m, (a, b) in info["extremes"].items():
        print(f"  {m}: {a:+.1f} % .. {b:+.1f} % over the sampled range")
    d = np.array([o - f for _, _, o, f in info["neck_rows"]])
    print(f"neck rows of these muscles: RMS {np.sqrt(np.mean(d**2)):.2f} pp")
    for m, label, o, f in info["neck_rows"]:
        if m == "levator_scapulae":
            print(f"  {m} {label}: ours {o:+.1f} %, reference {f:+.1f} %")
    worst = sorted(info["rows"], key=lambda t: -abs(t[2] - t[3]))[:8]
    for m, label, o, f in worst:
        print(f"  {m} {label}: ours {o:+.1f} %, reference {f:+.1f} % ({o - f:+.1f} pp)")
    err = check_against_engine(problem)
    print(f"fast chain vs engine: {err:.1e} m")
    if err > 1e-9:
        raise SystemExit("the fast chain disagrees with the engine; not writing")
    if args.write:
        write_back(doc)
        print(f"wrote {MODEL_FILE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
