"""The project's own upper-body model: its file, its API, its symmetry and its anatomy.

Anatomical expectations below are the muscles' textbook actions (Kendall; Gray's):
a muscle that produces a movement is shortened by it and lengthened by the opposite
one. A sign error in an axis, a mirrored point or a posture variable breaks them.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import yaml

from relieve.vocabulary import GROUPS, LANDMARK_IDS, MUSCLE_IDS, POSTURE_VARIABLES
from relieve.errors import ModelError, UnknownNameError, ValidationError
from relieve.model import UpperBodyModel, default_model, load_model, load_own_model

REPO = Path(__file__).resolve().parents[1]
MODEL_FILE = REPO / "src" / "relieve" / "model" / "data" / "upper_body.yaml"
LANDMARKS_DOC = REPO / "docs" / "landmarks.md"

NECK = ("neck_flexion", "neck_side_bend", "neck_rotation", "head_nod")


@pytest.fixture(scope="module")
def body() -> UpperBodyModel:
    return default_model()


def random_postures(body, n, seed=0):
    rng = np.random.default_rng(seed)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    return lo + (hi - lo) * rng.random((n, len(lo)))


def pct(body, muscle, side, **posture) -> float:
    return body.length_change_pct(muscle, side, posture)


# --------------------------------------------------------------------------- loading


def test_default_model_loads_once_and_is_the_packaged_file(body):
    assert default_model() is body
    assert isinstance(body, UpperBodyModel)
    assert body.model.name == "relieve-upper-body"
    assert len(body.muscle_sides) == 2 * len(MUSCLE_IDS)


def test_posture_variables_and_muscles_follow_the_contract(body):
    assert body.posture_variables == POSTURE_VARIABLES
    assert body.muscle_ids[: len(MUSCLE_IDS)] == MUSCLE_IDS
    assert set(body.muscle_sides) == {(m, s) for m in MUSCLE_IDS for s in ("left", "right")}
    for m, s in body.muscle_sides:
        names = body.bundles(m, s)
        assert names and all(n.startswith(m + ".") and n.endswith("." + s) for n in names)
        assert all(n in body.model.muscle_names for n in names)


def test_muscles_that_need_it_are_split_into_bundles(body):
    for muscle, at_least in [
        ("sternocleidomastoid", 2),
        ("upper_trapezius", 2),
        ("levator_scapulae", 2),
        ("splenius_capitis", 2),
        ("semispinalis_capitis", 2),
        ("longus_colli", 3),
        ("cervical_multifidus", 3),
        ("pectoralis_minor", 2),
    ]:
        assert len(body.bundle_labels(muscle)) >= at_least, muscle
    assert "sternal" in body.bundle_labels("sternocleidomastoid")
    assert "occipital" in body.bundle_labels("upper_trapezius")


def _doc_landmarks() -> dict[str, tuple[str, bool]]:
    """id -> (body, bilateral) from every table of docs/landmarks.md, ranges expanded."""
    out: dict[str, tuple[str, bool]] = {}
    for line in LANDMARKS_DOC.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] in ("id", "---") or set(cells[0]) <= {"-"}:
            continue
        ident, bod, bilateral = cells[0], cells[1], cells[2] == "yes"
        m = re.fullmatch(r"([ct])N_(\w+) \(N = (\d+)\.\.(\d+)\)", ident)
        if m:
            letter, rest, lo, hi = m.group(1), m.group(2), int(m.group(3)), int(m.group(4))
            for n in range(lo, hi + 1):
                out[f"{letter}{n}_{rest}"] = (bod.replace("cN", f"c{n}"), bilateral)
        elif re.fullmatch(r"[a-z0-9_]+", ident):
            out[ident] = (bod, bilateral)
    return out


def test_every_documented_landmark_is_placed_on_its_body(body):
    doc = _doc_landmarks()
    assert set(LANDMARK_IDS) <= set(doc)  # the parser read the whole vocabulary
    missing = sorted(set(doc) - set(body.landmark_ids))
    assert not missing, f"landmarks of docs/landmarks.md missing from the model: {missing}"
    for lid, (bod, bilateral) in doc.items():
        lm = body.landmark(lid)
        assert lm.bilateral == bilateral, lid
        # The doc's `thorax` is split into thorax and upper_thorax (explained in the doc).
        allowed = {bod, "upper_thorax"} if bod == "thorax" else {bod}
        assert lm.body in allowed, (lid, lm.body, bod)


def test_landmark_sides_mirror_and_midline(body):
    r = body.landmark_position("acromion", "right")
    l = body.landmark_position("acromion", "left")
    np.testing.assert_allclose(l, r * [1, 1, -1], atol=1e-12)
    assert r[2] > 0.15  # the shoulder tip is at the side of the body
    c7 = body.landmark_position("c7_spinous_process")
    assert c7[2] == 0.0
    np.testing.assert_allclose(body.landmark_position("c7_spinous_process", "left"), c7)
    with pytest.raises(UnknownNameError, match="bilateral"):
        body.landmark_position("acromion")
    with pytest.raises(UnknownNameError, match="no landmark 'elbow'"):
        body.landmark_position("elbow", "left")


def test_neutral_geometry_is_adult_sized(body):
    lm = lambda name, side="right": body.landmark_position(name, side)  # noqa: E731
    assert 0.14 <= np.linalg.norm(lm("acromioclavicular_joint") - lm("sternoclavicular_joint")) <= 0.16  # clavicle
    assert 0.35 <= 2 * lm("acromion")[2] <= 0.41  # biacromial breadth
    assert 0.14 <= np.linalg.norm(lm("superior_angle") - lm("inferior_angle")) <= 0.17  # scapula height
    assert 0.06 <= lm("scapular_spine_root")[2] <= 0.085  # medial border 6-8.5 cm from the spine
    head_height = lm("vertex", None)[1] - lm("menton", None)[1]
    assert 0.21 <= head_height <= 0.25
    for m, s in body.muscle_sides:
        for name in body.bundles(m, s):
            length = body.neutral_bundle_lengths[body.model.muscle_names.index(name)]
            assert 0.025 <= length <= 0.30, (name, length)
    # pectoralis minor 11-15 cm (Borstad & Ludewig 2005 measured 11-14 cm from the coracoid to the
    # 4th rib; the bundle to the 5th rib is longer)
    assert 0.10 <= np.mean(body.lengths(np.zeros(11))[0, body.column("pectoralis_minor", "right")]) <= 0.15


# --------------------------------------------------------------------------- ranges and mapping


def test_ranges_are_normal_adult_active_ranges(body):
    r = body.ranges
    assert set(r) == set(POSTURE_VARIABLES)
    for v, (lo, hi) in r.items():
        assert lo < 0 < hi, v
    assert 40 <= r["neck_flexion"][1] <= 60 and -80 <= r["neck_flexion"][0] <= -50
    assert 30 <= r["neck_side_bend"][1] <= 50 and r["neck_side_bend"][0] == -r["neck_side_bend"][1]
    assert 60 <= r["neck_rotation"][1] <= 90 and r["neck_rotation"][0] == -r["neck_rotation"][1]
    assert 10 <= r["head_nod"][1] <= 25 and -30 <= r["head_nod"][0] <= -15
    for side in ("left", "right"):
        assert r[f"scapula_elevation_{side}"] == (-5, 32)  # rettig; hallaceli (upper_body.yaml)
        assert 15 <= r[f"scapula_retraction_{side}"][1] <= 25 and -30 <= r[f"scapula_retraction_{side}"][0] <= -15
        assert 45 <= r[f"scapula_upward_rotation_{side}"][1] <= 65
    assert 10 <= r["thoracic_flexion"][1] <= 25


def test_whole_neck_motion_is_spread_by_the_vasavada_split(body):
    d = np.rad2deg(body.drive_matrix)  # degrees of coordinate per degree of variable
    names = body.coordinate_names
    col = {v: i for i, v in enumerate(body.posture_variables)}
    split = {  # Vasavada, Li & Delp 1998, table 2: skull-C2 vs C2-T1
        ("neck_flexion", "flexion"): (40, 82),
        ("neck_side_bend", "bend_right"): (13, 67),
        ("neck_rotation", "rotation_right"): (77, 55),
    }
    for (variable, kind), (up, low) in split.items():
        share = {c: d[i, col[variable]] for i, c in enumerate(names) if c.endswith(kind)}
        assert sum(share.values()) == pytest.approx(1.0)
        upper = sum(v for c, v in share.items() if c.startswith(("c0_c1", "c1_c2")))
        assert upper == pytest.approx(up / (up + low))
        # only this kind of coordinate moves
        moved = {names[i] for i in np.flatnonzero(d[:, col[variable]])}
        assert all(c.endswith(kind) for c in moved)
    # the nod is skull-C2 flexion only
    nod = d[:, col["head_nod"]]
    assert nod.sum() == pytest.approx(1.0)
    assert {body.coordinate_names[i] for i in np.flatnonzero(nod)} == {"c0_c1_flexion", "c1_c2_flexion"}


def test_q_from_postures_is_linear_and_batched(body):
    # Linear wherever no joint reaches its limit (issue 9 added joint_limits at skull-C2,
    # where a full nod and full neck extension add up): at a fifth of the ranges none does.
    p = 0.2 * random_postures(body, 7)
    q = body.q_from_postures(p)
    assert q.shape == (7, len(body.coordinate_names))
    np.testing.assert_allclose(body.q_from_postures(2 * p), 2 * q)
    np.testing.assert_allclose(body.q_from_postures(p), np.einsum("nv,cv->nc", p, body.drive_matrix))
    np.testing.assert_allclose(body.q_from_postures(p[3]), q[3:4])
    with pytest.raises(ValidationError, match="shape"):
        body.q_from_postures(np.zeros((2, 3)))


def test_posture_array_names_unknown_variables_and_bad_values(body):
    a = body.posture_array({"neck_rotation": 30, "scapula_elevation_left": 5.5})
    assert a[POSTURE_VARIABLES.index("neck_rotation")] == 30.0
    assert a[POSTURE_VARIABLES.index("scapula_elevation_left")] == 5.5
    assert np.count_nonzero(a) == 2
    with pytest.raises(UnknownNameError, match="neck_twist") as exc:
        body.posture_array({"neck_twist": 3})
    assert exc.value.field == "neck_twist"
    with pytest.raises(ValidationError, match="neck_flexion"):
        body.posture_array({"neck_flexion": "a lot"})
    with pytest.raises(ValidationError):
        body.posture_array({"neck_flexion": float("nan")})


# --------------------------------------------------------------------------- lengths


def test_neutral_gives_zero_change(body):
    assert np.abs(body.length_change_pct_batch(np.zeros((3, 11)))).max() < 1e-12
    for m, s in body.muscle_sides:
        assert body.length_change_pct(m, s, {}) == pytest.approx(0.0, abs=1e-12)


def test_batch_agrees_with_single_calls_and_bundle_means(body):
    p = random_postures(body, 5, seed=3)
    batch = body.length_change_pct_batch(p)
    lengths = body.lengths(p)
    bundle = body.bundle_lengths(p)
    names = list(body.model.muscle_names)
    for j, (m, s) in enumerate(body.muscle_sides):
        idx = [names.index(n) for n in body.bundles(m, s)]
        expect = np.mean(100 * (bundle[:, idx] / body.neutral_bundle_lengths[idx] - 1), axis=1)
        np.testing.assert_allclose(batch[:, j], expect, atol=1e-10)
        np.testing.assert_allclose(lengths[:, j], bundle[:, idx].mean(axis=1), atol=1e-14)
    posture = dict(zip(body.posture_variables, p[2]))
    assert body.length_change_pct("levator_scapulae", "left", posture) == pytest.approx(
        batch[2, body.column("levator_scapulae", "left")], abs=1e-10
    )


def test_groups_are_the_mean_of_their_members(body):
    posture = {"neck_side_bend": 20}
    for group, members in GROUPS.items():
        expect = np.mean([pct(body, m, "left", **posture) for m in members])
        assert body.length_change_pct(group, "left", posture) == pytest.approx(expect)


def test_unknown_muscle_and_side_are_refused_with_the_valid_ids(body):
    with pytest.raises(UnknownNameError, match="levator_scapulae") as exc:
        body.length_change_pct("levator", "left", {})
    assert "sternocleidomastoid" in str(exc.value)
    with pytest.raises(UnknownNameError, match="left, right"):
        body.length_change_pct("levator_scapulae", "both", {})
    with pytest.raises(UnknownNameError):
        body.bundles("biceps", "left")


def test_attachments_are_landmarks(body):
    for m in MUSCLE_IDS:
        a = body.attachments(m, "left")
        assert a["origin"] and a["insertion"]
        for lid in a["origin"] + a["insertion"]:
            assert lid in body.landmark_ids
    assert body.attachments("levator_scapulae", "right")["insertion"] == ("superior_angle",)
    assert "manubrium" in body.attachments("sternocleidomastoid", "left")["origin"]
    assert "mastoid_process" in body.attachments("sternocleidomastoid", "left")["insertion"]


# Model ends that are not themselves a knowledge-base attachment of that end, and what
# they stand for. Any other model end must be one the knowledge base lists, so that a
# figure's labelled attachments and its drawn lines agree (the lower trapezius once ran
# from T6, T9 and T12 while its labels said T4, T5 and T6).
STAND_INS = {
    ("upper_trapezius", "ligamentum_nuchae_mid"): "the ligamentum nuchae, between the occiput and C7",
    ("upper_trapezius", "acromion_medial_border"): "the inner edge of the acromion",
    ("middle_trapezius", "acromion_medial_border"): "the inner edge of the acromion",
    ("splenius_capitis", "c6_spinous_process"): "the lower half of the ligamentum nuchae, tethered at C6",
    ("rhomboid_major", "inferior_angle"): "the lower end of the medial border stretch it inserts along",
}


def test_model_ends_are_the_knowledge_base_attachments(body):
    from relieve.anatomy import knowledge_base

    kb = knowledge_base()
    used = set()
    for m in MUSCLE_IDS:
        facts = kb.muscle(m)
        for end, listed in (("origin", facts.origin), ("insertion", facts.insertion)):
            names = {a.landmark for a in listed}
            for lid in body.attachments(m, "right")[end]:
                if lid not in names:
                    assert (m, lid) in STAND_INS, f"{m} {end}: the model starts a line at {lid}, not among {sorted(names)}"
                    used.add((m, lid))
    assert used == set(STAND_INS), f"stand-ins no longer needed: {set(STAND_INS) - used}"


def test_engine_model_from_the_file_matches(body):
    engine = load_model(MODEL_FILE)
    assert engine.coordinate_names == body.coordinate_names
    assert engine.muscle_names == body.model.muscle_names
    p = random_postures(body, 4, seed=5)
    np.testing.assert_allclose(engine.muscle_lengths(body.q_from_postures(p)), body.bundle_lengths(p), atol=1e-14)


def test_model_is_immutable(body):
    with pytest.raises(AttributeError):
        body.ranges = {}
    with pytest.raises(TypeError):
        body.ranges["neck_flexion"] = (0, 1)
    with pytest.raises(ValueError):
        body.drive_matrix[0, 0] = 1.0


def test_ten_thousand_postures_in_one_call_match_smaller_calls(body):
    # How long this takes is measured by `make bench` (bench/own_model.py), not here.
    p = random_postures(body, 10_000, seed=9)
    whole = body.length_change_pct_batch(p)
    assert whole.shape == (10_000, len(body.muscle_sides)) and np.isfinite(whole).all()
    np.testing.assert_allclose(whole[4_090:4_100], body.length_change_pct_batch(p[4_090:4_100]), rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- symmetry


def test_left_muscles_mirror_right_muscles(body):
    p = random_postures(body, 200, seed=1)
    mirrored = body.mirror_postures(p)
    a = body.length_change_pct_batch(p)
    b = body.length_change_pct_batch(mirrored)
    for m in MUSCLE_IDS:
        np.testing.assert_allclose(a[:, body.column(m, "left")], b[:, body.column(m, "right")], atol=1e-9, err_msg=m)
        np.testing.assert_allclose(a[:, body.column(m, "right")], b[:, body.column(m, "left")], atol=1e-9, err_msg=m)


def test_left_landmarks_mirror_right_landmarks(body):
    p = random_postures(body, 50, seed=2)
    pos = body.landmark_positions(p)
    mpos = body.landmark_positions(body.mirror_postures(p))
    for lid in body.landmark_ids:
        if body.landmark(lid).bilateral:
            np.testing.assert_allclose(pos[f"{lid}.left"], mpos[f"{lid}.right"] * [1, 1, -1], atol=1e-12, err_msg=lid)
        else:
            np.testing.assert_allclose(pos[lid], mpos[lid] * [1, 1, -1], atol=1e-12, err_msg=lid)


def test_mirror_postures_swaps_sides(body):
    p = body.posture_array({"neck_rotation": 30, "neck_side_bend": -10, "neck_flexion": 5, "scapula_elevation_left": 7})
    m = body.mirror_postures(p)[0]
    assert m[POSTURE_VARIABLES.index("neck_rotation")] == -30
    assert m[POSTURE_VARIABLES.index("neck_side_bend")] == 10
    assert m[POSTURE_VARIABLES.index("neck_flexion")] == 5
    assert m[POSTURE_VARIABLES.index("scapula_elevation_right")] == 7
    assert m[POSTURE_VARIABLES.index("scapula_elevation_left")] == 0


# --------------------------------------------------------------------------- what moves what


HEAD_AND_NECK = ["vertex", "mastoid_process", "c1_transverse_process", "c4_articular_process", "c7_spinous_process"]
SHOULDER = ["clavicle_lateral_third", "acromion", "superior_angle", "inferior_angle", "coracoid_process"]


def _moved(body, posture, names, side="right"):
    p = body.posture_array(posture)
    out = []
    for n in names:
        s = side if body.landmark(n).bilateral else None
        out.append(np.linalg.norm(body.landmark_position(n, s, p) - body.landmark_position(n, s)))
    return max(out)


@pytest.mark.parametrize("variable", NECK)
def test_neck_variables_move_the_head_not_the_shoulder_blades(body, variable):
    lo, hi = body.ranges[variable]
    for value in (lo, hi):
        assert _moved(body, {variable: value}, ["vertex", "mastoid_process"]) > 0.005
        for side in ("left", "right"):
            assert _moved(body, {variable: value}, SHOULDER, side) < 1e-12


@pytest.mark.parametrize("kind", ["elevation", "retraction", "upward_rotation"])
def test_scapular_variables_move_their_own_shoulder_blade_only(body, kind):
    for side, other in (("left", "right"), ("right", "left")):
        variable = f"scapula_{kind}_{side}"
        hi = body.ranges[variable][1]
        assert _moved(body, {variable: hi}, SHOULDER, side) > 0.01
        assert _moved(body, {variable: hi}, SHOULDER, other) < 1e-12
        assert _moved(body, {variable: hi}, HEAD_AND_NECK) < 1e-12
    # and muscles that do not reach the shoulder girdle do not change
    for m in ("splenius_capitis", "semispinalis_capitis", "cervical_multifidus", "anterior_scalene", "longus_colli"):
        assert pct(body, m, "right", **{f"scapula_{kind}_right": 20}) == pytest.approx(0.0, abs=1e-12)


def test_thoracic_flexion_carries_neck_and_shoulders_over_the_lower_thorax(body):
    assert _moved(body, {"thoracic_flexion": 15}, ["vertex"]) > 0.02
    assert _moved(body, {"thoracic_flexion": 15}, ["acromion"]) > 0.01
    assert _moved(body, {"thoracic_flexion": 15}, ["t6_spinous_process", "t12_spinous_process", "fifth_rib_anterior"]) < 1e-12
    # rounding the upper back brings the head forward and down
    vertex = body.landmark_position("vertex", None, {"thoracic_flexion": 15}) - body.landmark_position("vertex")
    assert vertex[0] > 0.02 and vertex[1] < 0
    # it does not bend the neck: neck-only muscles keep their length
    assert pct(body, "rectus_capitis_posterior_major", "left", thoracic_flexion=15) == pytest.approx(0, abs=1e-12)


# --------------------------------------------------------------------------- anatomy (signs)

# (muscle, side, posture, +1 lengthens / -1 shortens). Postures are within the range.
ANATOMY = [
    # side bending right: the left side's lateral muscles stretch, the right ones slacken
    ("upper_trapezius", "left", {"neck_side_bend": 30}, +1),
    ("levator_scapulae", "left", {"neck_side_bend": 30}, +1),
    ("levator_scapulae", "right", {"neck_side_bend": 30}, -1),
    ("sternocleidomastoid", "left", {"neck_side_bend": 30}, +1),
    ("anterior_scalene", "left", {"neck_side_bend": 30}, +1),
    ("middle_scalene", "left", {"neck_side_bend": 30}, +1),
    ("posterior_scalene", "right", {"neck_side_bend": 30}, -1),
    ("splenius_capitis", "right", {"neck_side_bend": 30}, -1),
    # rotation to the right (chin right)
    ("levator_scapulae", "left", {"neck_rotation": 40}, +1),  # ipsilateral rotator
    ("levator_scapulae", "right", {"neck_rotation": 40}, -1),
    ("sternocleidomastoid", "left", {"neck_rotation": 40}, -1),  # the left SCM turns the face right
    ("sternocleidomastoid", "right", {"neck_rotation": 40}, +1),
    ("upper_trapezius", "right", {"neck_rotation": 40}, +1),  # contralateral rotator
    ("splenius_capitis", "right", {"neck_rotation": 40}, -1),  # ipsilateral rotator
    ("splenius_capitis", "left", {"neck_rotation": 40}, +1),
    ("splenius_cervicis", "right", {"neck_rotation": 40}, -1),
    ("longissimus_capitis", "left", {"neck_rotation": 40}, +1),
    ("obliquus_capitis_inferior", "right", {"neck_rotation": 40}, -1),  # turns the atlas to its side
    ("obliquus_capitis_inferior", "left", {"neck_rotation": 40}, +1),
    ("rectus_capitis_posterior_major", "right", {"neck_rotation": 40}, -1),
    ("rectus_capitis_posterior_major", "left", {"neck_rotation": 40}, +1),
    ("cervical_multifidus", "right", {"neck_rotation": 40}, +1),  # contralateral rotator
    ("semispinalis_cervicis", "right", {"neck_rotation": 40}, +1),
    # flexion stretches the posterior neck, slackens the anterior
    *[(m, s, {"neck_flexion": 40}, +1) for m in (
        "upper_trapezius", "levator_scapulae", "splenius_capitis", "splenius_cervicis", "semispinalis_capitis",
        "semispinalis_cervicis", "longissimus_capitis", "cervical_multifidus", "rectus_capitis_posterior_major",
        "rectus_capitis_posterior_minor", "obliquus_capitis_superior") for s in ("left", "right")],
    *[(m, "left", {"neck_flexion": 40}, -1) for m in ("sternocleidomastoid", "longus_colli", "longus_capitis", "anterior_scalene")],
    *[(m, "right", {"neck_flexion": -40}, -1) for m in ("splenius_capitis", "semispinalis_capitis", "upper_trapezius")],
    *[(m, "right", {"neck_flexion": -40}, +1) for m in ("longus_colli", "longus_capitis", "anterior_scalene")],
    # the chin tuck (upper-neck flexion) stretches the suboccipitals and slackens longus capitis
    *[(m, s, {"head_nod": 12}, +1) for m in GROUPS["suboccipitals"] for s in ("left", "right")],
    ("semispinalis_capitis", "left", {"head_nod": 12}, +1),
    ("longus_capitis", "left", {"head_nod": 12}, -1),
    *[(m, "right", {"head_nod": -15}, -1) for m in ("rectus_capitis_posterior_minor", "rectus_capitis_posterior_major", "obliquus_capitis_superior")],
    # shrug (scapular elevation) slackens the elevators, stretches the depressors
    ("upper_trapezius", "right", {"scapula_elevation_right": 20}, -1),
    ("levator_scapulae", "right", {"scapula_elevation_right": 20}, -1),
    ("rhomboid_minor", "right", {"scapula_elevation_right": 20}, -1),
    ("lower_trapezius", "right", {"scapula_elevation_right": 20}, +1),
    ("pectoralis_minor", "right", {"scapula_elevation_right": 20}, +1),
    ("upper_trapezius", "right", {"scapula_elevation_right": -5}, +1),
    ("levator_scapulae", "left", {"scapula_elevation_left": -5}, +1),
    # retraction slackens the retractors, stretches pectoralis minor
    ("rhomboid_major", "right", {"scapula_retraction_right": 15}, -1),
    ("rhomboid_minor", "right", {"scapula_retraction_right": 15}, -1),
    ("middle_trapezius", "right", {"scapula_retraction_right": 15}, -1),
    ("lower_trapezius", "right", {"scapula_retraction_right": 15}, -1),
    ("pectoralis_minor", "right", {"scapula_retraction_right": 15}, +1),
    ("rhomboid_major", "left", {"scapula_retraction_left": -20}, +1),
    ("middle_trapezius", "left", {"scapula_retraction_left": -20}, +1),
    ("pectoralis_minor", "left", {"scapula_retraction_left": -20}, -1),
    # upward rotation stretches the downward rotators, slackens upper trapezius
    ("levator_scapulae", "right", {"scapula_upward_rotation_right": 30}, +1),
    ("rhomboid_major", "right", {"scapula_upward_rotation_right": 30}, +1),
    ("rhomboid_minor", "right", {"scapula_upward_rotation_right": 30}, +1),
    ("pectoralis_minor", "right", {"scapula_upward_rotation_right": 30}, +1),
    ("upper_trapezius", "right", {"scapula_upward_rotation_right": 30}, -1),
    ("lower_trapezius", "right", {"scapula_upward_rotation_right": 15}, -1),
    ("levator_scapulae", "left", {"scapula_upward_rotation_left": -10}, -1),
    ("rhomboid_major", "left", {"scapula_upward_rotation_left": -10}, -1),
    # rounding the upper back: pectoralis minor slackens, lower trapezius stretches (kendall)
    ("pectoralis_minor", "right", {"thoracic_flexion": 15}, -1),
    ("lower_trapezius", "left", {"thoracic_flexion": 15}, +1),
    ("splenius_cervicis", "left", {"thoracic_flexion": 15}, +1),
]


@pytest.mark.parametrize("muscle,side,posture,sign", ANATOMY, ids=lambda x: str(x) if not isinstance(x, dict) else ",".join(f"{k}={v}" for k, v in x.items()))
def test_anatomical_sign(body, muscle, side, posture, sign):
    change = body.length_change_pct(muscle, side, posture)
    assert change * sign > 0.1, f"{muscle} {side} {posture}: {change:+.2f} %"


def test_clinical_stretch_and_ease_of_levator_scapulae(body):
    """The classic levator stretch (flex, turn and bend away) lengthens it much more than
    any single movement; the position of ease (bend toward, shrug) shortens it."""
    stretch = pct(body, "levator_scapulae", "left", neck_flexion=30, neck_rotation=40, neck_side_bend=30)
    assert stretch > max(pct(body, "levator_scapulae", "left", neck_flexion=30), pct(body, "levator_scapulae", "left", neck_side_bend=30)) + 2
    ease = pct(body, "levator_scapulae", "left", neck_side_bend=-20, scapula_elevation_left=15)
    assert ease < -15


# --------------------------------------------------------------------------- shoulder blade kinematics


def test_scapular_variables_do_what_their_names_say(body):
    def move(name, posture):
        return body.landmark_position(name, "right", posture) - body.landmark_position(name, "right")

    up = move("acromioclavicular_joint", {"scapula_elevation_right": 1})
    assert up[1] == pytest.approx(0.15 * np.deg2rad(1), rel=0.05)  # 150 mm clavicle
    # a shrug carries the whole blade up the chest wall (it tilts a little as it follows
    # the wall, as the thoracoscapular model of Seth et al. 2019 does)
    ac = move("acromioclavicular_joint", {"scapula_elevation_right": 20})[1]
    for name in ("inferior_angle", "superior_angle", "scapular_spine_root"):
        assert 0.8 * ac <= move(name, {"scapula_elevation_right": 20})[1] <= 1.2 * ac, name
    back = move("scapular_spine_root", {"scapula_retraction_right": 10})
    assert back[2] < -0.015  # toward the spine
    assert move("acromion", {"scapula_retraction_right": 10})[0] < -0.012  # shoulder back
    rot = {"scapula_upward_rotation_right": 20}
    assert move("glenoid_center", rot)[1] > 0.02  # glenoid up
    assert move("inferior_angle", rot)[2] > 0.03  # inferior angle out
    assert move("scapular_spine_root", rot)[1] < 0  # spine root down


def test_upward_rotation_turns_the_medial_border(body):
    """One degree of the variable turns the scapula one degree in its plane (contract
    section 1; tests/test_model_physiology.py checks the in-plane angle precisely): the
    medial border's direction turns by about the angle."""
    n = body.posture_array({"scapula_upward_rotation_right": 20})
    a0 = body.landmark_position("inferior_angle", "right") - body.landmark_position("superior_angle", "right")
    a1 = body.landmark_position("inferior_angle", "right", n) - body.landmark_position("superior_angle", "right", n)
    angle = np.rad2deg(np.arccos(a0 @ a1 / np.linalg.norm(a0) / np.linalg.norm(a1)))
    assert 19 <= angle <= 23


