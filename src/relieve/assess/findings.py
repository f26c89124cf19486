"""Findings: the validated input of an assessment (contract section 3).

``parse_findings`` turns a JSON document (text or an already-decoded dict) into an
immutable ``Findings`` value, or raises ``ValidationError`` listing *every* problem
at once, each named by a JSON-path-like field (``movements.rotation_left.pain``,
``pain_regions[2].region``), so a person can fix the whole document in one go.

Optional fields may be left out or given as ``null``: both mean "not given".
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass
from typing import Any

from ..errors import ValidationError

# --- Code lists: one copy for the whole package, in relieve.anatomy.codes. -------

from ..vocabulary import (  # noqa: E402
    HISTORY_CODES as _HISTORY_CODES,
    MOVEMENT_CODES as _MOVEMENT_CODES,
    ONSET_CODES as _ONSETS,
    PAIN_SIDES as _PAIN_SIDES,
    REGION_CODES as _REGION_CODES,
    REGION_SIDES as _REGION_SIDES,
    SIDES as _POSTURE_SIDES,
    SYMPTOM_CODES as _SYMPTOM_CODES,
)

# --- Ranges (contract section 3). -------------------------------------------------

AGE_MIN, AGE_MAX = 12, 110
PAIN_MIN, PAIN_MAX = 0, 10


# --- The value types. ------------------------------------------------------------


@dataclass(frozen=True)
class RegionFinding:
    """A place on the pain map or a tender point; ``side`` may be left out."""

    region: str
    side: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"region": self.region}
        if self.side is not None:
            out["side"] = self.side
        return out


@dataclass(frozen=True)
class MovementFinding:
    """What happened when the person tried one active movement."""

    movement: str
    pain: float | None = None
    limited: bool | None = None
    pain_side: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.pain is not None:
            out["pain"] = self.pain
        if self.limited is not None:
            out["limited"] = self.limited
        if self.pain_side is not None:
            out["pain_side"] = self.pain_side
        return out


@dataclass(frozen=True)
class HeadPosture:
    """How the head rests when the person is not trying to move it."""

    tilt: str | None = None
    turn: str | None = None
    forward_head: bool | None = None

    def is_empty(self) -> bool:
        return self.tilt is None and self.turn is None and self.forward_head is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tilt": self.tilt, "turn": self.turn}
        if self.forward_head is not None:
            out["forward_head"] = self.forward_head
        return out


@dataclass(frozen=True)
class Findings:
    """A validated findings document. Build it with ``parse_findings``."""

    age: float
    onset: str | None = None
    duration_days: float | None = None
    history: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    pain_now: float | None = None
    pain_regions: tuple[RegionFinding, ...] = ()
    movements: tuple[MovementFinding, ...] = ()
    resting_head_posture: HeadPosture = HeadPosture()
    tender_points: tuple[RegionFinding, ...] = ()

    def has(self, code: str) -> bool:
        """True if ``code`` is among the history or the symptom codes."""
        return code in self.history or code in self.symptoms

    def movement(self, code: str) -> MovementFinding | None:
        """The finding for one movement code, or None if it was not tried."""
        for m in self.movements:
            if m.movement == code:
                return m
        return None

    def to_dict(self) -> dict[str, Any]:
        """The findings as a contract document; what was not given is left out."""
        out: dict[str, Any] = {"age": self.age}
        if self.onset is not None:
            out["onset"] = self.onset
        if self.duration_days is not None:
            out["duration_days"] = self.duration_days
        if self.history:
            out["history"] = list(self.history)
        if self.symptoms:
            out["symptoms"] = list(self.symptoms)
        if self.pain_now is not None:
            out["pain_now"] = self.pain_now
        if self.pain_regions:
            out["pain_regions"] = [r.to_dict() for r in self.pain_regions]
        if self.movements:
            out["movements"] = {m.movement: m.to_dict() for m in self.movements}
        if not self.resting_head_posture.is_empty():
            out["resting_head_posture"] = self.resting_head_posture.to_dict()
        if self.tender_points:
            out["tender_points"] = [r.to_dict() for r in self.tender_points]
        return out


# --- Parsing. --------------------------------------------------------------------

_TOP_LEVEL_FIELDS = (
    "age", "onset", "duration_days", "history", "symptoms", "pain_now",
    "pain_regions", "movements", "resting_head_posture", "tender_points",
)
_MOVEMENT_FIELDS = ("pain", "limited", "pain_side")
_REGION_FIELDS = ("region", "side")
_POSTURE_FIELDS = ("tilt", "turn", "forward_head")


def parse_findings(doc: dict | str) -> Findings:
    """Validate a findings document (a dict, or JSON text) and return ``Findings``.

    Raises ``ValidationError`` with every problem found, each as (field, message).
    """
    if isinstance(doc, (bytes, bytearray)):
        try:
            doc = doc.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError([("$", f"not UTF-8 text: {exc.reason}")]) from None
    if isinstance(doc, str):
        doc = _decode_json(doc)
    if not isinstance(doc, dict):
        raise ValidationError([("$", f"expected a JSON object of findings, got {_describe(doc)}")])

    p = _Problems()
    for key in doc:
        if key not in _TOP_LEVEL_FIELDS:
            p.add(str(key), _unknown_field(key, _TOP_LEVEL_FIELDS))

    age = None
    if doc.get("age") is None:
        p.add("age", "required: the age in years (12-110)")
    else:
        age = _number(p, "age", doc["age"], AGE_MIN, AGE_MAX, unit="years")

    onset = _code(p, "onset", doc.get("onset"), _ONSETS, "onset")
    duration = _number(p, "duration_days", doc.get("duration_days"), 0, None, unit="days")
    history = _code_list(p, "history", doc.get("history"), _HISTORY_CODES, "history code")
    symptoms = _code_list(p, "symptoms", doc.get("symptoms"), _SYMPTOM_CODES, "symptom code")
    pain_now = _number(p, "pain_now", doc.get("pain_now"), PAIN_MIN, PAIN_MAX)
    pain_regions = _region_list(p, "pain_regions", doc.get("pain_regions"))
    movements = _movements(p, "movements", doc.get("movements"))
    posture = _head_posture(p, "resting_head_posture", doc.get("resting_head_posture"))
    tender_points = _region_list(p, "tender_points", doc.get("tender_points"))

    if p.items:
        raise ValidationError(p.items)
    return Findings(
        age=age,
        onset=onset,
        duration_days=duration,
        history=history,
        symptoms=symptoms,
        pain_now=pain_now,
        pain_regions=pain_regions,
        movements=movements,
        resting_head_posture=posture,
        tender_points=tender_points,
    )


class _Problems:
    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, field: str, message: str) -> None:
        self.items.append((field, message))


def _decode_json(text: str) -> Any:
    duplicates: list[str] = []

    def no_duplicates(pairs):
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                duplicates.append(key)
            seen[key] = value
        return seen

    def no_constants(name):
        # NaN and Infinity are not JSON; Python's decoder would accept them.
        raise ValueError(f"{name} is not valid JSON")

    try:
        doc = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            [("$", f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")]
        ) from None
    except ValueError as exc:
        raise ValidationError([("$", f"malformed JSON: {exc}")]) from None
    if duplicates:
        raise ValidationError(
            [("$", f"key {k!r} appears more than once in the same object") for k in duplicates]
        )
    return doc


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"{shown!r} (a string)"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    # bool is a subclass of int in Python, but true is not a number in JSON.
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(p: _Problems, field: str, value: Any, low, high, unit: str = "") -> float | None:
    if value is None:
        return None
    if not _is_number(value):
        p.add(field, f"expected a number, got {_describe(value)}")
        return None
    if not math.isfinite(value):
        p.add(field, f"expected a finite number, got {value!r}")
        return None
    suffix = f" {unit}" if unit else ""
    if high is None and value < low:
        p.add(field, f"must be at least {low}{suffix}, got {value!r}")
        return None
    if high is not None and not (low <= value <= high):
        p.add(field, f"must be between {low} and {high}{suffix}, got {value!r}")
        return None
    return value


def _bool(p: _Problems, field: str, value: Any) -> bool | None:
    if value is None:
        return None
    if not isinstance(value, bool):
        p.add(field, f"expected true or false, got {_describe(value)}")
        return None
    return value


def _code(p: _Problems, field: str, value: Any, valid: tuple[str, ...], what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        p.add(field, f"expected a {what} (a string), got {_describe(value)}")
        return None
    if value not in valid:
        p.add(field, _unknown_code(value, valid, what))
        return None
    return value


def _code_list(p: _Problems, field: str, value: Any, valid: tuple[str, ...], what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        p.add(field, f"expected a list of {what}s, got {_describe(value)}")
        return ()
    out: list[str] = []
    for i, item in enumerate(value):
        if item is None:
            p.add(f"{field}[{i}]", f"expected a {what} (a string), got null")
            continue
        code = _code(p, f"{field}[{i}]", item, valid, what)
        if code is None:
            continue
        if code in out:
            p.add(f"{field}[{i}]", f"{code!r} is listed more than once")
            continue
        out.append(code)
    return tuple(out)


def _check_keys(p: _Problems, field: str, obj: dict, allowed: tuple[str, ...]) -> None:
    for key in obj:
        if key not in allowed:
            p.add(f"{field}.{key}", _unknown_field(key, allowed))


def _region_list(p: _Problems, field: str, value: Any) -> tuple[RegionFinding, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        p.add(field, f"expected a list of {{region, side}} objects, got {_describe(value)}")
        return ()
    out: list[RegionFinding] = []
    for i, item in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(item, dict):
            p.add(where, f"expected an object {{region, side}}, got {_describe(item)}")
            continue
        _check_keys(p, where, item, _REGION_FIELDS)
        before = len(p.items)
        if item.get("region") is None:
            p.add(f"{where}.region", "required: a region code")
            region = None
        else:
            region = _code(p, f"{where}.region", item["region"], _REGION_CODES, "region code")
        side = _code(p, f"{where}.side", item.get("side"), _REGION_SIDES, "side")
        if len(p.items) == before:
            out.append(RegionFinding(region=region, side=side))
    return tuple(out)


def _movements(p: _Problems, field: str, value: Any) -> tuple[MovementFinding, ...]:
    if value is None:
        return ()
    if not isinstance(value, dict):
        p.add(field, f"expected an object keyed by movement code, got {_describe(value)}")
        return ()
    out: list[MovementFinding] = []
    for code, entry in value.items():
        where = f"{field}.{code}"
        if code not in _MOVEMENT_CODES:
            p.add(where, _unknown_code(code, _MOVEMENT_CODES, "movement code"))
            continue
        if entry is None:
            entry = {}
        if not isinstance(entry, dict):
            p.add(where, f"expected an object {{pain, limited, pain_side}}, got {_describe(entry)}")
            continue
        _check_keys(p, where, entry, _MOVEMENT_FIELDS)
        before = len(p.items)
        pain = _number(p, f"{where}.pain", entry.get("pain"), PAIN_MIN, PAIN_MAX)
        limited = _bool(p, f"{where}.limited", entry.get("limited"))
        pain_side = _code(p, f"{where}.pain_side", entry.get("pain_side"), _PAIN_SIDES, "pain side")
        if len(p.items) == before:
            out.append(MovementFinding(movement=code, pain=pain, limited=limited, pain_side=pain_side))
    return tuple(out)


def _head_posture(p: _Problems, field: str, value: Any) -> HeadPosture:
    if value is None:
        return HeadPosture()
    if not isinstance(value, dict):
        p.add(field, f"expected an object {{tilt, turn, forward_head}}, got {_describe(value)}")
        return HeadPosture()
    _check_keys(p, field, value, _POSTURE_FIELDS)
    return HeadPosture(
        tilt=_code(p, f"{field}.tilt", value.get("tilt"), _POSTURE_SIDES, "side"),
        turn=_code(p, f"{field}.turn", value.get("turn"), _POSTURE_SIDES, "side"),
        forward_head=_bool(p, f"{field}.forward_head", value.get("forward_head")),
    )


def _unknown_code(value: str, valid: tuple[str, ...], what: str) -> str:
    message = f"unknown {what} {value!r}"
    close = difflib.get_close_matches(value, valid, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message + "; valid: " + ", ".join(valid)


def _unknown_field(key: Any, allowed: tuple[str, ...]) -> str:
    message = "unknown field"
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return message + "; expected: " + ", ".join(allowed)
