"""Issue 9: the own model stays within what bodies can do.

- Lengths: over random postures anywhere in the normal range, including full-range
  combinations (corners), a muscle-tendon length changes by no more than -40 % / +50 %
  of neutral. Basis: human sarcomeres develop force between about 1.3 and 4.2 um with
  the plateau at 2.64-2.81 um (Walker & Schrodt, Anat Rec 1974;178:63-81, filament
  lengths; Lieber et al., J Neurophysiol 1994;71:874-881): from a near-optimal 2.7 um,
  -40 % is 1.6 um and +50 % is 4.05 um, the ends of the active range.
- Landmark excursions against published ranges.
- Muscles lying on the rib cage do not dip into it between their ends, nor pass
  between the shoulder blade and the chest (the scapulothoracic surface), and the blade
  stays outside the rib cage.

Muscle-sides that do not yet meet a bound are listed below as strict expected failures
with the figure found, so that the state is visible and a fix shows up as an XPASS.
"""

from __future__ import annotations

import numpy as np
import pytest

from relieve.model import default_model
from relieve.vocabulary import MUSCLE_IDS

SHORTEST_PCT, LONGEST_PCT = -40.0, 50.0

# Measured on this model (20,000 random + 20,000 corner postures, seed 0), after the neck
# bundles were moved to Vasavada et al. 1998's fascicle levels and the skull-C2 joints got
# their own limits (joint_limits in upper_body.yaml: a full nod on top of full neck
# extension no longer puts more than the skull-C2 arc into C0-C2). These still break the
# bound. Of the scapular ones only the levator scapulae breaks it at a single variable's
# range end (-46 % at a full shrug, where the reference shortens it as much: see
# upper_body.yaml, AGREEMENT); the rest break it at full-range combinations (e.g. rhomboid
# major: full protraction with full upward rotation, +37 % and +46 % alone). Refit of the
# shoulder girdle (issue 9, third pass), before -> after: upper trapezius -53 -> -54 %,
# middle trapezius -45 -> -49 %, lower trapezius -44/+54 -> -44/+57 %, levator scapulae
# -63/+53 -> -67/+65 %, rhomboid major -69/+102 -> -57/+90 %, rhomboid minor -64/+84 ->
# -71/+78 %, pectoralis minor -45/+73 -> -36/+64 %. Not resolved in issue 9 (see the report).
# The two neck muscles break it only at corners that combine all three of a muscle's actions at
# their range ends; the Mortensen/Vasavada reference, at the corners of its own
# one-sided ranges (Vasavada et al. 1998, table 2), reaches -59 % / +58 % for splenius
# capitis (skull-C6), -57 % for semispinalis capitis (skull-T1), -47 % for longissimus
# capitis and +52 % for rectus capitis posterior major: giving the neck the reference's
# sizes (issue 9, third pass) took these two from -42 % and -43 % / +45 % to the figures
# below. Only a limit on such combined motions (with a source) would bring them inside.
# The cervical pitch 19 -> 17.5 mm (upper_body.yaml, cervpitch; shorter neck muscles
# change by larger fractions) took splenius capitis from -48/+48 to -50/+50 %, longissimus
# capitis from -39.6 to -41.2 % (the reference: -47 %), levator scapulae from -67/+64 to
# -68/+67 % (-45 -> -46 % at a full shrug), upper trapezius -54.1 -> -54.6 %.
# The shrug range from measurements on people (rettig; hallaceli: elevation 32 and
# depression 5 degrees where it was 40 and 10; upper_body.yaml, scapula_elevation) took
# lower trapezius from -44/+58 to -36/+53 %, levator scapulae -68/+67 -> -64/+59 %
# (-46 -> -47 % at a full shrug: its shortest lies near 30 degrees), pectoralis minor
# -36/+64 -> -30/+63 %, rhomboid minor +78 -> +73 %, rhomboid major +89 -> +87 %,
# middle trapezius -49 -> -48 %, upper trapezius -54.6 -> -53.5 %; none comes inside.
# The refit to the reference with its AC joint kept together (issue 9, fifth pass;
# upper_body.yaml, AGREEMENT) moved: levator scapulae -64/+59 -> -66/+53 %, upper
# trapezius -53.5 -> -53.3 %, middle trapezius -48 -> -46 %, lower trapezius +53 -> +57 %,
# rhomboid minor -71/+73 -> -73/+62 %, rhomboid major -59/+87 -> -57/+87 %, pectoralis
# minor +63 -> +64 %; none comes inside. The sixth pass (wrap over the rib cage, refit):
# levator scapulae -66/+53 -> -66/+46 % (-46 -> -49 % at a full shrug), upper trapezius
# -53 -> -54 %, middle trapezius -46 -> -43 %, lower trapezius +57 -> +62 %, rhomboid
# major -57/+87 -> -62/+90 %, rhomboid minor -73/+62 -> -70/+60 %, pectoralis minor
# +64 -> -41/+72 % (a wrapped path is longer where it wraps); none comes inside.
# "The reference reaches" for the scapular muscles: Seth et al. 2019's thoracoscapular
# shoulder (NeckAndShoulder.osim, OpenSim 4.6, right side; bench/reference_bounds.py:
# 4,000 random + 512 corner postures). Its scapular coordinates have no range in the file
# (-180..+180 degrees), so ours are carried to them (the spine root's travel, upward
# rotation degree for degree), winging and the clavicle solved to keep its AC joint
# together; its neck over the file's ranges. It breaks the bound for all seven at the
# same ends as ours: further than ours for levator scapulae, upper and middle trapezius
# and pectoralis minor, within 14 points of ours (either way) for the lower trapezius
# and rhomboids. The neck figures above (-59/+58,
# -57, -47, +52) are the Mortensen file's ranges with C2-T1 flexion-extension at table 2's
# +-41 degrees; over the file's own pitch2 range (-45..+48) splenius capitis reaches
# -63/+60 %, semispinalis capitis -60 %, longissimus capitis -49 % (same bench).
OUT_OF_BOUNDS = {
    "upper_trapezius": "-54 % (upward rotation with neck extension and side bend toward); the reference reaches "
                       "-68 % / +34 % (mean of trap_cl and trap_acr; trap_cl alone -81 %)",
    "middle_trapezius": "-43 % (full retraction with upward rotation); the reference reaches -62 % / +38 %",
    "lower_trapezius": "+62 % (full shrug, protraction and upward rotation with the upper back rounded); the "
                       "reference reaches -37 % / +55 %",
    "levator_scapulae": "-66 % / +46 % (-49 % at a full shrug alone); the reference reaches -92 % / +73 %",
    "splenius_capitis": "-50 % / +50 % (full extension with side bend and rotation to its side; full flexion "
                        "with both away); the reference model reaches -59 % / +58 %",
    "longissimus_capitis": "-41 % (full extension with side bend and rotation to its side); the reference "
                           "reaches -47 %",
    "rectus_capitis_posterior_major": "-45 % / +46 % (full skull-C2 extension with side bend and rotation to its "
                                      "side; full flexion and nod with both away); the reference reaches +52 %",
    "rhomboid_major": "-62 % / +90 % (full protraction with full upward rotation); the reference reaches -71 % / +86 %",
    "rhomboid_minor": "-70 % / +60 %; the reference reaches -75 % / +71 %",
    "pectoralis_minor": "-41 % / +72 % (full shrug, retraction and upward rotation together); the reference reaches "
                        "-31 % / +82 %",
}


