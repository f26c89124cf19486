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

# Measured on this model (20,000 random + 20,000 corner postures, seed 0): these still
# break the bound at full-range combinations. Not resolved in issue 9 (see the report).
OUT_OF_BOUNDS = {
    "upper_trapezius": "-53 % (full shrug with side bend toward and extension)",
    "middle_trapezius": "-51 %",
    "lower_trapezius": "+65 %",
    "levator_scapulae": "-78 % / +55 %",
    "splenius_capitis": "-45 %",
    "semispinalis_capitis": "-40.3 %",
    "longissimus_capitis": "-42 %",
    "rectus_capitis_posterior_major": "-65 % / +58 % (full nod plus full neck extension exceed the skull-C2 arc)",
    "obliquus_capitis_inferior": "-44 %",
    "rhomboid_major": "-65 % / +106 %",
    "rhomboid_minor": "-77 % / +74 %",
    "pectoralis_minor": "+73 %",
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


def test_acromion_rise_at_full_shrug(body):
    # kapandji vol. 1: the lateral end of the clavicle rises about 10 cm in full elevation
    rise = _move(body, "acromion", {"scapula_elevation_right": body.ranges["scapula_elevation_right"][1]})[1]
    assert 0.08 <= rise <= 0.12, f"{rise * 1000:.0f} mm"


@pytest.mark.xfail(strict=True, reason="61 mm: the fitted upward rotation turns the blade ~0.6 deg per deg (issue 9 report)")
def test_inferior_angle_travel_at_full_upward_rotation(body):
    # kapandji vol. 1: in its 60 degrees of rotation the inferior angle travels 10-12 cm
    out = _move(body, "inferior_angle", {"scapula_upward_rotation_right": body.ranges["scapula_upward_rotation_right"][1]})[2]
    assert 0.10 <= out <= 0.12, f"{out * 1000:.0f} mm"


@pytest.mark.xfail(strict=True, reason="92 mm from full protraction to full retraction (issue 9 report)")
def test_medial_border_travel_in_retraction_and_protraction(body):
    # kapandji vol. 1: the scapula's lateral (protraction-retraction) travel is about 15 cm
    lo, hi = body.ranges["scapula_retraction_right"]
    z = [body.landmark_position("scapular_spine_root", "right", {"scapula_retraction_right": v})[2] for v in (lo, hi)]
    assert 0.12 <= z[0] - z[1] <= 0.18, f"{(z[0] - z[1]) * 1000:.0f} mm"


RIB_CAGE_MUSCLES = ("upper_trapezius", "middle_trapezius", "lower_trapezius", "rhomboid_major", "rhomboid_minor",
                    "levator_scapulae", "pectoralis_minor")


@pytest.mark.xfail(strict=True, reason="lower trapezius from T12 cuts up to 38 mm into the surface, upper trapezius (occipital) up to "
                   "5 mm: needs via points or ellipsoid wrapping, not done in issue 9")
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
                        depth = (1 - np.linalg.norm(u, axis=1)) * radii.min()  # > 0 inside
                        dip = depth[1:-1].max() - max(depth[0], depth[-1])
                        if dip > 0.002:
                            worst.append((round(dip * 1000, 1), name, k))
    assert not worst, sorted(worst, reverse=True)[:10]
