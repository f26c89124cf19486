"""The planner's clinical numbers and words, read from ``data/*.yaml``.

Each number in ``doses.yaml``, ``limits.yaml`` and ``search.yaml`` is an entry
``{value: ..., source: ...}`` (or ``rationale:``); a number without either is refused,
as is a missing, unknown or mistyped entry or one outside its allowed range.
``steps.yaml`` holds the plan's words. (Plain checks, not pydantic: this is read at
every start of the planner, and the checks are a handful of numbers.)
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from .._data import packaged_yaml
from ..errors import ModelError

INF = float("inf")


def _setting(kind: str, low: float = -INF, high: float = INF, *, above: bool = False):
    """A field's rule: ``kind`` is int, float, pair (two ints, low <= high) or weights
    (a mapping of goal to float); numbers lie in [low, high] (above low when ``above``)."""
    return {"kind": kind, "low": low, "high": high, "above": above}


@dataclass(frozen=True)
class Doses:
    hold_seconds: int
    push_effort_pct: tuple[int, int]
    push_seconds: tuple[int, int]
    push_repetitions: int
    stretch_hold_seconds: tuple[int, int]
    jones_tenderness_drop_pct: int
    weak_repositioning_pct: float
    min_pressed_slack_pct: float
    min_stretch_pct: float
    hand_shortfall_pct: float
    push_share: float

    RULES = {
        "hold_seconds": _setting("int", 0, above=True),
        "push_effort_pct": _setting("pair", 0, 100),
        "push_seconds": _setting("pair", 0, above=True),
        "push_repetitions": _setting("int", 0, above=True),
        "stretch_hold_seconds": _setting("pair", 0, above=True),
        "jones_tenderness_drop_pct": _setting("int", 0, 100, above=True),
        "weak_repositioning_pct": _setting("float", 0),
        "min_pressed_slack_pct": _setting("float", 0),
        "min_stretch_pct": _setting("float", 0),
        "hand_shortfall_pct": _setting("float", 0),
        "push_share": _setting("float", 0, 1, above=True),
    }


@dataclass(frozen=True)
class Limits:
    ease_share: float
    stretch_share: float
    painful_share: float
    mild_pain_share: float
    mild_pain_max: int

    RULES = {
        "ease_share": _setting("float", 0, 1, above=True),
        "stretch_share": _setting("float", 0, 1, above=True),
        "painful_share": _setting("float", 0, 1, above=True),
        "mild_pain_share": _setting("float", 0, 1, above=True),
        "mild_pain_max": _setting("int", 0, 10),
    }


@dataclass(frozen=True)
class Search:
    weight: dict[str, float]
    max_grid_variables: int
    refinements: int
    greedy_additions: int
    min_contribution_pct: float
    min_useful_gain: float
    min_reported_degrees: float
    screen_keep: int

    RULES = {
        "weight": _setting("weights", 0),
        "max_grid_variables": _setting("int", 0, above=True),
        "refinements": _setting("int", 0),
        "greedy_additions": _setting("int", 0),
        "min_contribution_pct": _setting("float", 0),
        "min_useful_gain": _setting("float", 0),
        "min_reported_degrees": _setting("float", 0),
        "screen_keep": _setting("int", 0, above=True),
    }


def _is_number(value: Any, integer: bool) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) if integer else isinstance(value, (int, float))


def _check_number(value: Any, rule: dict, integer: bool, where: str) -> Any:
    if not _is_number(value, integer):
        raise ModelError(f"expected {'a whole number' if integer else 'a number'}, got {value!r}", field=where)
    low, high = rule["low"], rule["high"]
    if value < low or value > high or (rule["above"] and value == low):
        bound = f"above {low:g}" if rule["above"] else f"at least {low:g}"
        raise ModelError(f"must be {bound}" + (f" and at most {high:g}" if high < INF else "") + f", got {value!r}", field=where)
    return float(value) if not integer else value


def _check(value: Any, rule: dict, where: str) -> Any:
    kind = rule["kind"]
    if kind in ("int", "float"):
        return _check_number(value, rule, kind == "int", where)
    if kind == "pair":
        if not isinstance(value, list) or len(value) != 2:
            raise ModelError(f"expected [low, high], got {value!r}", field=where)
        pair = tuple(_check_number(v, rule, True, where) for v in value)
        if pair[0] > pair[1]:
            raise ModelError(f"low is above high in {value!r}", field=where)
        return pair
    if not isinstance(value, dict) or set(value) != {"shorten", "lengthen"}:
        raise ModelError(f"expected {{shorten: ..., lengthen: ...}}, got {value!r}", field=where)
    return {k: _check_number(v, rule, False, f"{where}.{k}") for k, v in value.items()}


def _cited(name: str, cls: type) -> Any:
    raw = packaged_yaml(__package__, name)
    if not isinstance(raw, dict):
        raise ModelError("expected a mapping of settings", field=name)
    wanted = [f.name for f in fields(cls)]
    missing = [k for k in wanted if k not in raw]
    unknown = [k for k in raw if k not in wanted]
    if missing or unknown:
        raise ModelError(f"missing {missing}, unknown {unknown}", field=name)
    values = {}
    for key in wanted:
        entry = raw[key]
        where = f"{name}:{key}"
        if not isinstance(entry, dict) or "value" not in entry:
            raise ModelError("expected {value: ..., source: ...}", field=where)
        if not (entry.get("source") or entry.get("rationale")):
            raise ModelError("a number needs a source: or a rationale:", field=where)
        extra = set(entry) - {"value", "source", "rationale"}
        if extra:
            raise ModelError(f"unknown keys {sorted(extra)}", field=where)
        values[key] = _check(entry["value"], cls.RULES[key], where)
    return cls(**values)


@lru_cache(maxsize=1)
def doses() -> Doses:
    return _cited("doses.yaml", Doses)


@lru_cache(maxsize=1)
def limits() -> Limits:
    return _cited("limits.yaml", Limits)


@lru_cache(maxsize=1)
def search() -> Search:
    return _cited("search.yaml", Search)


@lru_cache(maxsize=1)
def words() -> dict:
    """The plan's words (``steps.yaml``): notices and step templates by technique."""
    raw = packaged_yaml(__package__, "steps.yaml")
    expected = {"notice", "if_it_hurts", "muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain"}
    if not isinstance(raw, dict) or set(raw) != expected:
        raise ModelError(f"expected exactly the sections {sorted(expected)}", field="steps.yaml")
    return raw
