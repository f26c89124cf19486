"""The project's own model against published OpenSim models (test data only).

(a) neck muscles vs the Mortensen/Vasavada head-neck model, read with our OpenSim
    loader; (b) scapular muscles vs the thoracoscapular shoulder of NeckAndShoulder.osim,
    evaluated with OpenSim. The comparison itself lives in bench/agreement.py (``make
    bench`` prints its tables); see its docstring for how postures are matched.
Targets: the sign of the percent length change agrees in >= 95 % of muscle-postures
where the reference changes by >= 1 %, and Pearson r >= 0.9 over all of them.
Both skip, naming the missing file, where ../shared/reference is absent; (b) also
skips when the opensim package is not installed.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from conftest import REPO
from conftest import reference_file as _reference


@pytest.fixture(scope="module")
def agreement():
    spec = importlib.util.spec_from_file_location("bench_agreement", REPO / "bench" / "agreement.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def neck(agreement):
    return agreement.neck_agreement(_reference("Mortensen2014_rigidTorso.osim"))


@pytest.fixture(scope="module")
def shoulder(agreement):
    path = _reference("NeckAndShoulder.osim")
    try:
        import opensim  # noqa: F401
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"opensim is not installed ({exc}); it evaluates NeckAndShoulder.osim, whose wrap objects our loader refuses")
    return agreement.shoulder_agreement(path)


def test_neck_comparison_covers_every_pair_posture_and_side(agreement, neck):
    assert len(neck.rows) == len(agreement.NECK_PAIRS) * len(agreement.NECK_POSTURES) * 2
    assert neck.n_compared > 200
    ours = {r.muscle.split(".")[0] for r in neck.rows}
    assert {"sternocleidomastoid", "upper_trapezius", "levator_scapulae", "splenius_capitis",
            "semispinalis_capitis", "longus_colli", "rectus_capitis_posterior_major"} <= ours


def test_neck_signs_agree_with_mortensen(agreement, neck):
    bad = ", ".join(f"{r.muscle} {r.side} {r.posture}" for r in neck.disagreements())
    assert neck.sign_agreement_pct >= agreement.SIGN_TARGET, f"{neck.sign_agreement_pct:.1f} %; disagreements: {bad}"


def test_neck_percent_changes_correlate_with_mortensen(agreement, neck):
    assert neck.correlation >= agreement.CORRELATION_TARGET


def test_neck_agreement_holds_per_plane_of_motion(neck):
    """No plane may hide behind the others: each keeps a strong correlation."""
    for plane in ("flexion", "side bend", "rotation", "nod"):
        rows = [r for r in neck.rows if r.posture.startswith(plane)]
        r = np.corrcoef([x.ours_pct for x in rows], [x.reference_pct for x in rows])[0, 1]
        assert r >= 0.85, (plane, r)


def test_reference_whole_neck_split_uses_its_own_table(agreement):
    """The reference postures follow Vasavada's split and the reference's signs."""
    postures = {label: ref for label, _, ref in agreement.NECK_POSTURES}
    assert postures["flexion +25"]["pitch1"] == pytest.approx(-25 * 40 / 122)
    assert postures["flexion +25"]["pitch2"] == pytest.approx(-25 * 82 / 122)
    assert postures["side bend +25"]["roll2"] == pytest.approx(25 * 67 / 80)
    assert postures["rotation +30"]["yaw1"] == pytest.approx(-30 * 77 / 132)  # yaw + is LEFT rotation
    assert postures["nod +12"] == {"pitch1": -12.0}


def test_shoulder_signs_agree_with_the_thoracoscapular_model(agreement, shoulder):
    summary, matched = shoulder
    assert len(matched) == len(agreement.SHOULDER_POSTURES)
    bad = ", ".join(f"{r.muscle} {r.posture}" for r in summary.disagreements())
    assert summary.n_compared >= 60
    assert summary.sign_agreement_pct >= agreement.SIGN_TARGET, f"{summary.sign_agreement_pct:.1f} %; disagreements: {bad}"


def test_shoulder_percent_changes_correlate(agreement, shoulder):
    summary, _ = shoulder
    assert summary.correlation >= agreement.CORRELATION_TARGET


def test_shoulder_primary_actions_agree_everywhere(shoulder):
    """Each muscle's main action agrees in every posture: elevators and retractors."""
    summary, _ = shoulder
    for r in summary.rows:
        if r.muscle in ("levator_scapulae", "rhomboid_minor", "rhomboid_major") and "elevation" in r.posture:
            assert r.ours_pct < 0 and r.reference_pct < 0, r
        if r.muscle in ("rhomboid_minor", "rhomboid_major", "middle_trapezius") and r.posture.startswith("retraction"):
            assert r.ours_pct < 0 and r.reference_pct < 0, r
        if r.muscle == "pectoralis_minor" and r.posture.startswith(("retraction", "upward")):
            assert r.ours_pct > 0 and r.reference_pct > 0, r


