"""Derive the own model's rib-cage surface from Seth et al. 2019's thorax (issue 9).

Seth A, Dong M, Matias R, Delp SL. Muscle contributions to upper-extremity movement and
work from a musculoskeletal model of the human shoulder. Front Neurorobot 2019;13:90.
Their thoracoscapular model wraps the middle and lower trapezius, the rhomboids and
pectoralis minor over an ellipsoid of the right half of the rib cage (its wrap object
``Thorax``: semi-axes 74.1 x 170.0 x 70.5 mm, centred 70 mm right of the midline, so
the spinous processes lie outside it). This script reads that ellipsoid and the
thorax markers of ``NeckAndShoulder.osim`` (jugular notch SJN; C7 and T8 from the
midpoints centijc7 and centpxt8 with SJN and the xiphoid SXS) and carries the
ellipsoid into the own model's frame:

1. the affine map of the sagittal plane that takes their jugular notch, C7 and T8 onto
   our ``jugular_notch``, ``c7_spinous_process`` and ``t8_spinous_process`` (our thorax
   is 1.33x theirs from front to back and 1.09x in height); the markers give no
   breadth, so left to right it is kept at their size;
2. its radii made smaller by one amount, chosen so that our rib landmarks (first rib,
   second rib, the pectoralis minor origins on ribs 3-5) lie on it on average.

It prints the ``surfaces.rib_cage`` entry of ``src/relieve/model/data/upper_body.yaml``;
tests/test_model_physiology.py checks the file against it (skipping without the
reference). Nothing of the reference is copied into the repository.

    PYTHONPATH=src python tools/rib_cage.py
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "src"))

from _common import REFERENCE as REFERENCE_DIR  # noqa: E402
from relieve.model._body import Ellipsoid  # noqa: E402
from relieve.model._model import Transform  # noqa: E402

REFERENCE = REFERENCE_DIR / "NeckAndShoulder.osim"
MATCHED = ("jugular_notch", "c7_spinous_process", "t8_spinous_process")
RIBS = ("first_rib_scalene_tubercle", "first_rib_posterior", "second_rib_lateral",
        "third_rib_anterior", "fourth_rib_anterior", "fifth_rib_anterior")


def _numbers(text: str) -> np.ndarray:
    return np.array([float(v) for v in text.split()])


def reference_thorax(path: Path = REFERENCE):
    """(centre, rotation, radii) of the wrap ellipsoid ``Thorax`` and the markers
    IJ, C7, T8 (sagittal x, y), all in the reference's thorax frame (metres)."""
    root = ET.parse(path).getroot()
    ell = next(e for e in root.iter("WrapEllipsoid") if e.get("name") == "Thorax")
    centre = _numbers(ell.findtext("translation"))
    rotation = Transform.from_xyz_body_fixed(_numbers(ell.findtext("xyz_body_rotation")), np.zeros(3)).rotation
    radii = _numbers(ell.findtext("dimensions"))
    markers = {}
    for m in root.iter("Marker"):
        if m.findtext("socket_parent_frame") == "/bodyset/thorax":
            markers[m.get("name")] = _numbers(m.findtext("location"))
    ij = markers["SJN"]
    c7 = 2 * markers["centijc7"] - ij
    t8 = 2 * markers["centpxt8"] - markers["SXS"]
    return centre, rotation, radii, np.array([ij[:2], c7[:2], t8[:2]])


def derive(body=None, path: Path = REFERENCE) -> dict:
    """The rib-cage ellipsoid in our neutral ground frame: centre, radii, axes
    (columns), the sagittal map and the amount taken off the radii."""
    from relieve.model._own import load_own_model

    body = body or load_own_model(REPO / "src" / "relieve" / "model" / "data" / "upper_body.yaml")
    centre, rotation, radii, theirs = reference_thorax(path)
    ours = np.array([body.landmark_position(n, "right")[:2] for n in MATCHED])
    solved = np.linalg.solve(np.hstack([theirs, np.ones((3, 1))]), ours)  # rows: x, y, 1
    affine = np.eye(3)
    affine[:2, :2] = solved[:2].T
    shift = np.array([solved[2, 0], solved[2, 1], 0.0])
    # x^T M x <= 1 maps to (A^-1 x)^T M (A^-1 x) <= 1
    m = rotation @ np.diag(1 / radii**2) @ rotation.T
    inv = np.linalg.inv(affine)
    w, axes = np.linalg.eigh(inv.T @ m @ inv)
    order = np.argsort([np.argmax(np.abs(axes[:, i])) for i in range(3)])  # nearest to x, y, z in turn
    axes, mapped_radii = axes[:, order], 1 / np.sqrt(w[order])
    axes *= np.sign(np.diag(axes))  # each pointing along +x, +y, +z
    mapped_centre = affine @ centre + shift

    def depths(cut):  # of the rib landmarks (neutral, ground frame), radii less `cut`
        e = Ellipsoid("rib_cage", "thorax", tuple(mapped_centre), tuple(mapped_radii - cut), tuple(map(tuple, axes)))
        return e.depth(ribs, np.eye(3), np.zeros(3), np.zeros(3))

    ribs = np.array([body.landmark_position(n, "right") for n in RIBS])
    cut = 0.0
    for _ in range(50):  # the amount that puts the ribs on the surface on average
        step = float(depths(cut).mean())
        cut += step
        if abs(step) < 1e-7:
            break
    return {"centre": mapped_centre, "radii": mapped_radii - cut, "axes": axes, "affine": affine[:2, :2], "cut": cut,
            "rib_depths": dict(zip(RIBS, depths(cut).tolist()))}


def main() -> int:
    if not REFERENCE.exists():
        print(f"the reference {REFERENCE} is absent", file=sys.stderr)
        return 1
    d = derive()
    print(f"# sagittal map: {np.round(d['affine'], 3).tolist()}; radii less {d['cut'] * 1000:.1f} mm")
    print("# rib landmarks inside (+) / outside (-), mm: "
          + ", ".join(f"{n} {v * 1000:+.1f}" for n, v in d["rib_depths"].items()))
    print("  rib_cage:\n    body: thorax\n    bilateral: true\n    ellipsoid:")
    print(f"      centre: [{', '.join(f'{v:.4f}' for v in d['centre'])}]")
    print(f"      radii: [{', '.join(f'{v:.4f}' for v in d['radii'])}]")
    print("      axes:")
    for col in d["axes"].T:
        print(f"        - [{', '.join(f'{v:.4f}' for v in col)}]")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
