"""The safety gate: may this person treat their neck themselves, and if not, how soon
must they see a doctor?

The rules are data (``data/red_flags.yaml``, each with its source); this module is
only a small generic condition evaluator over ``Findings`` and the logic that turns
the rules that fire into a ``TriageResult``. It never diagnoses: it says why
self-treatment is not safe and what to do instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any


from .._data import packaged_yaml
from ..errors import ValidationError
from ..vocabulary import HISTORY_CODES as _HISTORY_CODES
from ..vocabulary import MOVEMENT_CODES as _MOVEMENT_CODES
from ..vocabulary import ONSET_CODES as _ONSETS
from ..vocabulary import REGION_CODES as _REGION_CODES
from ..vocabulary import SYMPTOM_CODES as _SYMPTOM_CODES
from .findings import Findings

URGENCIES = ("emergency", "urgent", "soon")  # highest first
_URGENCY_RANK = {u: i for i, u in enumerate(URGENCIES)}
_FINDING_CODES = frozenset(_HISTORY_CODES) | frozenset(_SYMPTOM_CODES)


# --- Results. --------------------------------------------------------------------


@dataclass(frozen=True)
class FiredRule:
    """A rule that held for these findings; ``urgency`` is None for a caution."""

    id: str
    family: str
    urgency: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "family": self.family, "urgency": self.urgency}


@dataclass(frozen=True)
class TriageResult:
    """The gate's answer. ``status`` is "ok" (self-treatment may go on) or "refer"."""

    status: str
    urgency: str | None
    reasons: tuple[str, ...]
    advice: str | None
    rules_fired: tuple[FiredRule, ...]
    cautions: tuple[str, ...]
    confidence_factor: float

    @property
    def families(self) -> tuple[str, ...]:
        """Families of the red-flag rules that fired, most urgent first, no repeats."""
        out: list[str] = []
        for r in self.rules_fired:
            if r.urgency is not None and r.family not in out:
                out.append(r.family)
        return tuple(out)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "urgency": self.urgency,
            "reasons": list(self.reasons),
            "advice": self.advice,
            "rules_fired": [r.to_dict() for r in self.rules_fired],
            "cautions": list(self.cautions),
            "confidence_factor": self.confidence_factor,
        }


def refer_payload(result: TriageResult) -> dict[str, Any] | None:
    """The contract section 4 ``refer`` object, or None when self-treatment may go on."""
    if result.status != "refer":
        return None
    return {"urgency": result.urgency, "reasons": list(result.reasons), "advice": result.advice}


# --- The gate. -------------------------------------------------------------------


def triage(findings: Findings, rules: RuleBook | None = None) -> TriageResult:
    """Decide whether self-treatment is safe for these findings."""
    book = rules if rules is not None else default_rules()
    facts = _Facts.of(findings)

    flags = [r for r in book.red_flags if r.holds(facts)]
    flags.sort(key=lambda r: _URGENCY_RANK[r.urgency])  # stable: file order within a level
    cautions = [r for r in book.cautions if r.holds(facts)]

    confidence = 1.0
    for c in cautions:
        confidence *= c.confidence_factor
    confidence = round(max(book.confidence_floor, confidence), 4)

    fired = tuple(FiredRule(r.id, r.family, r.urgency) for r in flags + cautions)
    caution_texts = _unique(c.text for c in cautions)
    if not flags:
        return TriageResult("ok", None, (), None, fired, caution_texts, confidence)
    urgency = flags[0].urgency
    fired_ids = {r.id for r in flags}
    reasons = _unique(r.text for r in flags if fired_ids.isdisjoint(r.superseded_by))
    return TriageResult(
        status="refer",
        urgency=urgency,
        reasons=reasons,
        advice=book.advice[urgency],
        rules_fired=fired,
        cautions=caution_texts,
        confidence_factor=confidence,
    )


def _unique(texts) -> tuple[str, ...]:
    out: list[str] = []
    for t in texts:
        if t not in out:
            out.append(t)
    return tuple(out)


# --- The facts a condition can look at. ------------------------------------------


@dataclass(frozen=True)
class _Facts:
    codes: frozenset[str]  # history and symptom codes together (the lists are disjoint)
    age: float
    onset: str | None
    pain_now: float | None
    duration_days: float | None
    regions: frozenset[str]
    movements: Mapping[str, Any]

    @classmethod
    def of(cls, f: Findings) -> _Facts:
        return cls(
            codes=frozenset(f.history) | frozenset(f.symptoms),
            age=f.age,
            onset=f.onset,
            pain_now=f.pain_now,
            duration_days=f.duration_days,
            regions=frozenset(r.region for r in f.pain_regions),
            movements=MappingProxyType(dict(f.movements)),
        )


Predicate = Callable[[_Facts], bool]


