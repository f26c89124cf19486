"""The next right question of an assessment: a red-flag follow-up first, then the
most informative test movement.

``next_question(findings)`` is a pure function of the findings:

1. Safety first. If an unanswered qualifier could change what triage tells the
   person (``TriageResult.questions``: a rule fires, or could fire, only because of
   it), that question comes first, most urgent concern first. A qualifier present
   as null was asked and the person could not say; it is not asked again.
2. If triage refers, nothing else is asked: no test can make self-care safe.
3. Otherwise the next test movement (one not yet in ``findings.movements``; an
   empty entry ``{}`` records a test asked but not done) is the
   one whose answer is expected to tell the most about which muscle-side it is: the
   mutual information between its answer and the muscle-side, from the same
   likelihood model that ranks the muscles (``identify.py``), with the answers and
   their base rates of ``data/adaptive.yaml``.
4. ``None`` when the leading candidate is clear, or when no test left is likely to
   change it (``data/adaptive.yaml``, ``stop``).

No muscle and no rule is named here; the clinical content is in the data files.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np

from .._data import packaged_yaml
from ..errors import ModelError
from ..vocabulary import MOVEMENT_CODES
from .findings import Findings, MovementFinding, parse_findings
from .identify import Identifier, default_identifier
from .triage import TriageResult, triage

QUESTIONS_FILE = "adaptive.yaml"
KINDS = ("qualifier", "movement")


@dataclass(frozen=True)
class NextQuestion:
    """The next question to put to the person.

    ``kind``: ``"qualifier"`` (a red-flag follow-up; ``code`` is a qualifier of
    contract section 3, answered true / false into ``findings.qualifiers``) or
    ``"movement"`` (a test movement; ``code`` is a movement code of contract section
    3, answered as a ``movements`` entry). ``text``: what to ask or how to do the
    movement, in plain words; ``why``: why this question now, in plain words.
    """

    kind: str
    code: str
    why: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "code": self.code, "why": self.why, "text": self.text}


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class QuestionSettings:
    """``data/adaptive.yaml``, validated."""

    outcomes: Mapping[str, MovementFinding]
    base_rates: np.ndarray  # (K,), sums to 1, in the order of ``outcomes``
    clear_probability: float
    change_probability: float
    why_muscles: int
    response_at_least: float

    @classmethod
    def from_document(cls, doc: Any) -> "QuestionSettings":
        def fail(where: str, message: str):
            raise ModelError(message, field=f"{QUESTIONS_FILE}:{where}")

        if not isinstance(doc, dict):
            fail("$", "expected a mapping")
        outcomes = (doc.get("movements") or {}).get("outcomes")
        if not isinstance(outcomes, dict) or len(outcomes) < 2:
            fail("movements.outcomes", "expected at least two answers")
        findings, rates = {}, []
        for name, entry in outcomes.items():
            if not isinstance(entry, dict) or set(entry) != {"finding", "base_rate"}:
                fail(f"movements.outcomes.{name}", "expected {finding, base_rate}")
            try:
                findings[name] = MovementFinding.model_validate(entry["finding"])
            except Exception as exc:  # pydantic names the field
                fail(f"movements.outcomes.{name}.finding", str(exc).splitlines()[0])
            rates.append(_number(entry["base_rate"], f"movements.outcomes.{name}.base_rate", fail, 0.0, 1.0))
        if abs(sum(rates) - 1.0) > 1e-9:
            fail("movements.outcomes", f"base rates must sum to 1, not {sum(rates):g}")
        stop = doc.get("stop")
        if not isinstance(stop, dict):
            fail("stop", "expected a mapping")
        return cls(
            outcomes=MappingProxyType(findings),
            base_rates=np.array(rates, float),
            clear_probability=_number(stop.get("clear_probability"), "stop.clear_probability", fail, 0.0, 1.0),
            change_probability=_number(stop.get("change_probability"), "stop.change_probability", fail, 0.0, 1.0),
            why_muscles=int(_number(stop.get("why_muscles"), "stop.why_muscles", fail, 1.0, 10.0)),
            response_at_least=_number(stop.get("response_at_least"), "stop.response_at_least", fail, 0.0, 1.0),
        )


def _number(value: Any, where: str, fail, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        fail(where, f"expected a number, got {value!r}")
    if not low <= value <= high:
        fail(where, f"must be within [{low:g}, {high:g}], got {value!r}")
    return float(value)


@functools.lru_cache(maxsize=1)
def default_settings() -> QuestionSettings:
    """The packaged ``data/adaptive.yaml`` (read once)."""
    return QuestionSettings.from_document(packaged_yaml(__package__, QUESTIONS_FILE))


# --------------------------------------------------------------------------- the chooser


@dataclass(frozen=True)
class MovementChoice:
    """The evaluation of one test movement in the current state (for the bench and tests)."""

    code: str
    information: float  # expected information gain, nats
    change_probability: float  # probability that its answer changes the leading candidates' ranking


class QuestionChooser:
    """Chooses test movements by expected information gain; immutable, pure methods."""

    def __init__(self, identifier: Identifier, settings: QuestionSettings):
        self.identifier = identifier
        self.settings = settings
        T = identifier.weights.temperature
        codes = [c for c in MOVEMENT_CODES if c in identifier._movement_row]
        self.codes: tuple[str, ...] = tuple(codes)
        # LLR of every answer of every test for every muscle-side: (M, K, H).
        self._llr = np.array([[identifier.movement_llr(c, f) for f in settings.outcomes.values()]
                              for c in codes])
        # P(answer | muscle-side): the "not identified" rates tilted by the likelihood ratio.
        tilted = settings.base_rates[None, :, None] * np.exp(T * self._llr)
        self._likelihood = tilted / tilted.sum(axis=1, keepdims=True)  # (M, K, H)
        for arr in (self._llr, self._likelihood):
            arr.setflags(write=False)

    def evaluate(self, findings: Findings) -> tuple[list[MovementChoice], np.ndarray, np.ndarray]:
        """Every test not yet done, with its information and its chance to change the
        leader; and the current (unscaled) probabilities and summed evidence."""
        ident = self.identifier
        total = ident.evidence(findings)
        probs = ident.posterior(total)  # unscaled: a caution's factor changes no ranking
        other = max(0.0, 1.0 - float(probs.sum()))
        shown = self.settings.why_muscles
        leaders = ident.ranking(probs, total)[:shown]
        rates = self.settings.base_rates
        out = []
        for m, code in enumerate(self.codes):
            if code in findings.movements:
                continue
            lik = self._likelihood[m]  # (K, H)
            # Mutual information I(answer; hypothesis) = H(answer) - E_h H(answer | h),
            # with "not identified" answering at the base rates.
            p_answer = lik @ probs + other * rates  # (K,)
            cond = -(probs @ _xlogx(lik).sum(axis=0)) - other * float(_xlogx(rates).sum())
            info = max(0.0, _entropy(p_answer) - cond)
            change = 0.0
            for k in range(len(rates)):
                t = total + self._llr[m, k]
                if ident.ranking(ident.posterior(t), t)[:shown] != leaders:
                    change += float(p_answer[k])
            out.append(MovementChoice(code, info, change))
        return out, probs, total

    def next_movement(self, findings: Findings) -> NextQuestion | None:
        """The most informative test movement, or None when no test is worth asking."""
        choices, probs, total = self.evaluate(findings)
        if not choices:
            return None
        ranked = self.identifier.ranking(probs, total)
        s = self.settings
        if ranked and probs[ranked[0]] >= s.clear_probability:
            return None
        if max(c.change_probability for c in choices) < s.change_probability:
            return None
        best = max(choices, key=lambda c: (c.information, c.change_probability, -self.codes.index(c.code)))
        return NextQuestion("movement", best.code, self._why(best.code, probs, ranked), _movement_text(best.code))

    def _why(self, code: str, probs: np.ndarray, ranked: list[int]) -> str:
        ident, s = self.identifier, self.settings
        phrase = ident.weights.movement_phrases[code]
        leading = ranked[: s.why_muscles] or sorted(range(len(probs)), key=lambda j: -probs[j])[: s.why_muscles]
        stretch, work = ident.movement_response(code)
        stretched = [j for j in leading if stretch[j] >= s.response_at_least]
        worked = [j for j in leading if j not in stretched and work[j] >= s.response_at_least]
        spared = [j for j in leading if j not in stretched and j not in worked]

        def names(js):
            return _join([f"the {ident.common_name(j)} ({ident.hypotheses[j][1]})" for j in js])

        parts = []
        if stretched:
            parts.append(f"stretches {names(stretched)}")
        if worked:
            parts.append(f"makes {names(worked)} work")
        if spared and (stretched or worked):
            parts.append(f"leaves {names(spared)} alone")
        effect = (_join(parts) if parts else
                  f"does not stretch {names(leading)}, so pain would point away from them")
        lead = ranked[0] if ranked else None
        now = (f"the {ident.common_name(lead)} ({ident.hypotheses[lead][1]}) leads with {probs[lead]:.0%}, "
               "which is not yet clear" if lead is not None else "no muscle stands out yet")
        return (f"{phrase[0].upper()}{phrase[1:]} {effect}. Of the tests not yet done, its answer is "
                f"expected to tell the most about which muscle it is ({now}).")


def _movement_text(code: str) -> str:
    from ..anatomy.movements import movements

    return movements()[code].text


def _first(ranking: list[int]) -> int | None:
    return ranking[0] if ranking else None


def _xlogx(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, float)
    return np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)


def _entropy(p: np.ndarray) -> float:
    return float(-_xlogx(p).sum())


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


@functools.lru_cache(maxsize=1)
def default_chooser() -> QuestionChooser:
    """The chooser over the packaged identifier and settings (built once)."""
    return QuestionChooser(default_identifier(), default_settings())


# --------------------------------------------------------------------------- public


def qualifier_question(gate: TriageResult, findings: Findings) -> NextQuestion | None:
    """The first red-flag follow-up of a triage result not yet put to the person, or None.

    A qualifier given as null was asked and the person could not say: it stays
    unknown (the rule keeps its conservative answer) and is not asked again.
    """
    for q in gate.questions:
        if q.code not in findings.qualifiers:
            return NextQuestion("qualifier", q.code, q.why, q.question)
    return None


def next_question(findings: Findings | dict | str) -> NextQuestion | None:
    """The next question to ask, or None when no further question would change the answer.

    A red-flag follow-up (``kind == "qualifier"``) whose answer could change what
    triage says comes first (one given as null, "cannot say", is not asked again);
    when triage refers, nothing else is asked; otherwise
    the most informative test movement (``kind == "movement"``), until the leading
    candidate is clear or no test left is likely to change it. Pure: the same
    findings give the same question. Invalid findings raise ``ValidationError``.
    """
    if not isinstance(findings, Findings):
        findings = parse_findings(findings)
    gate = triage(findings)
    first = qualifier_question(gate, findings)
    if first is not None:
        return first
    if gate.status == "refer":
        return None
    return default_chooser().next_movement(findings)


__all__ = [
    "KINDS",
    "MovementChoice",
    "NextQuestion",
    "QuestionChooser",
    "QuestionSettings",
    "default_chooser",
    "default_settings",
    "next_question",
    "qualifier_question",
]
