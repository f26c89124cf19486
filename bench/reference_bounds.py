"""`make bench` part: how far the reference models' own muscles stretch and shorten.

Issue 9's length bound: over random postures anywhere in the normal range, including
full-range combinations, every muscle-side's length change stays within -40 % / +50 %
of neutral (tests/test_model_physiology.py). Ten of our muscles break it (strict xfails
there). This bench asks the same question of the published models, so that each break
can be read as ours alone or shared with the field's reference.

(a) Shoulder blade: the thoracoscapular shoulder of Seth et al. 2019
    (``NeckAndShoulder.osim``), evaluated with OpenSim (bench/agreement.py's wrapper:
    elevation, abduction and upward rotation set; winging and the clavicle solved so
    that the AC points coincide). Its scapulothoracic
    coordinates have NO physiological range in the file (``scapula_elevation``,
    ``scapula_abduction`` and ``scapula_upward_rot`` range over -180..+180 degrees), so
    they are sampled over OUR ranges, carried over to its coordinates as
    bench/agreement.py matches amounts: each range end of our elevation (retraction)
    becomes the reference elevation (abduction) that moves the root of the scapular
    spine as far up (toward the midline); upward rotation is degrees for degrees.
    ``scapula_winging`` (we have no such variable) follows from the AC joint. Its neck
    coordinates (``pitch1 roll1 yaw1`` skull-C2, ``pitch2 roll2 yaw2`` C2-T1; the
    ``aux*`` joints follow through the file's coordinate couplers) are sampled over the
    file's own ranges. Uniform random postures plus every corner of the nine coordinates.
    Lengths are percent changes from the model's assembled default pose.

(b) Neck: the Mortensen/Vasavada head-neck model (``Mortensen2014_rigidTorso.osim``),
    read with the project's own OpenSim loader (1e-11 m from OpenSim), over three sets
    of ranges of its six neck coordinates: the file's own; Vasavada, Li & Delp 1998
    table 2 one-sided (half of each range of motion either way); and the file's own with
    C2-T1 flexion-extension (pitch2) at the table's +-41 degrees.

Ours: the same method as tests/test_model_physiology.py's ``extremes`` fixture (20,000
random and 20,000 corner postures of all our posture variables, seed 0); each figure is
the most extreme over both sides. Ours include thoracic flexion, which neither
reference has.
"""

from __future__ import annotations

import itertools
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import reference, table  # noqa: E402

SHORTEST_PCT, LONGEST_PCT = -40.0, 50.0

# OpenSim takes about 4 ms a posture here (winging and the clavicle are solved at each), so the
# random sample is sized for well under a minute; the 512 corners are all of them.
N_SHOULDER_RANDOM = 4000
N_NECK_RANDOM = 20_000
N_OURS = 20_000  # random, and as many corners: tests/test_model_physiology.py

NECK_COORDS = ("pitch1", "roll1", "yaw1", "pitch2", "roll2", "yaw2")
# (our variable, the reference coordinate it is carried to)
SCAPULA_COORDS = (
    ("scapula_elevation_right", "scapula_elevation"),
    ("scapula_retraction_right", "scapula_abduction"),
    ("scapula_upward_rotation_right", "scapula_upward_rot"),
)

# Vasavada, Li & Delp 1998, table 2 (../shared/reference/opensim/VasavadaLiDelp1998_rangeOfMotion.csv):
# range of motion in degrees; one-sided is half of it either way.
VASAVADA_ROM = {"pitch1": 40.0, "pitch2": 82.0, "roll1": 13.0, "roll2": 67.0, "yaw1": 77.0, "yaw2": 55.0}

# Our muscle -> the Mortensen model's right-side muscles (`_L` for the left).
NECK_PAIRS = [
    ("splenius_capitis", ("splen_cap_sklc6", "splen_cap_sklthx")),
    ("semispinalis_capitis", ("semi_cap_sklc5", "semi_cap_sklthx")),
    ("longissimus_capitis", ("longissi_cap_sklc6",)),
    ("rectus_capitis_posterior_major", ("rectcap_post_maj",)),
    ("levator_scapulae", ("levator_scap",)),
    ("upper_trapezius", ("trap_cl", "trap_acr")),
]