def _surface_gap_mm(body, points):
    """How far the points stand off the scapulothoracic surface (its body does not move
    in the postures these tests take)."""
    return next(e for e in body.surfaces if e.name == "scapulothoracic").gap(points) * 1000


MEDIAL_BORDER = ["superior_angle", "medial_border_upper", "scapular_spine_root", "medial_border_lower", "inferior_angle"]


@pytest.mark.parametrize(
    "variable,lo,hi,limit_mm",
    [
        ("scapula_retraction", -25, 20, 13),  # the whole range
        ("scapula_upward_rotation", -10, 20, 12),  # the first part of arm elevation
        pytest.param(
            "scapula_upward_rotation", 20, 60, 12,  # the rest of the range (issue 9)
            marks=pytest.mark.xfail(
                strict=True, raises=AssertionError,
                reason="the inferior angle lifts off the chest wall: 10 mm at 20, 28 mm at 40 and 60 mm at 60 degrees "
                       "(the superior angle 11 mm into it at 60). The blade's other turns follow upward rotation in "
                       "fixed proportion, where the chest's curve asks for more of them the further it turns; the "
                       "shoulder fit holding the whole range to 12 mm (tools/fit_shoulder.py, GLIDE to 60) left the "
                       "angle 19 mm off at 60 and the border 14 mm in, with a worst reference row of 8.7 pp and 17.6 "
                       "degrees in the blade's plane at 20: not kept. Quadratic couplings (tried in an "
                       "earlier session on a branch that was not kept; best variant: the border within 15 mm to 60 degrees, the "
                       "plane held, points on the blade outside the surface at every posture): 15.5 mm at 60, shoulder "
                       "RMS 3.22 pp, worst row 6.5, middle trapezius inside the bound; but its T3 path 3.1 mm under the "
                       "blade, levator -73/+52 %, lower trapezius +65 %: not kept either"),
        ),
        ("scapula_elevation", -5, 10, 16),  # the superior angle rises above the ribs beyond this
    ],
)
def test_scapula_glides_on_the_chest_wall(body, variable, lo, hi, limit_mm):
    assert body.surfaces[0].name == "scapulothoracic"
    for side in ("left", "right"):
        values = np.linspace(lo, hi, 10)
        p = np.zeros((10, 11))
        p[:, body.posture_variables.index(f"{variable}_{side}")] = values
        pos = body.landmark_positions(p, MEDIAL_BORDER)
        for name in MEDIAL_BORDER:
            pts = pos[f"{name}.{side}"] * ([1, 1, -1] if side == "left" else 1)
            gap = _surface_gap_mm(body, pts)
            assert np.abs(gap).max() < limit_mm, (name, side, np.round(gap, 1))
    # in the neutral posture the border lies on the surface
    neutral = body.landmark_positions(np.zeros((1, 11)), MEDIAL_BORDER)
    assert max(abs(_surface_gap_mm(body, neutral[f"{n}.right"])[0]) for n in MEDIAL_BORDER) < 3.5


