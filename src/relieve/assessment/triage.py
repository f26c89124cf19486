"""The safety gate: may this person treat their neck themselves, and if not, how soon
must they see a doctor?

The rules are data (``data/red_flags.yaml``, each with its source); this module is
only a small generic condition evaluator over ``Findings`` and the logic that turns
the rules that fire into a ``TriageResult``. It never diagnoses: it says why
self-treatment is not safe and what to do instead.

Some rules depend on a qualifier of a symptom (is the headache new or different? is
the night pain eased by any position?). A qualifier that was not asked keeps the
rule's conservative behaviour, written in the rule itself (``if_unknown``), and the
result lists the follow-up questions whose answer could change what the person is
told (``TriageResult.questions``), with the rules each would settle. Which questions
matter is found generically, by evaluating the rules under every answer to the open
qualifiers; no rule is named in this module.
"""

from __future__ import annotations

import itertools
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
from ..vocabulary import QUALIFIER_CODES as _QUALIFIER_CODES
from ..vocabulary import REGION_CODES as _REGION_CODES
from ..vocabulary import SYMPTOM_CODES as _SYMPTOM_CODES
from ..contract.findings import Findings

URGENCIES = ("emergency", "urgent", "soon")  # highest first
_URGENCY_RANK = {u: i for i, u in enumerate(URGENCIES)}
_FINDING_CODES = frozenset(_HISTORY_CODES) | frozenset(_SYMPTOM_CODES)
# Above this many open qualifiers at once, every one of them is treated as able to
# change the answer (asked), instead of trying all 2**n combinations of answers.
_MAX_OPEN_QUALIFIERS = 12


# --- Results. --------------------------------------------------------------------


@dataclass(frozen=True)
class FiredRule:
    """A rule that held for these findings; ``urgency`` is None for a caution.

    ``settled_by``: the unanswered qualifiers this rule fired for (conservatively);
    an answer to them could stop it. Empty when the rule holds whatever they are.
    """

    id: str
    family: str
    urgency: str | None
    settled_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "family": self.family, "urgency": self.urgency}
        if self.settled_by:
            out["settled_by"] = list(self.settled_by)
        return out


@dataclass(frozen=True)
class OpenQuestion:
    """A follow-up question whose answer could change the gate's answer.

    ``code`` is the qualifier it fills (contract section 3 ``qualifiers``),
    ``question`` what to ask in plain words, ``why`` why it matters, and ``rules``
    the red-flag rules whose outcome depends on it (for the audit trail).
    """

    code: str
    question: str
    why: str
    rules: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "question": self.question, "why": self.why, "rules": list(self.rules)}


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
    # Unanswered qualifiers whose answer could change status or urgency, in the
    # order to ask them (most urgent concern first, then the rule book's order).
    questions: tuple[OpenQuestion, ...] = ()

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
            "questions": [q.to_dict() for q in self.questions],
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

    unsettled = _unsettled(book.red_flags, facts)
    questions = _questions(book, facts, unsettled)
    fired = tuple(FiredRule(r.id, r.family, r.urgency, unsettled.get(r.id, ()))
                  for r in flags + cautions)
    caution_texts = _unique(c.text for c in cautions)
    if not flags:
        return TriageResult("ok", None, (), None, fired, caution_texts, confidence, questions)
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
        questions=questions,
    )


# --- Open qualifiers: which follow-up questions could change the answer. -----------


def _unsettled(rules: tuple[Rule, ...], facts: _Facts) -> dict[str, tuple[str, ...]]:
    """Rules whose outcome depends on an unanswered qualifier: rule id -> those qualifiers.

    A rule is unsettled when some answer to its open qualifiers would make it hold
    and another would not; today's outcome is its ``if_unknown`` value.
    """
    out: dict[str, tuple[str, ...]] = {}
    for rule in rules:
        open_codes = tuple(q for q in rule.qualifiers if facts.qualifiers.get(q) is None)
        if not open_codes:
            continue
        if rule.lacks_its_codes(facts):
            continue  # no answer brings in a code it needs: it holds for none of them
        outcomes = {rule.holds(facts.answering(dict(zip(open_codes, bits))))
                    for bits in itertools.product((False, True), repeat=len(open_codes))}
        if len(outcomes) > 1:
            out[rule.id] = open_codes
    return out