def _fmt(lo: float, hi: float) -> str:
    return f"{lo:+.1f} / {hi:+.1f}"


def _inside(lo: float, hi: float) -> str:
    return "yes" if lo >= SHORTEST_PCT and hi <= LONGEST_PCT else "NO"


def _uniform_and_corners(lo: np.ndarray, hi: np.ndarray, n: int, rng) -> np.ndarray:
    random = lo + (hi - lo) * rng.random((n, len(lo)))
    corners = np.array(list(itertools.product(*zip(lo, hi))))
    return np.vstack([random, corners])


# ---------------------------------------------------------------- ours


def our_extremes(body) -> dict[str, tuple[float, float]]:
    """Muscle (and ``muscle.bundle``) -> (min, max) percent change over both sides, by
    the method of tests/test_model_physiology.py's ``extremes`` fixture."""
    rng = np.random.default_rng(0)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    random = lo + (hi - lo) * rng.random((N_OURS, len(lo)))
    corners = np.where(rng.integers(0, 2, (N_OURS, len(lo))) == 1, hi, lo)
    postures = np.vstack([random, corners])
    out: dict[str, tuple[float, float]] = {}
    x = body.length_change_pct_batch(postures)
    for j, (muscle, _side) in enumerate(body.muscle_sides):
        lo_, hi_ = out.get(muscle, (np.inf, -np.inf))
        out[muscle] = (min(lo_, float(x[:, j].min())), max(hi_, float(x[:, j].max())))
    bundles = 100.0 * (body.bundle_lengths(postures) / body.neutral_bundle_lengths - 1.0)
    for i, name in enumerate(body.model.muscle_names):
        muscle, rest = name.split(".", 1)
        if "." not in rest:
            continue  # a muscle of one bundle: its figure is the muscle's
        key = f"{muscle}.{rest.rsplit('.', 1)[0]}"
        lo_, hi_ = out.get(key, (np.inf, -np.inf))
        out[key] = (min(lo_, float(bundles[:, i].min())), max(hi_, float(bundles[:, i].max())))
    return out


# ---------------------------------------------------------------- (a) the shoulder blade


def _shoulder_class():
    from agreement import _OpenSimShoulder

    class ShoulderAndNeck(_OpenSimShoulder):
        """bench/agreement.py's shoulder, with the neck coordinates set too (each
        coupled ``aux*`` coordinate from its coupler's function)."""

        def __init__(self, path: Path):
            super().__init__(path)
            osim = self.osim
            self.couplers = []
            cs = self.model.getConstraintSet()
            for i in range(cs.getSize()):
                c = osim.CoordinateCouplerConstraint.safeDownCast(cs.get(i))
                if c is None:
                    continue
                names = c.getIndependentCoordinateNames()
                self.couplers.append(
                    ([names.get(k) for k in range(names.getSize())], c.getDependentCoordinateName(), c.getFunction())
                )
            self.neck_default = {n: self.coords.get(n).getDefaultValue() for n in NECK_COORDS}
            self.neck_range = {n: (self.coords.get(n).getRangeMin(), self.coords.get(n).getRangeMax()) for n in NECK_COORDS}
            self.pose({}, {})
            self.neutral = {n: self.length(n) for n in self.muscle_names()}

        def set_neck(self, values: dict[str, float]) -> None:
            """Neck coordinates in radians (absolute; the default where not given)."""
            v = {n: values.get(n, self.neck_default[n]) for n in NECK_COORDS}
            for n, x in v.items():
                self._set(n, x)
            for independent, dependent, fn in self.couplers:
                arg = self.osim.Vector(len(independent), 0.0)
                for k, n in enumerate(independent):
                    arg.set(k, v[n] if n in v else self.coords.get(n).getValue(self.state))
                self._set(dependent, fn.calcValue(arg))

        def pose(self, neck: dict[str, float], scapula_delta: dict[str, float]) -> None:
            self.set_neck(neck)
            self.set_scapula(scapula_delta)  # realizes the position stage

    return ShoulderAndNeck