def test_muscle_paths_stay_out_of_the_vertebral_bodies(body):
    postures = [{}]
    for v, (lo, hi) in body.ranges.items():
        postures += [{v: lo}, {v: hi}]
    postures += [
        {"neck_flexion": 50, "neck_rotation": 70},
        {"neck_flexion": -60, "neck_side_bend": 40},
        {"neck_rotation": -70, "neck_side_bend": -40, "head_nod": 15},
    ]
    p = body.postures_array(postures)
    q = body.q_from_postures(p)
    assert body.obstacles
    for ob in body.obstacles:
        centres = body.point_in_ground(p, ob.body, ob.centre)
        for name in body.model.muscle_names:
            for k, path in enumerate(body.model.muscle_path(q, name)):
                a, d = path[:-1], np.diff(path, axis=0)
                t = np.clip(np.einsum("sj,sj->s", centres[k] - a, d) / np.einsum("sj,sj->s", d, d), 0, 1)
                gap = np.linalg.norm(a + t[:, None] * d - centres[k], axis=1).min() - ob.radius
                assert gap > 0.0005, f"{name} passes {gap * 1000:.1f} mm from {ob.name} in {postures[k]}"


def test_muscle_paths_helper(body):
    paths = body.muscle_paths("upper_trapezius", "left", {"neck_side_bend": -20})
    assert set(paths) == set(body.bundle_labels("upper_trapezius"))
    occ = paths["occipital"]
    assert occ.shape == (3, 3)  # origin, one via point (posterolateral neck), insertion
    assert np.all(occ[:, 2] < 0)  # the left side