@pytest.fixture(scope="module")
def body():
    return default_model()


@pytest.fixture(scope="module")
def extremes(body):
    rng = np.random.default_rng(0)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    random = lo + (hi - lo) * rng.random((20_000, len(lo)))
    corners = np.where(rng.integers(0, 2, (20_000, len(lo))) == 1, hi, lo)
    x = body.length_change_pct_batch(np.vstack([random, corners]))
    return {ms: (float(x[:, j].min()), float(x[:, j].max())) for j, ms in enumerate(body.muscle_sides)}


@pytest.mark.parametrize(
    "muscle",
    [pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=f"not yet within bounds: {OUT_OF_BOUNDS[m]}"))
     if m in OUT_OF_BOUNDS else m for m in MUSCLE_IDS],
)
def test_length_change_stays_physiological(extremes, muscle):
    for side in ("left", "right"):
        lo, hi = extremes[(muscle, side)]
        assert lo >= SHORTEST_PCT and hi <= LONGEST_PCT, f"{muscle} {side}: {lo:+.1f} % .. {hi:+.1f} %"


def _move(body, landmark, posture):
    return body.landmark_position(landmark, "right", posture) - body.landmark_position(landmark, "right")


# Landmark excursions. An earlier session quoted Kapandji (The Physiology of the Joints,
# vol. 1) from memory for three linear excursions (acromion rise ~10 cm at a full shrug,
# inferior angle 10-12 cm in 60 degrees of rotation, scapular protraction-retraction travel
# ~15 cm); those figures could not be checked against the book and are NOT used as
# published ranges any more (see upper_body.yaml, scapula_* variables). What can be cited
# precisely is kept: the angles (Inman et al. 1944: about 60 degrees of scapular upward
# rotation in full arm elevation; Braman et al. 2009, J Shoulder Elbow Surg 18:960-967:
# 0.43 degree of scapular upward rotation per degree of glenohumeral elevation, bone-pin
# sensors) and the thoracoscapular model of Seth et al. 2019 (Front Neurorobot 13:90),
# whose inferior-angle marker AI is measured here with OpenSim.


