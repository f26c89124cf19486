"""Issue 9: the own model stays within what bodies can do.

- Lengths: over random postures anywhere in the normal range, including full-range
  combinations (corners), a muscle-tendon length changes by no more than -40 % / +50 %
  of neutral. Basis: human sarcomeres develop force between about 1.3 and 4.2 um with
  the plateau at 2.64-2.81 um (Walker & Schrodt, Anat Rec 1974;178:63-81, filament
  lengths; Lieber et al., J Neurophysiol 1994;71:874-881): from a near-optimal 2.7 um,
  -40 % is 1.6 um and +50 % is 4.05 um, the ends of the active range.
- Landmark excursions against published ranges.
- Muscles lying on the rib cage do not dip into the scapulothoracic surface between
  their ends.

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
# minor +63 -> +64 %; none comes inside.
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
    "upper_trapezius": "-53 % (upward rotation with neck extension and side bend toward); the reference reaches "
                       "-68 % / +34 % (mean of trap_cl and trap_acr; trap_cl alone -81 %)",
    "middle_trapezius": "-46 % (full retraction with upward rotation); the reference reaches -62 % / +38 %",
    "lower_trapezius": "+57 % (full shrug, protraction and upward rotation with the upper back rounded); the "
                       "reference reaches -37 % / +55 %",
    "levator_scapulae": "-66 % / +53 % (-46 % at a full shrug alone); the reference reaches -92 % / +73 %",
    "splenius_capitis": "-50 % / +50 % (full extension with side bend and rotation to its side; full flexion "
                        "with both away); the reference model reaches -59 % / +58 %",
    "longissimus_capitis": "-41 % (full extension with side bend and rotation to its side); the reference "
                           "reaches -47 %",
    "rectus_capitis_posterior_major": "-45 % / +46 % (full skull-C2 extension with side bend and rotation to its "
                                      "side; full flexion and nod with both away); the reference reaches +52 %",
    "rhomboid_major": "-57 % / +87 % (full protraction with full upward rotation); the reference reaches -71 % / +86 %",
    "rhomboid_minor": "-73 % / +62 %; the reference reaches -75 % / +71 %",
    "pectoralis_minor": "+64 % (full shrug, retraction and upward rotation together); the reference reaches "
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
# reference's AC joint kept together (bench/agreement.py, _OpenSimShoulder; issue 9's
# fifth pass): ours 48.8 mm out / 42.3 mm in; the reference's TS 67.3 mm out
# (scapula_abduction +44 degrees) / 55.5 mm in (-37 degrees), so 0.72 and 0.76 of it,
# though our clavicle is the longer (150 against its 125 mm SC-AC): its blade turns on
# its thorax ellipsoid (TS also moves 16-32 mm forward at both ends) while ours turns
# with the clavicle (see upper_body.yaml, AGREEMENT). Full retraction is within the 25 %;
# full protraction is not, a strict expected failure. (With the reference's scapula
# detached from its clavicle, as the bench had it before, the reference's TS moved
# 81.8 / 62.7 mm and both ends missed.)
MEDIAL_BORDER_TRAVEL_MISSES = {
    -25.0: "full protraction: medial border 48.8 mm out, the reference's TS 67.3 mm (0.72) at the same 25 degrees "
           "of clavicular protraction",
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


@pytest.mark.xfail(strict=True, reason="straight lines cut the surface at sampled postures: lower trapezius (T12 bundle) up to "
                   "37 mm, pectoralis minor (rib 5) 27 mm, rhomboid major (T5) 25 mm, lower trapezius (T9) 20 mm, "
                   "others 2-25 mm (counting only depth below the surface) "
                   "(measured after issue 9's fifth refit; 41, 30, 28, 26 mm before it). The engine wraps over the "
                   "ellipsoid (`wrap: scapulothoracic`, OpenSim's WrapEllipsoid) but it is not switched on: with it on "
                   "(measured before the fifth refit) "
                   "(muscle_path gives the wrapped points) the cuts stay at 41, 30, 26, 22 mm (T12, pectoralis minor "
                   "rib 5, T9, rhomboid major T5), since OpenSim does not wrap a segment with an end inside the "
                   "ellipsoid and those origins lie inside it (see upper_body.yaml, surfaces)")
def test_rib_cage_muscles_do_not_dip_into_the_chest(body):
    """Between its ends a straight segment must not go deeper into the scapulothoracic
    ellipsoid than its deeper end (2 mm tolerance): that would cut through the ribs."""
    rng = np.random.default_rng(1)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    postures = np.vstack([np.zeros(len(lo)), lo + (hi - lo) * rng.random((200, len(lo)))])
    q = body.q_from_postures(postures)
    e = body.surfaces[0]
    r_, p_ = body.body_poses(postures)[e.body]
    local = np.array(e.centre) - (p_[0] - r_[0] @ np.zeros(3))  # neutral: the body's frame is parallel to the ground
    radii = np.array(e.radii)
    t = np.linspace(0, 1, 21)
    worst = []
    for muscle in RIB_CAGE_MUSCLES:
        for side in ("left", "right"):
            for name in body.bundles(muscle, side):
                for k, path in enumerate(body.model.muscle_path(q, name)):
                    centre = r_[k] @ local + p_[k]
                    for a, b in zip(path[:-1], path[1:]):
                        pts = a + t[:, None] * (b - a)
                        u = np.einsum("ji,nj->ni", r_[k], pts - centre) / radii
                        # > 0 inside; a point outside counts as on the surface, so a line
                        # that passes above the curved surface (nearer it in the middle
                        # than at its ends) is not mistaken for a cut
                        depth = np.maximum((1 - np.linalg.norm(u, axis=1)) * radii.min(), 0.0)
                        dip = depth[1:-1].max() - max(depth[0], depth[-1])
                        if dip > 0.002:
                            worst.append((round(dip * 1000, 1), name, k))
    assert not worst, sorted(worst, reverse=True)[:10]