# --------------------------------------------------------------------------- loader validation


def _load_modified(tmp_path, edit) -> UpperBodyModel:
    doc = yaml.safe_load(MODEL_FILE.read_text(encoding="utf-8"))
    edit(doc)
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return load_own_model(path)


def test_loader_round_trips_the_file(tmp_path):
    again = _load_modified(tmp_path, lambda doc: None)
    np.testing.assert_allclose(again.neutral_bundle_lengths, default_model().neutral_bundle_lengths)


@pytest.mark.parametrize(
    "edit,match",
    [
        (lambda d: d["muscles"]["levator_scapulae"]["bundles"]["c2"].update(path=["c2_transverse_process_posterior", "superior_angel"]),
         r"muscles\.levator_scapulae\.c2\.path\[1\].*unknown landmark 'superior_angel'"),
        (lambda d: d["muscles"]["rectus_capitis_posterior_minor"].update(path=["inferior_nuchal_line_medial"]),
         r"muscles\.rectus_capitis_posterior_minor\.path.*at least 2 points"),
        (lambda d: d["landmarks"]["acromion"].update(body="shoulder"), r"landmarks\.acromion\.body.*unknown body 'shoulder'"),
        (lambda d: d["landmarks"]["acromion"].update(at=[0.0, -0.02, -0.19]), r"landmarks\.acromion\.at.*right-side"),
        (lambda d: d["posture_variables"]["neck_flexion"].update(range=[10, 50]), r"posture_variables\.neck_flexion\.range.*bad range"),
        (lambda d: d["posture_variables"].pop("head_nod"), r"posture_variables.*missing head_nod"),
        (lambda d: d["posture_variables"].update(neck_twist={"range": [-1, 1], "drives": {"c0_c1_flexion": 1}}), r"unknown neck_twist"),
        (lambda d: d["muscles"].pop("longus_capitis"), r"missing contract muscle\(s\): longus_capitis"),
        (lambda d: d["bodies"]["c4"].update(parent="c9"), r"bodies\.c4\.parent.*unknown body 'c9'"),
        (lambda d: d["posture_variables"]["neck_rotation"]["spread"][0]["levels"].update(c1_c2_twist=3), r"neck_rotation.*unknown coordinate 'c1_c2_twist'"),
        (lambda d: d["muscles"]["pectoralis_minor"]["bundles"]["rib3"].update(path=[{"via": "x", "body": "scapula", "at": [0, 0, 0.1]}, "coracoid_process"]),
         r"pectoralis_minor\.rib3\.path.*origin and insertion.*landmarks"),
        (lambda d: d["bodies"]["c3"]["axes"][0].update(axis=[0, 0, 0]), r"bodies\.c3\.axes\[0\]\.axis.*zero length"),
        (lambda d: d.update(colour="blue"), r"unknown key\(s\) colour"),
    ],
)
def test_loader_refuses_bad_files_naming_the_entry(tmp_path, edit, match):
    with pytest.raises(ModelError, match=match):
        _load_modified(tmp_path, edit)