def test_acromion_rise_at_full_shrug(body):
    # The range is cited as an angle (upper_body.yaml, scapula_elevation: rettig's 32
    # degrees of clavicular elevation, an arc with the 5 of depression equal to
    # hallaceli's 37-degree mean active arc); no linear rise of the acromion on people
    # with a precise source was found. So the rise follows from the angle: the clavicle
    # (150 mm, anthro) rising from its resting 6 degrees by the 32 of the range lifts its
    # lateral end 150 * (sin(38) - sin(6)) = 77 mm, and the acromion, carried with it, must
    # rise as much within 15 %.
    top = body.ranges["scapula_elevation_right"][1]
    assert top == 32.0
    expected = 0.150 * (np.sin(np.radians(6 + top)) - np.sin(np.radians(6)))
    rise = _move(body, "acromion", {"scapula_elevation_right": top})[1]
    assert rise == pytest.approx(expected, rel=0.15), f"{rise * 1000:.0f} mm against {expected * 1000:.0f} mm"


def test_full_neck_rotation_turns_the_atlas_on_the_axis_as_measured(body):
    # Ishii et al., Spine 2004;29(7):E139-E144 (3-D MRI of 15 volunteers at maximal head
    # rotation): C1-C2 turns 36.2 +/- 4.5 degrees to each side (upper_body.yaml, ishii;
    # his C0-C1 1.7 +/- 1.5 is not met: 4.5 here, see there why).
    names = list(body.model.coordinate_names)
    for turn in body.ranges["neck_rotation"]:
        q = body.q_from_postures(np.array([[turn if v == "neck_rotation" else 0.0 for v in body.posture_variables]]))[0]
        c1_c2 = abs(np.degrees(q[names.index("c1_c2_rotation_right")]))
        assert 36.2 - 4.5 <= c1_c2 <= 36.2 + 4.5, f"{turn:+.0f}: C1-C2 {c1_c2:.1f} degrees"