def carried_ranges(body, ref) -> dict[str, tuple[float, float]]:
    """Our scapular variables' range ends carried to the reference's coordinates:
    reference coordinate -> (change at our lower end, at our upper end), radians (the
    two in falling order where the coordinate runs against our variable)."""
    root0 = body.landmark_position("scapular_spine_root", "right")
    out = {}
    for ours, theirs in SCAPULA_COORDS:
        ends = []
        for deg in body.ranges[ours]:
            moved = body.landmark_position("scapular_spine_root", "right", {ours: deg}) - root0
            if theirs == "scapula_elevation":
                ends.append(ref.match(theirs, np.array([0.0, 1.0, 0.0]), float(moved[1])))
            elif theirs == "scapula_abduction":
                ends.append(ref.match(theirs, np.array([0.0, 0.0, -1.0]), float(-moved[2])))
            else:
                ends.append(np.deg2rad(deg))
        out[theirs] = (ends[0], ends[1])  # may be in falling order (retraction is -abduction)
    ref.pose({}, {})
    return out


def shoulder_extremes(path: Path, body, n_random: int | None = None):
    """Reference muscle -> (min, max, posture at min, posture at max) over the sample,
    plus the sampled ranges and the count of postures."""
    from agreement import SHOULDER_PAIRS, ACJointOpen

    n_random = N_SHOULDER_RANDOM if n_random is None else n_random
    ref = _shoulder_class()(path)
    scap = carried_ranges(body, ref)
    names = [n for _, _, ms in SHOULDER_PAIRS for n in ms]
    cols = [c for _, c in SCAPULA_COORDS] + list(NECK_COORDS)
    lo = np.array([min(scap[c]) for c in cols[:3]] + [ref.neck_range[c][0] for c in NECK_COORDS])
    hi = np.array([max(scap[c]) for c in cols[:3]] + [ref.neck_range[c][1] for c in NECK_COORDS])
    postures = _uniform_and_corners(lo, hi, n_random, np.random.default_rng(0))
    pct = np.full((len(postures), len(names)), np.nan)
    for k, row in enumerate(postures):
        try:
            ref.pose(dict(zip(NECK_COORDS, row[3:])), dict(zip(cols[:3], row[:3])))
        except ACJointOpen:
            continue  # not a posture the reference can take: left out, counted below
        pct[k] = [100.0 * (ref.length(n) / ref.neutral[n] - 1.0) for n in names]
    reachable = ~np.isnan(pct[:, 0])
    postures, pct = postures[reachable], pct[reachable]
    ref.pose({}, {})
    out = {}
    for j, n in enumerate(names):
        out[n] = (float(pct[:, j].min()), float(pct[:, j].max()), postures[pct[:, j].argmin()], postures[pct[:, j].argmax()])
    # the mean of the two upper trapezius lines, as our upper_trapezius is a mean of bundles
    both = pct[:, [names.index("trap_cl"), names.index("trap_acr")]].mean(axis=1)
    out["trap_cl+trap_acr"] = (float(both.min()), float(both.max()), postures[both.argmin()], postures[both.argmax()])
    return out, scap, ref.neck_range, cols, int((~reachable).sum()), len(postures)


def _where(row: np.ndarray, cols: list[str], scap: dict, body) -> str:
    """A sampled posture in words: the scapular coordinates as the equivalent of ours
    (linear between the carried range ends), the neck in the reference's degrees."""
    parts = []
    for k, (ours, theirs) in enumerate(SCAPULA_COORDS):
        at_a, at_b = scap[theirs]
        u = (row[k] - at_a) / (at_b - at_a)
        a, b = body.ranges[ours]
        short = ours.replace("scapula_", "").replace("_right", "").replace("upward_rotation", "uprot")
        parts.append(f"{short} {a + u * (b - a):+.0f}")
    parts.append(" ".join(f"{c} {np.rad2deg(v):+.0f}" for c, v in zip(cols[3:], row[3:])))
    return ", ".join(parts)