def test_loader_refuses_a_key_given_twice(tmp_path):
    text = MODEL_FILE.read_text(encoding="utf-8")
    text = text.replace("  mastoid_process:                 {body: skull", "  mastoid_process: {body: skull, at: [0, 0.1, 0.05]}\n  mastoid_process:                 {body: skull", 1)
    path = tmp_path / "dup.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ModelError, match="'mastoid_process' is given twice"):
        load_own_model(path)


def test_loader_refuses_missing_and_malformed_files(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_own_model(tmp_path / "absent.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("bodies: [unclosed\n", encoding="utf-8")
    with pytest.raises(ModelError, match="malformed YAML"):
        load_own_model(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ModelError, match="mapping"):
        load_own_model(bad)


def test_computing_only_some_muscles_gives_the_same_numbers():
    """The planner asks for one or two muscle-sides; those columns alone are computed,
    walking only the joints their bodies hang from, and must equal the full
    computation's exactly - every muscle-side alone, and some together."""
    body = default_model()
    rng = np.random.default_rng(7)
    postures = rng.uniform(-20, 20, (300, len(body.posture_variables)))
    full = body.length_change_pct_batch(postures)
    for columns in ([[c] for c in range(len(body.muscle_sides))]
                    + [[body.column("levator_scapulae", "left"), body.column("upper_trapezius", "right")],
                       list(range(len(body.muscle_sides)))[::-5]]):
        assert np.array_equal(body.length_change_pct_batch(postures, columns), full[:, columns]), columns
    # a deep neck muscle needs no shoulder girdle, a shoulder-blade muscle not the other side's
    n_joints = len(body.model._kernel_args[0])
    for muscle, side in (("longus_colli", "left"), ("rhomboid_major", "right")):
        bundles = np.array([body.model._muscle_index[n] for n in body.bundles(muscle, side)])
        assert len(body.model._subset_args(bundles)[0][0]) < n_joints - 1, (muscle, side)
    q = body.q_from_postures(postures)
    lengths = body.model.muscle_lengths(q)
    for muscles in ([3, 1], [1, 3], [3, 1]):  # the last asks again: the kept subset must be the same
        assert np.array_equal(body.model.muscle_lengths(q, muscles=muscles), lengths[:, muscles])


# --------------------------------------------------------------------------- joint limits (issue 9)


def test_skull_c2_stops_at_its_own_arc(body):
    """A full nod on top of full neck extension cannot put more than the skull-C2 arc of
    Vasavada et al. 1998 (40 degrees: extension 25, flexion 15) into C0-C2: the joints
    stop at their limits, so adding the nod at full extension changes the head's
    orientation only as far as those limits allow, and muscle lengths follow the joints."""
    names = body.coordinate_names
    upper = [names.index("c0_c1_flexion"), names.index("c1_c2_flexion")]
    for posture in ({"neck_flexion": -60, "head_nod": -25}, {"neck_flexion": 50, "head_nod": 15}):
        q = body.q_from_postures(body.posture_array(posture)[None, :])[0]
        total = np.rad2deg(q[upper].sum())
        assert -25.0 - 0.01 <= total <= 15.0 + 0.01, (posture, total)  # limits given to 0.001 degree
    # The nod alone is unaffected: its range is the arc.
    q = body.q_from_postures(body.posture_array({"head_nod": -25})[None, :])[0]
    assert np.rad2deg(q[upper].sum()) == pytest.approx(-25.0, abs=1e-9)
    # Lengths come from the limited joints, not from a clipped number.
    a = body.length_change_pct("rectus_capitis_posterior_major", "right", {"neck_flexion": -60, "head_nod": -25})
    b = body.length_change_pct("rectus_capitis_posterior_major", "right", {"neck_flexion": -60, "head_nod": -20})
    assert a == pytest.approx(b)  # already at the extension limit


@pytest.mark.parametrize(
    "limits,match",
    [
        ({"no_such_coordinate": [-10, 10]}, "joint_limits.no_such_coordinate"),
        ({"c0_c1_flexion": [5, 10]}, "neutral"),
        ({"c0_c1_flexion": [-10]}, "lowest, highest"),
    ],
)
def test_joint_limits_are_checked(tmp_path, limits, match):
    with pytest.raises(ModelError, match=match):
        _load_modified(tmp_path, lambda doc: doc.__setitem__("joint_limits", limits))


def _with_wrap(tmp_path, text_edit):
    path = tmp_path / "upper_body.yaml"
    path.write_text(text_edit(MODEL_FILE.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_a_muscle_marked_wrap_goes_over_the_named_surface_not_through_it(tmp_path, body):
    """`wrap: <surface>` on a muscle (or a bundle) makes the engine wrap its path over that
    ellipsoid (OpenSim's WrapEllipsoid semantics, tests/test_engine_reference.py): where the
    straight line passes through the surface the path gets longer and its points stay
    on or outside the surface; elsewhere the length is the straight one."""
    def rhomboid_major_wraps(over):
        def edit(text):
            start = text.index("\n  rhomboid_major:\n")
            line = text.index("    wrap: rib_cage", start)
            end = text.index("\n", line) + 1
            return text[:line] + (f"    wrap: {over}\n" if over else "") + text[end:]
        return load_own_model(_with_wrap(tmp_path, edit))

    wrapped, body = rhomboid_major_wraps("scapulothoracic"), rhomboid_major_wraps(None)
    names = wrapped.bundles("rhomboid_major", "right") + wrapped.bundles("rhomboid_major", "left")
    assert all(wrapped.model.muscles[wrapped.model._muscle_index[n]].wraps == ("scapulothoracic",) for n in names)
    assert not any(body.model.muscles[body.model._muscle_index[n]].wraps for n in names)
    others = [(m.name, m.wraps) for m in wrapped.model.muscles if not m.name.startswith("rhomboid_major")]
    assert others == [(m.name, m.wraps) for m in default_model().model.muscles if not m.name.startswith("rhomboid_major")]
    rng = np.random.default_rng(4)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    q = body.q_from_postures(lo + (hi - lo) * rng.random((300, len(lo))))
    cols = [body.model._muscle_index[n] for n in names]
    straight, over = body.model.muscle_lengths(q)[:, cols], wrapped.model.muscle_lengths(q)[:, cols]
    assert np.all(over >= straight - 1e-12)
    longer = over - straight > 1e-4
    assert 0.01 < longer.mean() < 0.9, longer.mean()  # it wraps at some postures, not at all
    e = wrapped.surfaces[0]
    r_, p_ = wrapped.body_poses(np.zeros((1, len(lo))))[e.body]
    k, j = (int(v) for v in np.argwhere(longer)[0])
    pts = wrapped.model.muscle_path(q[k : k + 1], names[j])[0]
    rk, pk = wrapped.model.body_transforms(q[k : k + 1])[e.body]
    centre = rk[0] @ (np.array(e.centre) - p_[0]) + pk[0]
    u = ((pts[1:-1] - centre) @ rk[0]) / np.array(e.radii)  # the wrap's points: tangents and arc
    assert len(pts) > 2 and np.linalg.norm(u, axis=1).min() > 1 - 1e-9


def test_wrap_naming_an_unknown_surface_is_refused(tmp_path):
    path = _with_wrap(tmp_path, lambda t: t.replace("\n  upper_trapezius:\n", "\n  upper_trapezius:\n    wrap: ribcage\n", 1))
    with pytest.raises(ModelError, match="unknown surface 'ribcage'") as err:
        load_own_model(path)
    assert err.value.field == "muscles.upper_trapezius.wrap"


def test_surface_depth_at_several_poses_is_each_pose_alone(body):
    """``Ellipsoid.depth`` with one body pose per row of points gives what each pose gives
    alone (the fit tool and the rib-cage tests ask for whole batches)."""
    e = next(s for s in body.surfaces if s.name == "scapulothoracic")  # rides on the upper thorax
    postures = random_postures(body, 6, seed=3)
    rot, pos = body.body_poses(postures)[e.body]
    assert np.ptp(rot, axis=0).max() > 0.05  # the poses differ (thoracic flexion)
    origin = body.body_poses(np.zeros((1, len(body.posture_variables))))[e.body][1][0]
    points = np.random.default_rng(4).normal(np.array(e.centre), 0.08, (6, 5, 3))
    batch = e.depth(points, rot, pos, origin)
    assert batch.shape == (6, 5)
    for k in range(6):
        np.testing.assert_allclose(batch[k], e.depth(points[k], rot[k], pos[k], origin), rtol=0, atol=1e-15)
    assert (batch > 0).any() and (batch < 0).any()  # points on both sides of the surface


def test_surface_gap_is_the_distance_to_the_surface_along_the_ray_from_its_centre(body):
    """``Ellipsoid.gap``: a point at 1.5 times the surface's reach along any ray stands
    off by half that reach, one at 0.5 times lies that far inside, one on the surface
    has no gap - for the tilted rib cage too (its axes are not the frame's)."""
    rng = np.random.default_rng(6)
    for e in (s for s in body.surfaces if s.side in (None, "right")):
        u = rng.normal(size=(20, 3))
        u /= np.linalg.norm(u, axis=-1, keepdims=True)
        reach = 1.0 / np.linalg.norm(u / np.array(e.radii), axis=-1)  # along u in the surface's own axes
        rays = u @ np.array(e.axes).T  # the same directions in the body's frame
        for scale, expected in ((1.5, 0.5), (0.5, -0.5), (1.0, 0.0)):
            points = np.array(e.centre) + rays * (scale * reach)[:, None]
            np.testing.assert_allclose(e.gap(points), expected * reach, atol=1e-12)


def test_a_bilateral_surface_is_mirrored_and_each_side_wraps_over_its_own(body):
    """`bilateral: true` gives the surface for the right side; the left one is its mirror
    image, and `wrap: rib_cage` means the muscle's own side's."""
    right, left = (next(s for s in body.surfaces if s.name == "rib_cage" and s.side == side) for side in ("right", "left"))
    mirror = np.diag([1.0, 1.0, -1.0])
    assert np.allclose(left.centre, mirror @ np.array(right.centre)) and left.radii == right.radii
    assert np.allclose(np.abs(np.array(left.axes)), np.abs(mirror @ np.array(right.axes) @ mirror))
    probe = np.array(right.centre) + np.array(right.axes) @ (0.9 * np.array(right.radii) * np.array([0.6, 0.0, 0.8]))
    assert right.depth(probe, np.eye(3), np.zeros(3), np.zeros(3)) > 0  # inside
    assert left.depth(mirror @ probe, np.eye(3), np.zeros(3), np.zeros(3)) == pytest.approx(
        right.depth(probe, np.eye(3), np.zeros(3), np.zeros(3)))
    for side in ("left", "right"):
        for name in body.bundles("rhomboid_minor", side):
            assert body.model.muscles[body.model._muscle_index[name]].wraps == (f"rib_cage.{side}",)
    assert {w.name for w in body.model.wrap_objects} == {"rib_cage.left", "rib_cage.right"}


@pytest.mark.parametrize(
    "edit,field,message",
    [
        (("      centre: [0.0277, -0.2044, 0.0700]", "      centre: [0.0277, -0.2044, -0.0700]"),
         "surfaces.rib_cage.ellipsoid.centre", "given for the right side"),
        (("        - [0.9531, 0.2999, -0.0408]", "        - [0.9531, 0.2999, 0.5]"),
         "surfaces.rib_cage.ellipsoid.axes", "orthogonal unit vectors"),
        (("    body: thorax\n    bilateral: true", "    body: thorax\n    bilateral: sometimes"), "surfaces.rib_cage.bilateral", "true or false"),
    ],
)
def test_a_malformed_rib_cage_surface_is_refused_naming_the_field(tmp_path, edit, field, message):
    old, new = edit
    path = _with_wrap(tmp_path, lambda t: t.replace(old, new, 1))
    with pytest.raises(ModelError, match=message) as err:
        load_own_model(path)
    assert err.value.field == field


def test_a_drawn_wrapped_path_is_as_long_as_the_muscle(body):
    """muscle_path draws each wrapped bundle over its own surface (the left and right rib
    cages are two wrap objects): the drawn polyline is as long as the computed length
    (its arc is drawn as chords, so a little shorter), at postures where they wrap."""
    rng = np.random.default_rng(7)
    lo = np.array([body.ranges[v][0] for v in body.posture_variables])
    hi = np.array([body.ranges[v][1] for v in body.posture_variables])
    q = body.q_from_postures(lo + (hi - lo) * rng.random((40, len(lo))))
    lengths = body.model.muscle_lengths(q)
    wrapped = [k for k, m in enumerate(body.model.muscles) if m.wraps]
    assert wrapped
    drawn_over = 0
    for k in wrapped:
        for i, path in enumerate(body.model.muscle_path(q, body.model.muscles[k].name)):
            drawn = np.linalg.norm(np.diff(path, axis=0), axis=1).sum()
            assert drawn == pytest.approx(lengths[i, k], rel=2e-3), (body.model.muscles[k].name, i)
            drawn_over += len(path) > len(body.model.muscles[k].points)
    assert drawn_over > 0


def test_a_posture_gives_the_same_numbers_alone_or_in_a_large_batch(body):
    """A batch larger than one piece (``PIECE``) is computed piece by piece on both
    cores; every posture's numbers are exactly those it gives alone, for every
    muscle-side and for a few columns."""
    postures = random_postures(body, 3 * body.PIECE + 7, seed=12)
    columns = [0, 5, len(body.muscle_sides) - 1]
    whole, some = body.length_change_pct_batch(postures), body.length_change_pct_batch(postures, columns)
    assert whole.shape == (len(postures), len(body.muscle_sides)) and some.shape == (len(postures), 3)
    for k in (0, body.PIECE - 1, body.PIECE, 2 * body.PIECE + 3, len(postures) - 1):
        assert np.array_equal(whole[k], body.length_change_pct_batch(postures[k])[0])
        assert np.array_equal(some[k], body.length_change_pct_batch(postures[k], columns)[0])