def test_upward_rotation_is_one_degree_in_the_scapular_plane(body):
    """Contract section 1: scapula_upward_rotation is degrees of glenoid upward rotation,
    the scapula turning in its own plane. The medial border (superior to inferior angle),
    projected on the neutral scapular plane, turns one degree per degree, clavicle and AC
    joint together."""
    lm = lambda n, p=None: body.landmark_position(n, "right", p)  # noqa: E731
    normal = np.cross(lm("acromioclavicular_joint") - lm("inferior_angle"), lm("superior_angle") - lm("inferior_angle"))
    normal /= np.linalg.norm(normal)

    def in_plane(v):
        return v - (v @ normal) * normal

    a0 = in_plane(lm("inferior_angle") - lm("superior_angle"))
    for deg in (-10.0, 20.0, 40.0, 60.0):
        p = {"scapula_upward_rotation_right": deg}
        a1 = in_plane(lm("inferior_angle", p) - lm("superior_angle", p))
        angle = np.rad2deg(np.arctan2(np.cross(a0, a1) @ normal, a0 @ a1))
        assert angle == pytest.approx(deg, abs=max(0.5, 0.03 * abs(deg))), (deg, angle)


@pytest.fixture(scope="module")
def thoracoscapular():
    """The reference shoulder evaluated with OpenSim (bench/agreement.py's wrapper)."""
    import importlib.util
    import sys

    from conftest import REPO, reference_file

    path = reference_file("NeckAndShoulder.osim")
    try:
        import opensim  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"opensim is not installed ({exc})")
    spec = importlib.util.spec_from_file_location("bench_agreement_phys", REPO / "bench" / "agreement.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module._OpenSimShoulder(path)


def test_inferior_angle_travel_in_upward_rotation_matches_the_thoracoscapular_model(body, thoracoscapular):
    """Lateral travel of the inferior angle at 20 and 40 degrees of upward rotation, against
    the marker AI of Seth et al. 2019's model turned by the same angle (its coordinate turns
    the blade 0.99 degree per degree in its plane). No measurement on people with a precise
    source was found for this linear excursion (see above), so the reference model is the
    yardstick: within 25 %."""
    ref = thoracoscapular
    ref.set_scapula({})
    ai0 = ref.marker("AI")
    for deg in (20.0, 40.0):
        ref.set_scapula({"scapula_upward_rot": np.deg2rad(deg)})
        theirs = (ref.marker("AI") - ai0)[2]
        ours = _move(body, "inferior_angle", {"scapula_upward_rotation_right": deg})[2]
        assert ours == pytest.approx(theirs, rel=0.25), (deg, ours, theirs)
    ref.set_scapula({})


# The medial border's travel in full retraction and protraction. No measurement on people
# of this linear excursion was found with a precise source (searched for issue 9: the
# Lennie test (Sobush et al. 1996) gives the blade's rest position only; the lateral
# scapular slide test measures arm positions, not protraction; a study
# of shoulder girdle protraction and retraction by tape measure and Optotrak (Physiother
# Theory Pract 2007;23:179-187) gives reliabilities in its abstract, no excursions), so
# the thoracoscapular model of Seth et al. 2019 is the yardstick, with its marker TS
# (trigonum spinae: the medial border at the spine root; our scapular_spine_root).
# Its coordinates have no range ends (+/-180 degrees), so the amounts are matched by the
# variable's own meaning (contract section 1: one degree of scapula_retraction is one
# degree of clavicular retraction about the SC joint's vertical axis): the reference's
# scapula_abduction that swings its clavicle (clav_prot, about an axis 8 degrees from the
# vertical) by the same angle. Matching by the spine root instead, as bench/agreement.py
# does for length changes, would make the comparison circular: our travel IS the matched
# distance, so the test would compare the reference's TS with its own lower trapezius
# insertion. Measured (full protraction -25 / full retraction +20 degrees), with the
# reference's AC joint kept together (bench/agreement.py, _OpenSimShoulder): the
# reference's TS 67.3 mm out (scapula_abduction +44 degrees) / 55.5 mm in (-37 degrees).
# Ours, though our clavicle is the longer (150 against its 125 mm SC-AC): 48.8 / 42.3 mm
# (0.72 / 0.76) after issue 9's fifth pass; 40.6 / 39.3 mm (0.60 / 0.71) since the sixth,
# which wraps the rhomboids and trapezius over the rib cage: with the wrap they lengthen
# more as the blade glides out, and holding the travel at 0.78 of the reference's in the
# fit (tools/fit_shoulder.py) left it at 0.72 / 0.76 and took rhomboid major 9.6 pp off
# the reference in protraction (the target is 8). Its blade turns on its thorax
# ellipsoid (TS also moves 16-32 mm forward at both ends) while ours turns with the
# clavicle (see upper_body.yaml, AGREEMENT). Both ends are strict expected failures.
# (With the reference's scapula detached from its clavicle, as the bench had it before
# the fifth pass, its TS moved 81.8 / 62.7 mm.)
MEDIAL_BORDER_TRAVEL_MISSES = {
    -25.0: "full protraction: medial border 40.6 mm out, the reference's TS 67.3 mm (0.60) at the same 25 degrees "
           "of clavicular protraction",
    20.0: "full retraction: medial border 39.3 mm in, the reference's TS 55.5 mm (0.71) at the same 20 degrees "
          "of clavicular retraction",
}


@pytest.mark.parametrize(
    "degrees",
    [pytest.param(d, marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=MEDIAL_BORDER_TRAVEL_MISSES[d])]
                  if d in MEDIAL_BORDER_TRAVEL_MISSES else [])
     for d in (-25.0, 20.0)],
    ids=["full_protraction", "full_retraction"],
)
def test_medial_border_travel_at_the_retraction_range_ends_matches_the_thoracoscapular_model(
        body, thoracoscapular, degrees):
    """At each range end of scapula_retraction the medial border (at the spine root) moves
    away from / toward the spine within 25 % of the reference's marker TS at the same
    clavicular swing (the tolerance of the inferior-angle test above)."""
    assert body.ranges["scapula_retraction_right"] == (-25.0, 20.0)  # the ends named in the misses
    ref = thoracoscapular
    ref.set_scapula({})
    ts0 = ref.marker("TS")
    ref.set_clavicle_swing(-degrees)  # our + is retraction, its clav_prot + is protraction
    theirs = (ref.marker("TS") - ts0)[2]  # + away from the midline on the right
    ref.set_scapula({})
    ours = _move(body, "scapular_spine_root", {"scapula_retraction_right": degrees})[2]
    assert np.sign(ours) == np.sign(theirs) == -np.sign(degrees), (ours, theirs)
    assert ours == pytest.approx(theirs, rel=0.25), f"ours {ours * 1000:+.1f} mm, reference TS {theirs * 1000:+.1f} mm"