def _questions(book: RuleBook, facts: _Facts, unsettled: Mapping[str, tuple[str, ...]]) -> tuple[OpenQuestion, ...]:
    """The open qualifiers whose answer could change status or urgency, in asking order.

    The answer (the most urgent red flag that holds, or none) is computed under every
    combination of answers to the open qualifiers; a qualifier matters when flipping
    it alone changes the answer for some combination of the others.
    """
    if not unsettled:
        return ()
    rules = [r for r in book.red_flags if r.id in unsettled]
    codes = [q for q in _QUALIFIER_CODES if any(q in unsettled[r.id] for r in rules)]
    fixed = [_URGENCY_RANK[r.urgency] for r in book.red_flags
             if r.id not in unsettled and r.holds(facts)]
    if len(codes) > _MAX_OPEN_QUALIFIERS:
        mattering = set(codes)
    else:
        answer: dict[tuple[bool, ...], int | None] = {}
        for bits in itertools.product((False, True), repeat=len(codes)):
            f = facts.answering(dict(zip(codes, bits)))
            ranks = fixed + [_URGENCY_RANK[r.urgency] for r in rules if r.holds(f)]
            answer[bits] = min(ranks) if ranks else None
        mattering = set()
        for i, code in enumerate(codes):
            for bits, value in answer.items():
                if not bits[i] and answer[bits[:i] + (True,) + bits[i + 1:]] != value:
                    mattering.add(code)
                    break
    order = list(book.qualifiers)

    def key(code: str):
        most_urgent = min(_URGENCY_RANK[r.urgency] for r in rules if code in unsettled[r.id])
        return (most_urgent, order.index(code) if code in order else len(order))

    out = []
    for code in sorted(mattering, key=key):
        q = book.qualifiers.get(code)
        out.append(OpenQuestion(
            code=code,
            question=q.question if q else code.replace("_", " "),
            why=q.why if q else "",
            rules=tuple(r.id for r in rules if code in unsettled[r.id]),
        ))
    return tuple(out)


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
    qualifiers: Mapping[str, bool | None] = field(default_factory=lambda: MappingProxyType({}))  # absent: unknown

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
            qualifiers=MappingProxyType(dict(f.qualifiers)),
        )

    def answering(self, answers: Mapping[str, bool]) -> _Facts:
        """The same facts with some qualifiers answered.

        Built by copying the fields rather than by ``dataclasses.replace``: triage asks
        this for every combination of every open qualifier, and ``replace`` re-runs
        ``__init__`` each time (a third of triage)."""
        facts = object.__new__(_Facts)
        facts.__dict__.update(self.__dict__)
        object.__setattr__(facts, "qualifiers", MappingProxyType({**self.qualifiers, **answers}))
        return facts


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
    # The qualifiers its condition reads, in the contract's order.
    qualifiers: tuple[str, ...] = ()
    when: Any = field(default=None, compare=False, repr=False)  # as written in the file
    predicate: Predicate = field(default=lambda facts: False, compare=False, repr=False)
    # History or symptom codes one of which the condition cannot hold without (None: it
    # can hold with none of them): a rule is passed over at the cost of one set test
    # when the findings have none of its codes, as most findings do for most rules.
    needs: frozenset[str] | None = field(default=None, compare=False, repr=False)

    def lacks_its_codes(self, facts: _Facts) -> bool:
        """True when the findings have none of the codes the rule cannot hold without."""
        return self.needs is not None and self.needs.isdisjoint(facts.codes)

    def holds(self, facts: _Facts) -> bool:
        return not self.lacks_its_codes(facts) and self.predicate(facts)


@dataclass(frozen=True)
class Qualifier:
    """A follow-up question that fills one qualifier (``red_flags.yaml``: ``qualifiers``).

    ``after``: the history or symptom codes it follows up (a questionnaire asks it
    right after one of them is answered yes); ``refines``: the rules that read it.
    """

    code: str
    question: str
    why: str
    after: tuple[str, ...]
    refines: tuple[str, ...]
    source: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "question": self.question, "why": self.why,
                "after": list(self.after), "refines": list(self.refines), "source": list(self.source)}


