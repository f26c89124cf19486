"""The safety envelope (``data/envelope.yaml``): the limits every shown position obeys.

Two uses, one set of rules:

- ``Envelope.feasible(X, kind, lying=..., pressed=...)``: a boolean mask over a batch of
  postures (rows in the model's posture-variable order), which the posture search uses
  as a constraint;
- ``Envelope.violations(posture, kind, ...)``: the rules one posture breaks, in words,
  which the planner and the tests use to check what is shown.

``kind`` is ``"sustained"`` (held about 90 s: position of ease, repositioning, Jones)
or ``"stretch"`` (held 20-30 s, sitting upright). Every rule is downward closed: moving
any angle toward neutral never breaks one, so ``back_off`` can always reach a safe
posture by shrinking it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from .._data import packaged_yaml
from ..errors import ModelError
from ..vocabulary import LANDMARK_IDS, POSTURE_VARIABLES

KINDS = ("sustained", "stretch")
_FILE = "envelope.yaml"
_COLUMN = {v: i for i, v in enumerate(POSTURE_VARIABLES)}
_RULES = ("trace_deg", "extension_rotation", "one_near_end_range", "same_side_extension", "no_pressure", "no_pressure_when_turned")


@dataclass(frozen=True)
class Envelope:
    trace: float
    ext_rot: dict  # kind -> (extension max, rotation max)
    near_end_share: float
    near_end_at_most: int
    near_end_kinds: tuple[str, ...]
    same_side: tuple[float, float, float]  # extension, side bend, rotation maxima (sustained, lying)
    same_side_lying_only: bool
    same_side_in_stretch: bool
    no_pressure: frozenset[str]
    no_pressure_words: str
    turned: frozenset[str]
    turned_rotation_max: float
    ranges: dict  # variable -> (low, high), the model's normal ranges

    # ----------------------------------------------------------------- batches

    def feasible(self, X: np.ndarray, kind: str, *, lying: bool = False, pressed=()) -> np.ndarray:
        """True for each row of ``X`` (postures, degrees, the contract's variable order) that
        the envelope allows for a position of ``kind``; ``lying``: the head rests supported
        on a bed; ``pressed``: landmarks a fingertip presses while the position is held."""
        X = np.atleast_2d(np.asarray(X, dtype=float))
        flex, bend, rot, nod = (X[:, _COLUMN[v]] for v in ("neck_flexion", "neck_side_bend", "neck_rotation", "head_nod"))
        ext = np.maximum(0.0, -flex) + np.maximum(0.0, -nod)
        ok = np.ones(len(X), dtype=bool)
        t = self.trace
        # extension combined with rotation
        e_max, r_max = self.ext_rot[kind]
        combined = (ext >= t) & (np.abs(rot) >= t)
        ok &= ~combined | ((ext <= e_max + 1e-9) & (np.abs(rot) <= r_max + 1e-9))
        # extension with same-side side bend and rotation (foramen closing)
        same = (ext >= t) & (np.abs(bend) >= t) & (np.abs(rot) >= t) & (np.sign(bend) == np.sign(rot))
        if kind == "stretch" and not self.same_side_in_stretch:
            ok &= ~same
        else:
            se, sb, sr = self.same_side
            allowed = (ext <= se + 1e-9) & (np.abs(bend) <= sb + 1e-9) & (np.abs(rot) <= sr + 1e-9)
            if self.same_side_lying_only and not lying:
                allowed &= False
            ok &= ~same | allowed
        # at most one variable near its end range
        if kind in self.near_end_kinds:
            lo, hi = self._range_ends
            share = np.where(X >= 0, X / hi, X / lo)
            ok &= (share >= self.near_end_share - 1e-9).sum(axis=1) <= self.near_end_at_most
        # pressure over the suboccipital triangle only with the head (nearly) straight
        if any(p in self.turned for p in pressed):
            ok &= np.abs(rot) <= self.turned_rotation_max + 1e-9
        return ok

    @cached_property
    def _range_ends(self) -> tuple[np.ndarray, np.ndarray]:
        """The normal ranges' low and high ends, in the contract's variable order."""
        return (np.array([self.ranges[v][0] for v in POSTURE_VARIABLES]),
                np.array([self.ranges[v][1] for v in POSTURE_VARIABLES]))

    # ----------------------------------------------------------------- one posture

    def violations(self, posture: dict, kind: str, *, lying: bool = False, pressed=()) -> list[str]:
        """The rules ``posture`` breaks (empty when it is inside the envelope)."""
        x = _row(posture)
        out = []
        if not self.feasible(x, kind, lying=lying)[0]:
            out.append(f"{kind} posture {posture} leaves the envelope" + ("" if lying else " (not lying down)"))
        if any(p in self.turned for p in pressed) and abs(posture.get("neck_rotation", 0.0)) > self.turned_rotation_max:
            out.append(f"pressure under the skull with the head turned {abs(posture['neck_rotation']):.0f} degrees")
        out += [f"pressure over the front of the neck at {p}" for p in pressed if p in self.no_pressure]
        return out

    def may_press(self, landmark: str) -> bool:
        return landmark not in self.no_pressure

    def back_off(self, posture: dict, kind: str, *, lying: bool = False, pressed=()) -> dict:
        """``posture`` itself if allowed; else the same directions brought toward neutral
        (whole degrees, turned-head limit first) until the envelope allows it."""
        posture = dict(posture)
        if any(p in self.turned for p in pressed) and abs(posture.get("neck_rotation", 0.0)) > self.turned_rotation_max:
            posture["neck_rotation"] = float(np.sign(posture["neck_rotation"]) * np.floor(self.turned_rotation_max))
        scale = 1.0
        trial = posture
        while not self.feasible(_row(trial), kind, lying=lying, pressed=pressed)[0]:
            scale -= 0.05
            trial = {v: float(np.trunc(x * scale)) for v, x in posture.items()}
        return {v: x for v, x in trial.items() if x != 0.0}


def _row(posture: dict) -> np.ndarray:
    return np.array([[float(posture.get(v, 0.0)) for v in POSTURE_VARIABLES]])


def _cited(raw: dict, key: str) -> dict:
    entry = raw.get(key)
    if not isinstance(entry, dict):
        raise ModelError("expected a mapping", field=f"{_FILE}:{key}")
    if not (entry.get("source") or entry.get("rationale")):
        raise ModelError("a rule needs a source: or a rationale:", field=f"{_FILE}:{key}")
    source = entry.get("source")
    if source is not None and source not in raw.get("sources", {}):
        raise ModelError(f"unknown source {source!r}", field=f"{_FILE}:{key}.source")
    return entry


def _landmarks(entry: dict, key: str) -> frozenset[str]:
    marks = entry.get("landmarks")
    if not isinstance(marks, list) or not marks:
        raise ModelError("expected a list of landmark ids", field=f"{_FILE}:{key}.landmarks")
    for i, lid in enumerate(marks):
        if lid not in LANDMARK_IDS:
            raise ModelError(f"unknown landmark id {lid!r}", field=f"{_FILE}:{key}.landmarks[{i}]")
    return frozenset(marks)


def _number(entry: dict, key: str, name: str) -> float:
    value = entry.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ModelError("expected a non-negative number", field=f"{_FILE}:{key}.{name}")
    return float(value)


def build_envelope(raw: dict, ranges: dict) -> Envelope:
    """An ``Envelope`` from the parsed document (``ModelError`` naming the entry if wrong)."""
    if not isinstance(raw, dict):
        raise ModelError("expected a mapping of rules", field=_FILE)
    missing = [k for k in _RULES if k not in raw]
    if missing:
        raise ModelError(f"missing rules {missing}", field=_FILE)
    trace = _number(_cited(raw, "trace_deg"), "trace_deg", "value")
    er = _cited(raw, "extension_rotation")
    ext_rot = {}
    for kind in KINDS:
        limits = er.get(kind)
        if not isinstance(limits, dict):
            raise ModelError("expected {extension_max_deg, rotation_max_deg}", field=f"{_FILE}:extension_rotation.{kind}")
        ext_rot[kind] = (
            _number(limits, f"extension_rotation.{kind}", "extension_max_deg"),
            _number(limits, f"extension_rotation.{kind}", "rotation_max_deg"),
        )
    ne = _cited(raw, "one_near_end_range")
    kinds = ne.get("applies_to")
    if not isinstance(kinds, list) or any(k not in KINDS for k in kinds):
        raise ModelError(f"expected a list of {KINDS}", field=f"{_FILE}:one_near_end_range.applies_to")
    ss = _cited(raw, "same_side_extension")
    sustained = ss.get("sustained") or {}
    same_side = tuple(
        _number(sustained, "same_side_extension.sustained", n) for n in ("extension_max_deg", "side_bend_max_deg", "rotation_max_deg")
    )
    npress = _cited(raw, "no_pressure")
    turned = _cited(raw, "no_pressure_when_turned")
    words = npress.get("words")
    if not isinstance(words, str) or not words.strip():
        raise ModelError("expected the words said instead of pressing", field=f"{_FILE}:no_pressure.words")
    return Envelope(
        trace=trace,
        ext_rot=ext_rot,
        near_end_share=_number(ne, "one_near_end_range", "near_end_share"),
        near_end_at_most=int(_number(ne, "one_near_end_range", "at_most")),
        near_end_kinds=tuple(kinds),
        same_side=same_side,  # type: ignore[arg-type]
        same_side_lying_only=bool(ss.get("lying_only", True)),
        same_side_in_stretch=bool(ss.get("allowed_in_stretch", False)),
        no_pressure=_landmarks(npress, "no_pressure"),
        no_pressure_words=" ".join(words.split()),
        turned=_landmarks(turned, "no_pressure_when_turned"),
        turned_rotation_max=_number(turned, "no_pressure_when_turned", "rotation_max_deg"),
        ranges=dict(ranges),
    )


@lru_cache(maxsize=4)
def _packaged(ranges_key: tuple) -> Envelope:
    return build_envelope(packaged_yaml(__package__, _FILE), dict(ranges_key))


def envelope(body=None) -> Envelope:
    """The packaged envelope, with the normal ranges of ``body`` (the default model)."""
    if body is None:
        from ..model import default_model

        body = default_model()
    return _packaged(tuple(sorted((v, tuple(r)) for v, r in body.ranges.items())))