# ---------------------------------------------------------------- (b) the neck


def neck_extremes(path: Path, n_random: int | None = None):
    """Range set -> (ranges in degrees, {right-side muscle name: (min, max) over both sides})."""
    from relieve.model import load_model

    n_random = N_NECK_RANDOM if n_random is None else n_random
    m = load_model(path)
    cols = [m.coordinate_names.index(c) for c in NECK_COORDS]
    own = {c: m.coordinate(c).range for c in NECK_COORDS}
    half = {c: (-np.deg2rad(VASAVADA_ROM[c] / 2), np.deg2rad(VASAVADA_ROM[c] / 2)) for c in NECK_COORDS}
    sets = {
        "file's own": own,
        "table 2 one-sided": half,
        "own, pitch2 +-41": {**own, "pitch2": half["pitch2"]},
    }
    q0 = m.default_q()
    neutral = m.muscle_lengths(q0[None, :])[0]
    names = list(m.muscle_names)
    out = {}
    for label, ranges in sets.items():
        lo = np.array([ranges[c][0] for c in NECK_COORDS])
        hi = np.array([ranges[c][1] for c in NECK_COORDS])
        sample = _uniform_and_corners(lo, hi, n_random, np.random.default_rng(0))
        q = np.tile(q0, (len(sample), 1))
        q[:, cols] = sample
        pct = 100.0 * (m.muscle_lengths(q) / neutral - 1.0)
        fig = {}
        for _, ref_muscles in NECK_PAIRS:
            for n in ref_muscles:
                j = [names.index(n), names.index(n + "_L")]
                fig[n] = (float(pct[:, j].min()), float(pct[:, j].max()))
        out[label] = ({c: tuple(np.rad2deg(ranges[c])) for c in NECK_COORDS}, fig, len(sample))
    return out


# ---------------------------------------------------------------- printing