@dataclass(frozen=True)
class RuleBook:
    red_flags: tuple[Rule, ...]
    cautions: tuple[Rule, ...]
    advice: Mapping[str, str]
    confidence_floor: float
    families: Mapping[str, str]
    sources: Mapping[str, str]
    # qualifier code -> its follow-up question, in the file's order (the asking order
    # among questions of equal urgency).
    qualifiers: Mapping[str, Qualifier] = field(default_factory=lambda: MappingProxyType({}))


@lru_cache(maxsize=1)
def default_rules() -> RuleBook:
    """The packaged rule book (``data/red_flags.yaml``), loaded once.

    ``default_rules.cache_clear()`` forgets it.
    """
    return parse_rules(packaged_yaml(__package__, "red_flags.yaml"))


_TOP_KEYS = ("version", "families", "sources", "groups", "advice", "confidence_floor",
             "qualifiers", "red_flags", "cautions")
_QUALIFIER_KEYS = ("code", "question", "why", "after", "refines", "source", "note")
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
    qualifiers = _qualifiers(doc.get("qualifiers"), red_flags + cautions, sources, p)

    if p:
        raise ValidationError(p)
    return RuleBook(
        red_flags=red_flags,
        cautions=cautions,
        advice=MappingProxyType({u: " ".join(advice[u].split()) for u in URGENCIES}),
        confidence_floor=float(floor),
        families=MappingProxyType(families),
        sources=MappingProxyType(sources),
        qualifiers=MappingProxyType(qualifiers),
    )


def _qualifiers(items: Any, rules: tuple[Rule, ...], sources, p: list) -> dict[str, Qualifier]:
    """The follow-up questions; each must refine exactly the rules that read it."""
    readers: dict[str, list[str]] = {}
    for rule in rules:
        for code in rule.qualifiers:
            readers.setdefault(code, []).append(rule.id)
    if items is None:
        items = []
    if not isinstance(items, list):
        p.append(("qualifiers", "expected a list of follow-up questions"))
        return {}
    out: dict[str, Qualifier] = {}
    for i, item in enumerate(items):
        at = f"qualifiers[{i}]"
        if not isinstance(item, dict):
            p.append((at, "expected a mapping"))
            continue
        before = len(p)
        _check_keys(p, at, item, _QUALIFIER_KEYS, optional=("note",))
        code = item.get("code")
        if code not in _QUALIFIER_CODES:
            p.append((f"{at}.code", f"unknown qualifier {code!r}; expected one of: {', '.join(_QUALIFIER_CODES)}"))
        elif code in out:
            p.append((f"{at}.code", f"qualifier {code!r} is declared twice"))
        for key in ("question", "why"):
            if not isinstance(item.get(key), str) or not item.get(key, "").strip():
                p.append((f"{at}.{key}", "expected plain-language text"))
        _codes(item.get("after"), f"{at}.after", _FINDING_CODES, "history or symptom code", p)
        src = _check_sources(p, at, item.get("source"), sources)
        refines = item.get("refines")
        if not isinstance(refines, list) or not all(isinstance(x, str) for x in refines):
            p.append((f"{at}.refines", "expected a list of rule ids"))
        elif code in _QUALIFIER_CODES and sorted(refines) != sorted(readers.get(code, [])):
            p.append((f"{at}.refines", f"must list exactly the rules whose condition reads {code!r}: "
                                       f"{', '.join(readers.get(code, [])) or 'none does'}"))
        if len(p) == before:
            out[code] = Qualifier(
                code=code, question=" ".join(item["question"].split()), why=" ".join(item["why"].split()),
                after=tuple(item["after"]), refines=tuple(refines), source=tuple(src),
            )
    for code, ids in readers.items():
        if code not in out and not any(isinstance(x, dict) and x.get("code") == code for x in items):
            p.append(("qualifiers", f"rule(s) {', '.join(ids)} read {code!r}, which has no follow-up question"))
    return out