RIB_CAGE_MUSCLES = ("upper_trapezius", "middle_trapezius", "lower_trapezius", "rhomboid_major", "rhomboid_minor",
                    "levator_scapulae", "pectoralis_minor")
DIP_TOLERANCE = 0.002  # metres


def _sampled_postures(body, n=200, seed=1):
    """Neutral, n random postures of the whole normal range and n of its corners."""
    rng = np.random.default_rng(seed)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    return np.vstack([np.zeros(len(lo)), lo + (hi - lo) * rng.random((n, len(lo))),
                      np.where(rng.integers(0, 2, (n, len(lo))) == 1, hi, lo)])


def _segments(body, q, muscle, side, t=np.linspace(0, 1, 21)):
    """(bundle, posture index, points along one segment (21, 3)) of a muscle's paths,
    wrapped where the model wraps them."""
    for name in body.bundles(muscle, side):
        for k, path in enumerate(body.model.muscle_path(q, name)):
            for a, b in zip(path[:-1], path[1:]):
                yield name, k, a + t[:, None] * (b - a)


@pytest.fixture(scope="module")
def sampled(body):
    postures = _sampled_postures(body)
    return postures, body.q_from_postures(postures), body.body_poses(postures)


# Measured after issue 9's sixth pass (the wrap over the rib cage); strict expected
# failures, so that a fix shows up.
# With thoracic_flexion held at 0 every muscle passes the rib-cage test and the blade
# stays outside the rib cage: what is left there comes from the upper back turning as
# one block on T4/T5 (upper_body.yaml, upper_thorax), which carries ribs 1-4 and the
# shoulder girdle against the rib cage of the lower thorax.
DIPS_INTO_THE_CHEST = {
    "pectoralis_minor": "2.3 mm past the 2 mm tolerance at corners with full thoracic flexion (+20): its origins on "
                        "ribs 3 and 4 ride with the upper thorax and sink into the lower thorax's rib cage; straight, "
                        "before the wrap, 27 mm. Tried: ribs 3 and 4 on the lower thorax with the sternal body (the "
                        "manubriosternal joint as the front hinge) passes this, but thoracic flexion then moves the "
                        "coracoid alone and the muscle's range went from -41/+72 to -60/+85 %: not kept",
}
UNDER_THE_BLADE = {
    "lower_trapezius": "51 mm (T12 bundle, corners with full thoracic flexion; 19 mm with thoracic flexion held at 0): "
                       "wrapping over the rib cage it runs beneath the lower blade, where the real muscle crosses over "
                       "it - the surface it lies on is the rib cage medially and the blade laterally, one ellipsoid is "
                       "neither (straight, before the wrap: 66 mm)",
    "rhomboid_major": "2.7 mm (T2 bundle, full retraction with 60 degrees of upward rotation; straight: 32 mm)",
    "rhomboid_minor": "10.9 mm (C7 bundle, full retraction and 60 degrees of upward rotation; straight: 26 mm)",
    "levator_scapulae": "6.9 mm (C2 slip, corners with full retraction and 60 degrees of upward rotation, or full "
                        "protraction with downward rotation; straight: 13 mm)",
}


