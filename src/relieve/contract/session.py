"""Contract section 7: the ``--script`` document of a guided session, and the records
``relieve history --json`` prints and ``relieve export`` / ``relieve import`` carry.

Every problem is named by its path (``pain_after[1]``, ``sessions[3].steps[0].ended_at``)
and raised at once as one ``ValidationError`` (CLI exit code 2), like the findings.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, field_validator

from .._input import shown
from ..errors import ValidationError
from ..vocabulary import GROUPS, MUSCLE_IDS, SIDES
from ._base import Code, ContractModel, Number, describe, list_of, problem, validate

TECHNIQUE_KEYS: tuple[str, ...] = ("muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain")
STATUSES: tuple[str, ...] = ("completed", "referred", "stopped", "in_progress")
INSTRUMENTS: tuple[str, ...] = ("ndi", "psfs")
EXPORT_FORMAT = "relieve-export"
EXPORT_VERSION = 1
MAX_NOTES_CHARS = 10_000

Pain = Number(0, 10)
Technique = Code(TECHNIQUE_KEYS, "technique")
MuscleId = Code(MUSCLE_IDS + tuple(GROUPS), "muscle id")
Side = Code(SIDES, "side")
Status = Code(STATUSES, "status")
Instrument = Code(INSTRUMENTS, "instrument")


def _check_time(value: Any) -> str:
    if not isinstance(value, str):
        raise problem(f"expected a time (ISO 8601 text ending in Z), got {describe(value)}")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise problem(f"not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None or not value.endswith("Z"):
        raise problem(f"the time must be in UTC, ending in Z: {value[:40]!r}")
    return value


def _check_id(value: Any) -> str:
    if not isinstance(value, str) or not value.isascii() or not value.isalnum() or not 1 <= len(value) <= 32:
        raise problem(f"expected an id of 1-32 letters and digits, got {describe(value)}")
    return value.lower()


def _check_orders(value: Any) -> dict:
    """Each muscle-side's technique order: ``{"levator_scapulae:left": [technique, ...]}``."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise problem(f"expected an object of muscle:side -> techniques, got {describe(value)}")
    if len(value) > 2 * len(MUSCLE_IDS + tuple(GROUPS)):
        raise problem(f"at most one order per muscle-side, got {len(value):,}")
    for key in value:
        muscle, _, side = key.partition(":") if isinstance(key, str) else ("", "", "")
        if muscle not in MUSCLE_IDS + tuple(GROUPS) or side not in SIDES:
            raise problem(f"expected keys 'muscle:side' (e.g. 'levator_scapulae:left'), got {describe(key)}")
    return value


def _check_text(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise problem(f"expected text, got {describe(value)}")
    if len(value) > MAX_NOTES_CHARS:
        raise problem(f"at most {MAX_NOTES_CHARS:,} characters, got {len(value):,}")
    return value


def _check_object(value: Any) -> dict:
    if not isinstance(value, dict):
        raise problem(f"expected a JSON object, got {describe(value)}")
    return value


def _check_int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise problem(f"expected a whole number of at least 0, got {describe(value)}")
    return value


Time = Annotated[str, BeforeValidator(_check_time)]
Id = Annotated[str, BeforeValidator(_check_id)]
Text = Annotated[str, BeforeValidator(_check_text)]
Obj = Annotated[dict, BeforeValidator(_check_object)]
Count = Annotated[int, BeforeValidator(_check_int)]


# --------------------------------------------------------------------------- the script


class Choice(ContractModel):
    muscle: MuscleId = Field(description="the muscle id to treat (section 2)")
    side: Side = Field(description="left or right")


class PsfsActivity(ContractModel):
    activity: Text = Field(description="an activity the person names, in their words")
    score: Number(0, 10) = Field(description="0 (cannot do it) to 10 (as before the problem)")


class ScriptMeasures(ContractModel):
    ndi: list[int | None] | None = None
    psfs: list[PsfsActivity] | None = None

    _psfs_list = field_validator("psfs", mode="before")(list_of("activities"))

    @field_validator("ndi", mode="before")
    @classmethod
    def _ndi(cls, value):
        if value is None:
            return None
        if not isinstance(value, list) or len(value) != 10:
            raise problem("expected a list of the ten section scores (0-5, or null for a section not answered)")
        for i, item in enumerate(value):
            if item is not None and (isinstance(item, bool) or not isinstance(item, int) or not 0 <= item <= 5):
                raise problem(f"section {i + 1}: expected a whole number 0-5 or null, got {describe(item)}")
        return value


class SessionScript(ContractModel):
    """The answers of a whole guided session (contract section 7)."""

    findings: Obj = Field(description="the findings document (section 3)")
    choose: Choice | None = None
    techniques: list[Technique] | None = None
    pain_before: Pain | None = None
    pain_after: list[Pain] = ()
    notes: Text = ""
    measures: ScriptMeasures | None = None

    _lists = field_validator("pain_after", mode="before")(list_of("pain ratings 0-10"))

    @field_validator("techniques", mode="before")
    @classmethod
    def _techniques(cls, value):
        if value is None:
            return None
        if not isinstance(value, list):
            raise problem(f"expected a list of technique keys, got {describe(value)}")
        if len(set(map(str, value))) != len(value):
            raise problem("a technique is listed twice")
        return value


def parse_script(doc: Any) -> SessionScript:
    """Validate a ``--script`` document; the findings inside are checked as findings."""
    from .findings import parse_findings

    script = validate(SessionScript, doc, what="a session script")
    try:
        parse_findings(script.findings)
    except ValidationError as exc:
        raise ValidationError([(f"findings.{f}" if f != "$" else "findings", m) for f, m in exc.problems]) from None
    if script.techniques is not None and len(script.pain_after) > len(script.techniques):
        raise ValidationError([("pain_after", f"{len(script.pain_after)} ratings for {len(script.techniques)} techniques")])
    return script


# --------------------------------------------------------------------------- records


class StepRecord(ContractModel):
    technique: Technique
    started_at: Time
    ended_at: Time
    pain_before: Pain | None = None
    pain_after: Pain | None = None
    muscle: MuscleId
    side: Side
    seq: Count


class PhaseRecord(ContractModel):
    step_seq: Count
    phase_index: Count
    technique: Technique
    kind: Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) and v.isidentifier() and len(v) <= 16
                                         else (_ for _ in ()).throw(problem(f"expected a phase kind, got {describe(v)}")))]
    started_at: Time
    ended_at: Time
    skipped: bool