def _check_sources(p: list, at: str, src: Any, sources) -> list:
    """An entry's ``source``: a non-empty list of keys declared under ``sources``
    (returned; an empty list when it is not one)."""
    if not isinstance(src, list) or not src:
        p.append((f"{at}.source", "expected a non-empty list of source keys"))
        return []
    for j, s in enumerate(src):
        if s not in sources:
            p.append((f"{at}.source[{j}]", f"unknown source {s!r}; declare it under 'sources'"))
    return src


def _check_keys(p: list, at: str, item: dict, allowed, optional=()) -> None:
    """Unknown keys of an entry, and the required ones it lacks, each as a problem."""
    for key in item:
        if key not in allowed:
            p.append((f"{at}.{key}", f"unknown key; expected: {', '.join(allowed)}"))
    for key in allowed:
        if key not in optional and key not in item:
            p.append((f"{at}.{key}", "required"))


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
        _check_keys(p, at, item, allowed, optional=_OPTIONAL_KEYS)
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
        src = _check_sources(p, at, item.get("source"), sources)
        factor = item.get("confidence_factor", 1.0)
        if not _is_fraction(factor):
            p.append((f"{at}.confidence_factor", "expected a number in (0, 1]"))
        superseded_by = item.get("superseded_by", [])
        if not isinstance(superseded_by, list) or not all(isinstance(x, str) for x in superseded_by):
            p.append((f"{at}.superseded_by", "expected a list of rule ids"))
            superseded_by = []
        predicate = _compile(item.get("when"), f"{at}.when", p)
        if len(p) == before:
            read = _read_qualifiers(item.get("when"))
            out.append(Rule(
                id=rule_id, family=family, urgency=urgency,
                text=" ".join(text.split()), source=tuple(src),
                confidence_factor=float(factor), superseded_by=tuple(superseded_by),
                qualifiers=tuple(q for q in _QUALIFIER_CODES if q in read),
                when=item.get("when"), predicate=predicate, needs=_needed_codes(item.get("when")),
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


def _compile_qualifier(arg, at, p) -> Predicate:
    keys = ("code", "is", "if_unknown")
    if not isinstance(arg, dict) or set(arg) != set(keys):
        p.append((at, "expected {code: qualifier, is: true|false, if_unknown: true|false}"))
        return _never
    code, value, if_unknown = arg["code"], arg["is"], arg["if_unknown"]
    if code not in _QUALIFIER_CODES:
        p.append((f"{at}.code", f"unknown qualifier {code!r}"))
        return _never
    for key in ("is", "if_unknown"):
        if not isinstance(arg[key], bool):
            p.append((f"{at}.{key}", "expected true or false"))
            return _never

    def test(facts: _Facts) -> bool:
        answer = facts.qualifiers.get(code)
        return if_unknown if answer is None else answer is value

    return test


def _needed_codes(cond: Any) -> frozenset[str] | None:
    """Codes of which a (valid) condition needs at least one present to hold, or None
    when it can hold with none: ``any_of``, ``all_of`` and ``count_of`` name theirs;
    ``all`` needs what its most selective part needs; ``any`` needs one of what each
    of its parts needs, when each part needs some. Anything else (``not``, ``none_of``,
    age, onset, movements, qualifiers, ...) needs no code."""
    ((key, arg),) = cond.items()
    if key in ("any_of", "all_of"):
        return frozenset(arg)
    if key == "count_of":
        return frozenset(arg["codes"])
    if key in ("all", "any"):
        parts = [_needed_codes(c) for c in arg]
        if key == "all":
            known = [p for p in parts if p is not None]
            return min(known, key=len) if known else None
        return None if any(p is None for p in parts) else frozenset().union(*parts)
    return None


def _read_qualifiers(cond: Any) -> set[str]:
    """Every qualifier code a (valid) condition reads."""
    if isinstance(cond, list):
        return set().union(*(_read_qualifiers(c) for c in cond)) if cond else set()
    if not isinstance(cond, dict):
        return set()
    out: set[str] = set()
    for key, arg in cond.items():
        if key == "qualifier" and isinstance(arg, dict):
            out.add(arg.get("code"))
        elif key in ("all", "any", "not"):
            out |= _read_qualifiers(arg)
    return out


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
    "qualifier": _compile_qualifier,
}