def _rib_cage_case(muscle, misses):
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=misses[muscle])] if muscle in misses else []
    return pytest.param(muscle, marks=marks)


@pytest.mark.parametrize("muscle", [_rib_cage_case(m, DIPS_INTO_THE_CHEST) for m in RIB_CAGE_MUSCLES])
def test_rib_cage_muscles_do_not_dip_into_the_chest(body, sampled, muscle):
    """The muscles lying on the chest stay on it: between its ends no segment of their
    paths goes deeper into the rib cage (the `rib_cage` surface of its side, carried
    over from seth by tools/rib_cage.py) than its deeper end (2 mm tolerance; an end
    inside it is an attachment on a rib, e.g. pectoralis minor's), at neutral, 200
    random and 200 corner postures of the whole normal range. All but the upper
    trapezius wrap over it, as seth's middle and lower trapezius, rhomboids and
    pectoralis minor do; straight, they cut it by up to 26 mm (lower trapezius from T12
    at corners)."""
    postures, q, poses = sampled
    worst = []
    sides = [e for e in body.surfaces if e.name == "rib_cage"]
    assert {e.side for e in sides} == {"left", "right"}
    for e in sides:
        rot, pos = poses[e.body]
        origin = pos[0]  # postures[0] is neutral: the body's frame is its neutral origin
        for name, k, pts in _segments(body, q, muscle, e.side):
            depth = np.maximum(e.depth(pts, rot[k], pos[k], origin), 0.0)
            dip = depth[1:-1].max() - max(depth[0], depth[-1])
            if dip > DIP_TOLERANCE:
                worst.append((round(float(dip) * 1000, 1), name, k))
    assert not worst, _deepest_per_bundle(worst)


def _deepest_per_bundle(found):
    """(mm, bundle, posture) -> the deepest of each bundle, deepest first."""
    best = {}
    for mm, name, k in found:
        if mm > best.get(name, (0.0,))[0]:
            best[name] = (mm, k)
    return sorted(((mm, name, k) for name, (mm, k) in best.items()), reverse=True)[:10]