# ---------------------------------------------------------------- issue 9: sizes, not only signs


def test_neck_magnitudes_rms_within_target(agreement, neck):
    assert neck.rms_pp <= agreement.NECK_TARGETS.rms_pp, f"{neck.rms_pp:.2f} pp"
    assert neck.sign_agreement_pct >= agreement.NECK_TARGETS.sign_pct


@pytest.mark.xfail(strict=True, reason="slope 0.83 (target 0.85-1.15; 0.81 before the cervical pitch became the "
                   "published 17.5 mm): rectus capitis posterior major and minor in nodding, semispinalis capitis "
                   "from T1, splenius capitis from C6, longissimus capitis and sternocleidomastoid's clavicular head "
                   "carry most of the gap (bench/agreement.py, per-muscle table; the scalenes, longus colli and the "
                   "upper trapezius from C7 weigh too little to move it); more leverage for the "
                   "posterior muscles would push splenius capitis and rectus capitis posterior major further past the "
                   "-40 % bound, which the reference breaks too (see upper_body.yaml, AGREEMENT)")
def test_neck_magnitudes_slope_within_target(agreement, neck):
    lo, hi = agreement.NECK_TARGETS.slope
    assert lo <= neck.slope <= hi, f"{neck.slope:.2f}"


def test_shoulder_magnitudes_rms_and_r_within_target(agreement, shoulder):
    summary, _ = shoulder
    assert summary.rms_pp <= agreement.SHOULDER_TARGETS.rms_pp, f"{summary.rms_pp:.2f} pp"
    assert summary.correlation >= agreement.SHOULDER_TARGETS.correlation


def test_shoulder_no_row_off_by_more_than_target(agreement, shoulder):
    summary, _ = shoulder
    worst = summary.worst(1)[0]
    assert abs(worst.ours_pct - worst.reference_pct) <= agreement.SHOULDER_TARGETS.worst_pp, worst


def test_the_reference_shoulder_keeps_its_ac_joint_together(agreement, shoulder):
    """The reference is compared in postures it can take: at neutral and at abduction,
    elevation and upward rotation as far as the comparison goes, its scapula's AC point
    meets its clavicle's (winging and the clavicle solved), the clavicle keeps its
    length, and winging is what moved."""
    _, matched = shoulder  # (the fixture also skips where opensim is missing)
    ref = agreement._OpenSimShoulder(_reference("NeckAndShoulder.osim"))
    sc = ref._vec(ref.clavicle.getPositionInGround(ref.state))
    wing0 = ref.default["scapula_winging"]
    wings = []
    for delta in ({}, {"scapula_abduction": np.deg2rad(40.0)}, {"scapula_abduction": np.deg2rad(-25.0)},
                  {"scapula_elevation": np.deg2rad(20.0)}, {"scapula_upward_rot": np.deg2rad(40.0)}):
        ref.set_scapula(delta)
        gap = np.linalg.norm(ref.ac_point("clavicle") - ref.ac_point("scapula"))
        assert gap < 1e-8, (delta, gap)
        assert np.linalg.norm(ref.ac_point("scapula") - sc) == pytest.approx(
            np.linalg.norm(ref.ac_point("clavicle") - sc), abs=1e-8)
        wings.append(ref.coords.get("scapula_winging").getValue(ref.state) - wing0)
    assert abs(wings[0]) < 1e-9  # neutral is OpenSim's own assembled pose
    assert max(abs(w) for w in wings[1:]) > np.deg2rad(2.0)  # the solve moves winging, not only the clavicle
    assert len(matched) == len(agreement.SHOULDER_POSTURES)
