"""The planner's clinical numbers and words, read from ``data/*.yaml``.

Each number in ``doses.yaml``, ``limits.yaml`` and ``search.yaml`` is an entry
``{value: ..., source: ...}`` (or ``rationale:``); a number without either is refused,
as is a missing, unknown or mistyped entry. ``steps.yaml`` holds the plan's words.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError as PydanticError

from .._data import packaged_yaml
from ..errors import ModelError


class _Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Doses(_Settings):
    hold_seconds: int = Field(gt=0)
    push_effort_pct: tuple[int, int]
    push_seconds: tuple[int, int]
    push_repetitions: int = Field(gt=0)
    stretch_hold_seconds: tuple[int, int]
    jones_tenderness_drop_pct: int = Field(gt=0, le=100)
    weak_repositioning_pct: float = Field(ge=0)
    min_pressed_slack_pct: float = Field(ge=0)
    min_stretch_pct: float = Field(ge=0)
    hand_shortfall_pct: float = Field(ge=0)
    push_share: float = Field(gt=0, le=1)


class Limits(_Settings):
    ease_share: float = Field(gt=0, le=1)
    stretch_share: float = Field(gt=0, le=1)
    painful_share: float = Field(gt=0, le=1)
    mild_pain_share: float = Field(gt=0, le=1)
    mild_pain_max: int = Field(ge=0, le=10)


class Search(_Settings):
    weight: dict[str, float]
    max_grid_variables: int = Field(gt=0)
    refinements: int = Field(ge=0)
    greedy_additions: int = Field(ge=0)
    min_contribution_pct: float = Field(ge=0)
    min_useful_gain: float = Field(ge=0)
    min_reported_degrees: float = Field(ge=0)


def _cited(name: str, model: type[_Settings]) -> Any:
    raw = packaged_yaml(__package__, name)
    if not isinstance(raw, dict):
        raise ModelError("expected a mapping of settings", field=name)
    values = {}
    for key, entry in raw.items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise ModelError("expected {value: ..., source: ...}", field=f"{name}:{key}")
        if not (entry.get("source") or entry.get("rationale")):
            raise ModelError("a number needs a source: or a rationale:", field=f"{name}:{key}")
        unknown = set(entry) - {"value", "source", "rationale"}
        if unknown:
            raise ModelError(f"unknown keys {sorted(unknown)}", field=f"{name}:{key}")
        values[key] = entry["value"]
    try:
        return model.model_validate(values)
    except PydanticError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ModelError(first["msg"], field=f"{name}:{where}") from None


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