@pytest.mark.parametrize("muscle", [_rib_cage_case(m, UNDER_THE_BLADE) for m in RIB_CAGE_MUSCLES])
def test_rib_cage_muscles_do_not_pass_under_the_shoulder_blade(body, sampled, muscle):
    """Nor do they pass between the shoulder blade and the chest: no point of their
    paths lies more than 2 mm inside the scapulothoracic surface (on which the blade
    glides) where the blade covers it - seen from the ellipsoid's centre, within the
    triangle of the superior angle, inferior angle and glenoid. Elsewhere that
    ellipsoid, smooth across the midline and round the front, encloses the spinous
    processes and the front ribs, so it is no surface the muscles lie on there: that
    is the rib cage's test above."""
    postures, q, poses = sampled
    e = next(s for s in body.surfaces if s.name == "scapulothoracic")
    rot, pos = poses[e.body]
    origin = pos[0]  # postures[0] is neutral: the body's frame is its neutral origin
    corners = ("superior_angle", "inferior_angle", "glenoid_center")
    at = body.landmark_positions(postures, corners)
    worst = []
    for side in ("left", "right"):
        for name, k, pts in _segments(body, q, muscle, side):
            centre = rot[k] @ (np.array(e.centre) - origin) + pos[k]

            def unit(p):  # direction from the centre on the ellipsoid made a sphere
                u = ((p - centre) @ rot[k]) / np.array(e.radii)
                return u / np.linalg.norm(u, axis=-1, keepdims=True)

            a, b, c = (unit(at[f"{lid}.{side}"][k]) for lid in corners)
            d = unit(pts)
            signs = np.stack([d @ np.cross(a, b), d @ np.cross(b, c), d @ np.cross(c, a)])
            covered = np.all(signs > 0, axis=0) | np.all(signs < 0, axis=0)
            depth = e.depth(pts, rot[k], pos[k], origin)
            if np.any(covered & (depth > DIP_TOLERANCE)):
                worst.append((round(float(depth[covered].max()) * 1000, 1), name, k))
    assert not worst, _deepest_per_bundle(worst)


@pytest.mark.xfail(strict=True, raises=AssertionError,
                   reason="the inferior angle 2.1 mm inside at corners with full thoracic extension (-15): the upper "
                          "thorax tilts back on T4/T5 as one block and swings the angle, below that joint, into the "
                          "lower ribs; with thoracic_flexion held at 0 the blade stays outside")
def test_the_shoulder_blade_stays_outside_the_rib_cage(body, sampled):
    """The medial border rests on serratus anterior over the ribs: outside the rib cage
    at every sampled posture, within the 2 mm tolerance of the cuts above (the wrap
    needs it too: OpenSim does not wrap a segment with an end inside the surface).
    tools/fit_shoulder.py keeps it 1 mm out at its postures; what it cannot move is
    thoracic extension, where the upper thorax tilts back on T4/T5 as one block and
    swings the inferior angle, below that joint, toward the lower ribs."""
    postures, _, poses = sampled
    for e in (s for s in body.surfaces if s.name == "rib_cage"):
        rot, pos = poses[e.body]
        origin = pos[0]  # postures[0] is neutral: the body's frame is its neutral origin
        for lid in ("superior_angle", "medial_border_upper", "scapular_spine_root", "medial_border_lower",
                    "inferior_angle"):
            p = body.landmark_positions(postures, (lid,))[f"{lid}.{e.side}"]
            depth = e.depth(p, rot, pos, origin)
            assert depth.max() < DIP_TOLERANCE, (lid, e.side, round(float(depth.max()) * 1000, 1))


def test_rib_cage_is_seths_thorax_carried_over():
    """The file's `rib_cage` numbers are what tools/rib_cage.py derives from the
    reference (skips where ../shared/reference is absent)."""
    import importlib.util

    from conftest import REPO, reference_file

    path = reference_file("NeckAndShoulder.osim")
    spec = importlib.util.spec_from_file_location("rib_cage_tool", REPO / "tools" / "rib_cage.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    derived = tool.derive(path=path)
    right = next(s for s in default_model().surfaces if s.name == "rib_cage" and s.side == "right")
    assert right.body == "thorax"
    assert np.allclose(right.centre, derived["centre"], atol=1e-4)
    assert np.allclose(right.radii, derived["radii"], atol=1e-4)
    assert np.allclose(np.array(right.axes), derived["axes"], atol=1e-3)
    assert np.mean(list(derived["rib_depths"].values())) == pytest.approx(0.0, abs=1e-6)
