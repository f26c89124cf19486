"""Findings: the input of an assessment (contract section 3), as a typed model.

``parse_findings`` accepts a dict, JSON text or bytes and returns an immutable
``Findings``, or raises ``ValidationError`` listing *every* problem at once, each
named by its path. Optional fields may be left out or given as ``null``: both mean
"not given". A place listed twice in ``pain_regions`` or ``tender_points`` (same
region and side), or a code listed twice, is refused: each would otherwise count
twice as evidence, and a tender spot pressed twenty times is still one spot.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator, model_validator

from ..vocabulary import (
    HISTORY_CODES,
    MOVEMENT_CODES,
    ONSET_CODES,
    PAIN_SIDES,
    QUALIFIER_CODES,
    REGION_CODES,
    REGION_SIDES,
    SIDES,
    SYMPTOM_CODES,
)
from .._input import shown
from ._base import (Code, ContractModel, Flag, Number, keyed_by, list_of, null_means_empty, null_values_too,
                    object_of, unique_or_null, validate)

# Ranges (contract section 3).
AGE_MIN, AGE_MAX = 12, 110
PAIN_MIN, PAIN_MAX = 0, 10

Pain = Number(PAIN_MIN, PAIN_MAX)
RegionCode = Code(REGION_CODES, "region code")
RegionSide = Code(REGION_SIDES, "side")
PainSide = Code(PAIN_SIDES, "pain side")
Side = Code(SIDES, "side")
Age = Number(AGE_MIN, AGE_MAX, "years")
Days = Number(0, None, "days")
Onset = Code(ONSET_CODES, "onset")
HistoryCode = Code(HISTORY_CODES, "history code")
SymptomCode = Code(SYMPTOM_CODES, "symptom code")
MovementCode = Code(MOVEMENT_CODES, "movement code")
QualifierCode = Code(QUALIFIER_CODES, "qualifier")


class RegionFinding(ContractModel):
    """A place on the pain map or a tender point; ``side`` may be left out."""

    region: RegionCode = Field(description="a region code")
    side: RegionSide | None = None

    _check = model_validator(mode="before")(object_of("{region, side}"))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"region": self.region}
        if self.side is not None:
            out["side"] = self.side
        return out


class MovementFinding(ContractModel):
    """What happened when the person tried one active movement (an empty object is allowed)."""

    pain: Pain | None = None
    limited: Flag | None = None
    pain_side: PainSide | None = None

    @model_validator(mode="before")
    @classmethod
    def _object(cls, value: Any):
        return {} if value is None else object_of("{pain, limited, pain_side}")(cls, value)

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


class HeadPosture(ContractModel):
    """How the head rests when the person is not trying to move it."""

    tilt: Side | None = None
    turn: Side | None = None
    forward_head: Flag | None = None

    _check = model_validator(mode="before")(object_of("{tilt, turn, forward_head}"))

    def is_empty(self) -> bool:
        return self.tilt is None and self.turn is None and self.forward_head is None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"tilt": self.tilt, "turn": self.turn}
        if self.forward_head is not None:
            out["forward_head"] = self.forward_head
        return out


class Findings(ContractModel):
    """A validated findings document (contract section 3). Build it with ``parse_findings``."""

    age: Age = Field(description="the age in years (12-110)")
    onset: Onset | None = None
    duration_days: Days | None = None
    # The schema says what the validators below take: null for "not given" too.
    history: tuple[HistoryCode, ...] = Field((), json_schema_extra=unique_or_null)
    symptoms: tuple[SymptomCode, ...] = Field((), json_schema_extra=unique_or_null)
    pain_now: Pain | None = None
    pain_regions: tuple[RegionFinding, ...] = Field((), json_schema_extra=unique_or_null)
    movements: dict[MovementCode, MovementFinding] = Field(default_factory=dict, json_schema_extra=null_values_too)
    resting_head_posture: HeadPosture = Field(HeadPosture(), json_schema_extra=null_means_empty)
    tender_points: tuple[RegionFinding, ...] = Field((), json_schema_extra=unique_or_null)
    qualifiers: dict[QualifierCode, Flag | None] = Field(default_factory=dict, json_schema_extra=null_means_empty)

    _history = field_validator("history", mode="before")(list_of("history codes"))
    _symptoms = field_validator("symptoms", mode="before")(list_of("symptom codes"))
    _regions = field_validator("pain_regions", "tender_points", mode="before")(list_of("{region, side} objects"))

    _movements = field_validator("movements", mode="before")(keyed_by("movement code"))
    _qualifiers = field_validator("qualifiers", mode="before")(keyed_by("qualifier"))

    @field_validator("resting_head_posture", mode="before")
    @classmethod
    def _posture(cls, value: Any):
        return HeadPosture() if value is None else value

    def has(self, code: str) -> bool:
        """True if ``code`` is among the history or the symptom codes."""
        return code in self.history or code in self.symptoms

    def movement(self, code: str) -> MovementFinding | None:
        """The finding for one movement code, or None if it was not tried."""
        return self.movements.get(code)

    def qualifier(self, code: str) -> bool | None:
        """A qualifier's answer: True, False, or None when it was not asked."""
        return self.qualifiers.get(code)

    def to_dict(self) -> dict[str, Any]:
        """The findings as a contract document; what was not given is left out."""
        out: dict[str, Any] = {"age": self.age}
        for name in ("onset", "duration_days"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        for name in ("history", "symptoms"):
            if getattr(self, name):
                out[name] = list(getattr(self, name))
        if self.pain_now is not None:
            out["pain_now"] = self.pain_now
        if self.pain_regions:
            out["pain_regions"] = [r.to_dict() for r in self.pain_regions]
        if self.movements:
            out["movements"] = {code: m.to_dict() for code, m in self.movements.items()}
        if not self.resting_head_posture.is_empty():
            out["resting_head_posture"] = self.resting_head_posture.to_dict()
        if self.tender_points:
            out["tender_points"] = [r.to_dict() for r in self.tender_points]
        if self.qualifiers:
            out["qualifiers"] = dict(self.qualifiers)
        return out


def _repeats(doc: dict) -> list[tuple[str, str]]:
    """Items listed more than once (pydantic validates items one by one and cannot see
    it): codes in ``history`` / ``symptoms``, places in ``pain_regions`` /
    ``tender_points``. Each counts once as evidence, so a repeat is refused."""
    out: list[tuple[str, str]] = []
    for field in ("history", "symptoms", "pain_regions", "tender_points"):
        items = doc.get(field)
        if not isinstance(items, list):
            continue
        seen: set[Any] = set()
        for i, item in enumerate(items):
            key = _place(item) if field in ("pain_regions", "tender_points") else item
            if key is None or not isinstance(key, (str, tuple)):
                continue
            if key in seen:
                what = shown(item) if isinstance(item, str) else "this place"
                out.append((f"{field}[{i}]", f"{what} is listed more than once; each counts once"))
            else:
                seen.add(key)
    return out


def _place(item: Any) -> tuple | None:
    if isinstance(item, dict) and isinstance(item.get("region"), str):
        side = item.get("side")
        return (item["region"], side if isinstance(side, str) else None)
    return None


def parse_findings(doc: Any) -> Findings:
    """Validate a findings document (a dict, JSON text or bytes) and return ``Findings``.

    Raises ``ValidationError`` with every problem found, each as (field, message).
    """
    if isinstance(doc, Findings):
        return doc
    return validate(Findings, doc, what="findings", extra=_repeats)


__all__ = [
    "AGE_MAX",
    "AGE_MIN",
    "PAIN_MAX",
    "PAIN_MIN",
    "Findings",
    "HeadPosture",
    "MovementFinding",
    "RegionFinding",
    "parse_findings",
]
