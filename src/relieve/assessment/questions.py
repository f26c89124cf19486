"""The questionnaire as data: the wording and order of every question (``data/questions.yaml``).

Every front end (the terminal questionnaire now, the web app later) asks the same
questions in the same order, checked when loaded: every text a kind of question
needs is there, option codes are contract codes, and the safety gate comes after
every answer it reads and before every step that needs it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Mapping

from .. import vocabulary
from .._data import packaged_yaml
from ..errors import ModelError

QUESTIONS_FILE = "questions.yaml"


@dataclass(frozen=True)
class Question:
    """One step of ``questions.yaml``; ``texts`` holds its wording (prompt, heading,
    intro and the kind's own texts), ``options`` its numbered answers (code -> label),
    ``settings`` the rest (a number's min, max, whole, required; a pain map's picture)."""

    id: str
    kind: str
    screen: str | None
    texts: Mapping[str, str]
    options: Mapping[str, str] = field(default_factory=dict)
    settings: Mapping[str, Any] = field(default_factory=dict)

    def text(self, key: str, **values) -> str:
        return self.texts[key].format(**values) if values else self.texts[key]


@dataclass(frozen=True)
class Questions:
    title: str
    intro: str
    rationale: str
    steps: tuple[Question, ...]
    plan_offer: str
    follow_up: Mapping[str, str]  # heading, why and prompt of a red-flag follow-up question

    def __getitem__(self, question_id: str) -> Question:
        return next(q for q in self.steps if q.id == question_id)


# Which texts (beyond the optional heading and intro) each kind needs, and its other keys.
_KIND_TEXTS = {
    "number": ("prompt",),
    "choice": ("prompt",),
    "many": ("prompt",),
    "regions": ("prompt", "side_prompt"),
    "movements": ("prompt", "again", "limited", "where", "counter", "why", "none_needed"),
    "head_posture": ("tilt", "turn", "forward"),
    "gate": ("stop",),
}
_KIND_OTHER = {"number": {"min", "max", "whole", "required"}, "choice": {"options"}, "many": {"options"},
               "regions": {"picture"}}
_OPTION_CODES = {"onset": "ONSET_CODES", "history": "HISTORY_CODES", "symptoms": "SYMPTOM_CODES"}


@lru_cache(maxsize=1)
def questionnaire() -> Questions:
    """The packaged questionnaire (``assessment/data/questions.yaml``), checked: every text a
    kind needs is there, option codes are contract codes, and the order keeps the
    safety gate after every answer it reads and before every step that needs it."""
    return parse_questions(packaged_yaml(__package__, QUESTIONS_FILE))


def parse_questions(doc: Any) -> Questions:
    def fail(where: str, message: str) -> ModelError:
        return ModelError(message, field=f"{QUESTIONS_FILE}:{where}")

    def text(value, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise fail(where, "expected a text")
        return value

    if not isinstance(doc, dict):
        raise fail("", "expected a mapping")
    unknown = set(doc) - {"rationale", "title", "intro", "order", "questions", "follow_up", "plan_offer"}
    if unknown:
        raise fail(sorted(map(str, unknown))[0], "unknown key")
    specs = doc.get("questions")
    order = doc.get("order")
    if not isinstance(specs, dict) or not isinstance(order, list):
        raise fail("", "expected `order` (a list) and `questions` (a mapping)")
    if len(set(map(str, order))) != len(order) or set(order) != set(specs):
        raise fail("order", "must list every question exactly once")
    steps = []
    for qid in order:
        spec = specs[qid]
        where = f"questions.{qid}"
        if not isinstance(spec, dict) or spec.get("kind") not in _KIND_TEXTS:
            raise fail(f"{where}.kind", f"expected one of {', '.join(_KIND_TEXTS)}")
        kind = spec["kind"]
        needed = _KIND_TEXTS[kind]
        allowed = {"kind", "screen", "heading", "intro", *needed, *_KIND_OTHER.get(kind, ())}
        extra = sorted(map(str, set(spec) - allowed))
        if extra:
            raise fail(f"{where}.{extra[0]}", f"unknown key for a {kind} question")
        texts = {k: text(spec.get(k), f"{where}.{k}") for k in needed}
        texts.update({k: text(spec[k], f"{where}.{k}") for k in ("heading", "intro") if k in spec})
        screen = spec.get("screen")
        if (kind == "gate") != (screen is None) or screen not in (None, "before", "after"):
            raise fail(f"{where}.screen", "expected before or after (and nothing for the gate)")
        options: dict[str, str] = {}
        if "options" in _KIND_OTHER.get(kind, ()):
            raw = spec.get("options")
            if not isinstance(raw, dict) or not raw:
                raise fail(f"{where}.options", "expected code: label pairs")
            valid = getattr(vocabulary, _OPTION_CODES[qid]) if qid in _OPTION_CODES else None
            for code, label in raw.items():
                if valid is not None and code not in valid:
                    raise fail(f"{where}.options.{code}", f"not a contract code for {qid}")
                options[str(code)] = text(label, f"{where}.options.{code}")
        settings = {k: spec[k] for k in _KIND_OTHER.get(kind, ()) if k != "options" and k in spec}
        for k in ("min", "max"):
            if k in settings and (isinstance(settings[k], bool) or not isinstance(settings[k], (int, float))):
                raise fail(f"{where}.{k}", "expected a number")
        if kind == "number" and "min" not in settings:
            raise fail(where, "a number question needs `min`")
        steps.append(Question(qid, kind, screen, MappingProxyType(texts), MappingProxyType(options),
                              MappingProxyType(settings)))
    gates = [i for i, q in enumerate(steps) if q.kind == "gate"]
    if len(gates) != 1:
        raise fail("order", "needs exactly one safety gate")
    for i, q in enumerate(steps):
        if (q.screen == "before") != (i < gates[0]) and q.kind != "gate":
            side = "before" if q.screen == "before" else "after"
            raise fail("order", f"{q.id} must come {side} the safety gate")
    return Questions(
        title=text(doc.get("title"), "title"),
        intro=text(doc.get("intro"), "intro"),
        rationale=text(doc.get("rationale"), "rationale"),
        steps=tuple(steps),
        plan_offer=text(doc.get("plan_offer"), "plan_offer"),
        follow_up=MappingProxyType({k: text((doc.get("follow_up") or {}).get(k), f"follow_up.{k}")
                                    for k in ("heading", "why", "prompt")}),
    )