# --- Rules. ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One red flag (``urgency`` set) or caution (``urgency`` None)."""

    id: str
    family: str
    urgency: str | None
    text: str  # the reason (red flag) or the caution, in plain words
    source: tuple[str, ...]
    confidence_factor: float = 1.0
    # Ids of more urgent rules whose reason already says what this one says;
    # when one of them fires, this reason is not repeated (it stays in rules_fired).
    superseded_by: tuple[str, ...] = ()
    when: Any = field(default=None, compare=False, repr=False)  # as written in the file
    predicate: Predicate = field(default=lambda facts: False, compare=False, repr=False)

    def holds(self, facts: _Facts) -> bool:
        return self.predicate(facts)


@dataclass(frozen=True)
class RuleBook:
    red_flags: tuple[Rule, ...]
    cautions: tuple[Rule, ...]
    advice: Mapping[str, str]
    confidence_floor: float
    families: Mapping[str, str]
    sources: Mapping[str, str]


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The packaged rule book (``data/red_flags.yaml``), loaded once.

    ``default_rules.cache_clear()`` forgets it.
    """
    return parse_rules(packaged_yaml(__package__, "red_flags.yaml"))


_TOP_KEYS = ("version", "families", "sources", "groups", "advice", "confidence_floor",
             "red_flags", "cautions")
_FLAG_KEYS = ("id", "family", "urgency", "when", "reason", "source", "superseded_by", "note")
_OPTIONAL_KEYS = ("note", "confidence_factor", "superseded_by")
_CAUTION_KEYS = ("id", "family", "when", "caution", "confidence_factor", "source", "note")


def parse_rules(doc: Any) -> RuleBook:
    """Check a rules document completely and compile its conditions.

    Raises ``ValidationError`` listing every problem, so a misspelt code or key is
    an error instead of a rule that silently never fires.
    """
    p: list[tuple[str, str]] = []
    if not isinstance(doc, dict):
        raise ValidationError([("$", "a rules document is a mapping")])
    for key in doc:
        if key not in _TOP_KEYS:
            p.append((str(key), f"unknown key; expected: {', '.join(_TOP_KEYS)}"))

    families = _text_map(doc.get("families"), "families", p)
    sources = _text_map(doc.get("sources"), "sources", p)
    advice = _text_map(doc.get("advice"), "advice", p)
    for u in URGENCIES:
        if u not in advice:
            p.append((f"advice.{u}", "missing advice for this urgency"))
    for u in advice:
        if u not in URGENCIES:
            p.append((f"advice.{u}", f"not an urgency; expected: {', '.join(URGENCIES)}"))
    groups = doc.get("groups") or {}
    if not isinstance(groups, dict):
        p.append(("groups", "expected a mapping of code lists"))
    else:
        for name, codes in groups.items():
            _codes(codes, f"groups.{name}", _FINDING_CODES, "history or symptom code", p)

    floor = doc.get("confidence_floor", 0.5)
    if not _is_fraction(floor):
        p.append(("confidence_floor", "expected a number in (0, 1]"))
        floor = 0.5

    seen: set[str] = set()
    red_flags = _rules(doc.get("red_flags"), "red_flags", True, families, sources, seen, p)
    cautions = _rules(doc.get("cautions"), "cautions", False, families, sources, seen, p)
    if not red_flags:
        p.append(("red_flags", "at least one red flag rule is required"))
    _check_superseded_by(red_flags, p)

    if p:
        raise ValidationError(p)
    return RuleBook(
        red_flags=red_flags,
        cautions=cautions,
        advice=MappingProxyType({u: " ".join(advice[u].split()) for u in URGENCIES}),
        confidence_floor=float(floor),
        families=MappingProxyType(families),
        sources=MappingProxyType(sources),
    )


def _text_map(value: Any, where: str, p: list) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        p.append((where, "expected a non-empty mapping of names to text"))
        return {}
    out = {}
    for k, v in value.items():
        if not isinstance(v, str) or not v.strip():
            p.append((f"{where}.{k}", "expected non-empty text"))
        else:
            out[str(k)] = v
    return out


def _is_fraction(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value) and 0 < value <= 1)


def _rules(items: Any, where: str, is_flag: bool, families, sources, seen: set, p: list) -> tuple[Rule, ...]:
    if items is None:
        return ()
    if not isinstance(items, list):
        p.append((where, "expected a list of rules"))
        return ()
    allowed = _FLAG_KEYS if is_flag else _CAUTION_KEYS
    text_key = "reason" if is_flag else "caution"
    out: list[Rule] = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            p.append((at, "expected a rule mapping"))
            continue
        before = len(p)
        for key in item:
            if key not in allowed:
                p.append((f"{at}.{key}", f"unknown key; expected: {', '.join(allowed)}"))
        for key in allowed:
            if key not in _OPTIONAL_KEYS and key not in item:
                p.append((f"{at}.{key}", "required"))
        rule_id = item.get("id")
        if not isinstance(rule_id, str) or not rule_id:
            p.append((f"{at}.id", "expected a non-empty rule id"))
        elif rule_id in seen:
            p.append((f"{at}.id", f"duplicate rule id {rule_id!r}"))
        else:
            seen.add(rule_id)
        family = item.get("family")
        if family not in families:
            p.append((f"{at}.family", f"undeclared family {family!r}; declare it under 'families'"))
        urgency = item.get("urgency") if is_flag else None
        if is_flag and urgency not in URGENCIES:
            p.append((f"{at}.urgency", f"expected one of: {', '.join(URGENCIES)}"))
        text = item.get(text_key)
        if not isinstance(text, str) or not text.strip():
            p.append((f"{at}.{text_key}", "expected plain-language text"))
        src = item.get("source")
        if not isinstance(src, list) or not src:
            p.append((f"{at}.source", "expected a non-empty list of source keys"))
            src = []
        for j, s in enumerate(src):
            if s not in sources:
                p.append((f"{at}.source[{j}]", f"unknown source {s!r}; declare it under 'sources'"))
        factor = item.get("confidence_factor", 1.0)
        if not _is_fraction(factor):
            p.append((f"{at}.confidence_factor", "expected a number in (0, 1]"))
        superseded_by = item.get("superseded_by", [])
        if not isinstance(superseded_by, list) or not all(isinstance(x, str) for x in superseded_by):
            p.append((f"{at}.superseded_by", "expected a list of rule ids"))
            superseded_by = []
        predicate = _compile(item.get("when"), f"{at}.when", p)
        if len(p) == before:
            out.append(Rule(
                id=rule_id, family=family, urgency=urgency,
                text=" ".join(text.split()), source=tuple(src),
                confidence_factor=float(factor), superseded_by=tuple(superseded_by),
                when=item.get("when"), predicate=predicate,
            ))
    return tuple(out)


def _check_superseded_by(red_flags: tuple[Rule, ...], p: list) -> None:
    # A reason may only be left out in favour of a MORE urgent rule, so leaving it
    # out can never hide the urgency a person is told.
    by_id = {r.id: r for r in red_flags}
    for i, rule in enumerate(red_flags):
        for j, other_id in enumerate(rule.superseded_by):
            other = by_id.get(other_id)
            where = f"red_flags[{i}].superseded_by[{j}]"
            if other is None:
                p.append((where, f"unknown red flag id {other_id!r}"))
            elif _URGENCY_RANK[other.urgency] >= _URGENCY_RANK[rule.urgency]:
                p.append((where, f"{other_id!r} is not more urgent than {rule.id!r}"))


# --- The condition evaluator. ----------------------------------------------------
# A condition is a mapping with exactly one key; see the header of red_flags.yaml.


def _never(facts: _Facts) -> bool:
    return False


def _compile(cond: Any, where: str, p: list) -> Predicate:
    if not isinstance(cond, dict) or len(cond) != 1:
        p.append((where, "a condition is a mapping with exactly one key"))
        return _never
    ((key, arg),) = cond.items()
    at = f"{where}.{key}"
    compiler = _COMPILERS.get(key)
    if compiler is None:
        p.append((at, f"unknown condition; expected one of: {', '.join(_COMPILERS)}"))
        return _never
    return compiler(arg, at, p)


def _compile_all(arg, at, p) -> Predicate:
    parts = _compile_list(arg, at, p)
    return lambda facts: all(part(facts) for part in parts)


def _compile_any(arg, at, p) -> Predicate:
    parts = _compile_list(arg, at, p)
    return lambda facts: any(part(facts) for part in parts)


def _compile_list(arg, at, p) -> tuple[Predicate, ...]:
    if not isinstance(arg, list) or not arg:
        p.append((at, "expected a non-empty list of conditions"))
        return ()
    return tuple(_compile(c, f"{at}[{i}]", p) for i, c in enumerate(arg))


def _compile_not(arg, at, p) -> Predicate:
    inner = _compile(arg, at, p)
    return lambda facts: not inner(facts)


def _compile_any_of(arg, at, p) -> Predicate:
    codes = _codes(arg, at, _FINDING_CODES, "history or symptom code", p)
    return lambda facts: not codes.isdisjoint(facts.codes)


def _compile_all_of(arg, at, p) -> Predicate:
    codes = _codes(arg, at, _FINDING_CODES, "history or symptom code", p)
    return lambda facts: bool(codes) and codes <= facts.codes


def _compile_none_of(arg, at, p) -> Predicate:
    codes = _codes(arg, at, _FINDING_CODES, "history or symptom code", p)
    return lambda facts: codes.isdisjoint(facts.codes)


def _compile_count_of(arg, at, p) -> Predicate:
    if not isinstance(arg, dict) or set(arg) != {"codes", "at_least"}:
        p.append((at, "expected {codes: [...], at_least: N}"))
        return _never
    codes = _codes(arg["codes"], f"{at}.codes", _FINDING_CODES, "history or symptom code", p)
    n = arg["at_least"]
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        p.append((f"{at}.at_least", "expected a whole number >= 1"))
        return _never
    return lambda facts: len(codes & facts.codes) >= n


def _compile_onset(arg, at, p) -> Predicate:
    onsets = _codes(arg, at, frozenset(_ONSETS), "onset", p)
    return lambda facts: facts.onset in onsets


def _compile_pain_region_any(arg, at, p) -> Predicate:
    regions = _codes(arg, at, frozenset(_REGION_CODES), "region code", p)
    return lambda facts: not regions.isdisjoint(facts.regions)


def _comparison(attribute: str, allow_unknown: bool):
    def compile_(arg, at, p) -> Predicate:
        test = _compile_range(arg, at, p, allow_unknown)
        return lambda facts: test(getattr(facts, attribute))

    return compile_


def _compile_range(arg, at, p, allow_unknown: bool) -> Callable[[float | None], bool]:
    bounds = ("at_least", "at_most", "below")
    allowed = bounds + (("if_unknown",) if allow_unknown else ())
    if not isinstance(arg, dict) or not any(b in arg for b in bounds):
        p.append((at, f"expected a mapping with at least one of: {', '.join(bounds)}"))
        return lambda value: False
    for key, value in arg.items():
        if key not in allowed:
            p.append((f"{at}.{key}", f"unknown key; expected: {', '.join(allowed)}"))
        elif key == "if_unknown":
            if not isinstance(value, bool):
                p.append((f"{at}.{key}", "expected true or false"))
        elif not isinstance(value, (int, float)) or isinstance(value, bool):
            p.append((f"{at}.{key}", "expected a number"))
            return lambda value: False
    at_least, at_most, below = (arg.get(b) for b in bounds)
    if_unknown = arg.get("if_unknown", False) is True

    def test(value: float | None) -> bool:
        if value is None:
            return if_unknown
        return ((at_least is None or value >= at_least)
                and (at_most is None or value <= at_most)
                and (below is None or value < below))

    return test


def _compile_movement(arg, at, p) -> Predicate:
    allowed = ("any_of", "limited", "pain_at_least")
    if not isinstance(arg, dict) or "any_of" not in arg or len(arg) < 2:
        p.append((at, "expected {any_of: [movement codes], limited: bool and/or pain_at_least: N}"))
        return _never
    for key in arg:
        if key not in allowed:
            p.append((f"{at}.{key}", f"unknown key; expected: {', '.join(allowed)}"))
    moves = _codes(arg["any_of"], f"{at}.any_of", frozenset(_MOVEMENT_CODES), "movement code", p)
    limited = arg.get("limited")
    if limited is not None and not isinstance(limited, bool):
        p.append((f"{at}.limited", "expected true or false"))
    pain_at_least = arg.get("pain_at_least")
    if pain_at_least is not None and (not isinstance(pain_at_least, (int, float)) or isinstance(pain_at_least, bool)):
        p.append((f"{at}.pain_at_least", "expected a number"))
        pain_at_least = None

    def matches(m) -> bool:
        if limited is not None and m.limited is not limited:
            return False
        if pain_at_least is not None and (m.pain is None or m.pain < pain_at_least):
            return False
        return True

    return lambda facts: any(matches(facts.movements[c]) for c in moves if c in facts.movements)


def _codes(arg, at, valid: frozenset[str], what: str, p: list) -> frozenset[str]:
    if not isinstance(arg, list) or not arg:
        p.append((at, f"expected a non-empty list of {what}s"))
        return frozenset()
    out = set()
    for i, code in enumerate(arg):
        if not isinstance(code, str) or code not in valid:
            p.append((f"{at}[{i}]", f"unknown {what} {code!r}"))
        else:
            out.add(code)
    return frozenset(out)


_COMPILERS: dict[str, Callable[[Any, str, list], Predicate]] = {
    "all": _compile_all,
    "any": _compile_any,
    "not": _compile_not,
    "any_of": _compile_any_of,
    "all_of": _compile_all_of,
    "none_of": _compile_none_of,
    "count_of": _compile_count_of,
    "age": _comparison("age", allow_unknown=False),
    "onset": _compile_onset,
    "pain_now": _comparison("pain_now", allow_unknown=True),
    "duration_days": _comparison("duration_days", allow_unknown=True),
    "pain_region_any": _compile_pain_region_any,
    "movement": _compile_movement,
}