class SessionRecord(ContractModel):
    id: Id
    started_at: Time
    ended_at: Time | None
    status: Status
    findings: Obj
    assessment: Obj
    muscle: MuscleId | None
    side: Side | None
    steps: list[StepRecord]
    notes: Text
    updated_at: Time
    pain_start: Pain | None
    techniques: list[Technique]
    time_scale: Number(0.0001, 1000)
    phases: list[PhaseRecord]
    # added with store revision 0003 (earlier exports have none): the muscle-side
    # treated now and each muscle-side's technique order
    current_muscle: MuscleId | None = None
    current_side: Side | None = None
    orders: Annotated[dict[str, list[Technique]], BeforeValidator(_check_orders)] = {}


class MeasureRecord(ContractModel):
    id: Id
    session_id: Id | None
    taken_at: Time
    instrument: Instrument
    answers: Any
    score: Number(0, 100)


class CardRecord(ContractModel):
    card: Annotated[str, BeforeValidator(lambda v: v if isinstance(v, str) and 0 < len(v) <= 96
                                         else (_ for _ in ()).throw(problem(f"expected a card key, got {describe(v)}")))]
    muscle: MuscleId
    due_at: Time
    interval_days: Number(0, 100_000)
    streak: Count
    answered: Count
    correct: Count


class AnswerRecord(ContractModel):
    card: str
    answered_at: Time
    correct: bool


class Practice(ContractModel):
    cards: list[CardRecord] = ()
    answers: list[AnswerRecord] = ()


class ExportDocument(ContractModel):
    """What ``relieve export --format json`` writes and ``relieve import`` reads."""

    format: str = Field(description=f'"{EXPORT_FORMAT}"')
    version: int = Field(description=f"{EXPORT_VERSION}")
    exported_at: Time | None = None
    sessions: list[SessionRecord]
    measures: list[MeasureRecord] = ()
    practice: Practice = Practice()

    @field_validator("format", mode="before")
    @classmethod
    def _format(cls, value):
        if value != EXPORT_FORMAT:
            raise problem(f"not a relieve export (expected {EXPORT_FORMAT!r}, got {describe(value)})")
        return value

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, value):
        if value != EXPORT_VERSION:
            raise problem(f"export version {describe(value)} is not one this relieve reads ({EXPORT_VERSION})")
        return value


def _export_checks(doc: dict) -> list[tuple[str, str]]:
    out = []
    seen: set = set()
    for i, s in enumerate(doc.get("sessions") or []):
        if isinstance(s, dict) and isinstance(s.get("id"), str):
            if s["id"].lower() in seen:
                out.append((f"sessions[{i}].id", f"{shown(s['id'])} appears twice"))
            seen.add(s["id"].lower())
    cards = {c.get("card") for c in ((doc.get("practice") or {}).get("cards") or []) if isinstance(c, dict)} \
        if isinstance(doc.get("practice"), dict) else set()
    answers = (doc.get("practice") or {}).get("answers") if isinstance(doc.get("practice"), dict) else None
    for i, a in enumerate(answers or []):
        if isinstance(a, dict) and a.get("card") not in cards:
            out.append((f"practice.answers[{i}].card", f"{shown(a.get('card'))} is not among practice.cards"))
    return out


def parse_export(doc: Any) -> ExportDocument:
    """Validate an export (JSON text or dict): a foreign or malformed one is refused whole."""
    if isinstance(doc, dict) and "format" not in doc:
        raise ValidationError([("format", f"required: this is not a relieve export (no \"format\": \"{EXPORT_FORMAT}\")")])
    return validate(ExportDocument, doc, what="a relieve export", extra=_export_checks)


__all__ = [
    "EXPORT_FORMAT", "EXPORT_VERSION", "INSTRUMENTS", "STATUSES", "TECHNIQUE_KEYS", "ExportDocument",
    "SessionRecord", "SessionScript", "parse_export", "parse_script",
]