def main() -> int:
    from relieve.model import default_model

    shoulder_path = reference("NeckAndShoulder.osim")
    neck_path = reference("Mortensen2014_rigidTorso.osim")
    try:
        import opensim  # noqa: F401
    except ImportError:
        have_opensim = False
    else:
        have_opensim = True
    if shoulder_path is None and neck_path is None:
        print("skipped: ../shared/reference/opensim is absent (NeckAndShoulder.osim, Mortensen2014_rigidTorso.osim)")
        return 0

    body = default_model()
    ours = our_extremes(body)
    print(f"ours: {N_OURS:,} random + {N_OURS:,} corner postures of all {len(body.posture_variables)} posture "
          f"variables (seed 0); the most extreme of both sides. Bound {SHORTEST_PCT:+.0f} % / {LONGEST_PCT:+.0f} %.")
    print()

    if not have_opensim:
        print("skipped (a): the opensim package is not installed")
    elif shoulder_path is None:
        print("skipped (a): ../shared/reference/opensim/NeckAndShoulder.osim is absent")
    else:
        from agreement import SHOULDER_PAIRS

        start = time.perf_counter()
        ref, scap, neck_range, cols, unreachable, n = shoulder_extremes(shoulder_path, body)
        seconds = time.perf_counter() - start
        sampled = n + unreachable
        print(f"(a) NeckAndShoulder.osim in OpenSim: N = {n:,} postures of {sampled:,} sampled ({N_SHOULDER_RANDOM:,} "
              f"uniform random + {sampled - N_SHOULDER_RANDOM} corners of {len(cols)} coordinates), {seconds:.1f} s; "
              f"{unreachable} left out where its AC joint cannot close (no winging and clavicle bring the "
              "scapula's AC point to the clavicle's)")
        print(table(
            ["our variable", "our range deg", "reference coordinate", "in the file deg", "sampled: change from default, deg (at our low .. high end)"],
            [[ours_v, f"{body.ranges[ours_v][0]:+.0f} .. {body.ranges[ours_v][1]:+.0f}", theirs,
              "-180 .. +180 (no limit)", f"{np.rad2deg(scap[theirs][0]):+.1f} .. {np.rad2deg(scap[theirs][1]):+.1f}"]
             for ours_v, theirs in SCAPULA_COORDS]
            + [["-", "-", "scapula_winging", "-90 .. +90", "solved with the clavicle (AC joint)"]]
            + [["(neck: ours below)", "", c, f"{np.rad2deg(neck_range[c][0]):+.0f} .. {np.rad2deg(neck_range[c][1]):+.0f}",
                "the file's range"] for c in NECK_COORDS],
            "ranges (the reference's scapular ends carried from ours by the spine root's travel; upward rotation "
            "degree for degree)",
        ))
        print("ours, neck and thorax: " + ", ".join(
            f"{v} {body.ranges[v][0]:+.0f} .. {body.ranges[v][1]:+.0f}"
            for v in body.posture_variables if not v.startswith("scapula_")))
        print()
        rows = []
        for muscle, bundle, ref_muscles in SHOULDER_PAIRS:
            key = muscle if bundle is None else f"{muscle}.{bundle}"
            (rn,) = ref_muscles
            rows.append([key, _fmt(*ours[key]), _inside(*ours[key]), rn, _fmt(*ref[rn][:2]), _inside(*ref[rn][:2])])
            if bundle == "cervical":  # the muscle as tested: the mean of its bundles
                rows.append(["upper_trapezius (mean, as tested)", _fmt(*ours[muscle]), _inside(*ours[muscle]),
                             "trap_cl+trap_acr (mean)", _fmt(*ref["trap_cl+trap_acr"][:2]),
                             _inside(*ref["trap_cl+trap_acr"][:2])])
        print(table(["ours", "ours min / max %", "inside", "reference (right)", "reference min / max %", "inside"], rows,
                    "(a) scapular muscles: percent length change from neutral / the default pose"))
        print()
        print("where the reference's extremes are (scapula as the equivalent of our variables; neck in its degrees):")
        for name in [n for _, _, ms in SHOULDER_PAIRS for n in ms]:
            mn, mx, at_min, at_max = ref[name]
            print(f"  {name:<19} {mn:+6.1f} % at {_where(at_min, cols, scap, body)}")
            print(f"  {'':<19} {mx:+6.1f} % at {_where(at_max, cols, scap, body)}")
    print()

    if neck_path is None:
        print("skipped (b): ../shared/reference/opensim/Mortensen2014_rigidTorso.osim is absent")
        return 0
    sets = neck_extremes(neck_path)
    labels = list(sets)
    n = sets[labels[0]][2]
    print(f"(b) Mortensen2014_rigidTorso.osim (own loader): N = {n:,} postures per range set "
          f"({N_NECK_RANDOM:,} uniform random + {n - N_NECK_RANDOM} corners of the six neck coordinates)")
    print(table(
        ["coordinate"] + labels,
        [[c] + [f"{sets[s][0][c][0]:+.1f} .. {sets[s][0][c][1]:+.1f}" for s in labels] for c in NECK_COORDS],
        "range sets, degrees",
    ))
    print()
    rows = []
    for muscle, ref_muscles in NECK_PAIRS:
        for k, rn in enumerate(ref_muscles):
            left = [muscle, _fmt(*ours[muscle]), _inside(*ours[muscle])] if k == 0 else ["", "", ""]
            rows.append(left + [rn] + [f"{_fmt(*sets[s][1][rn])} {_inside(*sets[s][1][rn])}" for s in labels])
    print(table(["ours", "ours min / max %", "inside", "reference (both sides)"] + [f"{s} %" for s in labels], rows,
                "(b) neck muscles: percent length change from neutral / the default pose"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
