"""The planner's clinical numbers are data with their sources; broken data is refused."""

from __future__ import annotations

import pytest

from relieve.errors import ModelError
from relieve.techniques import _settings
from relieve.techniques._settings import Doses, Limits, Search, doses, limits, search


def test_packaged_settings_load_with_their_values():
    d = doses()
    assert d.hold_seconds == 90 and d.push_effort_pct == (10, 20) and d.push_repetitions == 3
    assert limits().ease_share == 0.5 and search().weight["shorten"] == 1.5


def _with(monkeypatch, text_by_key):
    monkeypatch.setattr(_settings, "packaged_yaml", lambda package, name: text_by_key)


GOOD = {f: {"value": v, "source": "x"} for f, v in {
    "hold_seconds": 90, "push_effort_pct": [10, 20], "push_seconds": [5, 7], "push_repetitions": 3,
    "stretch_hold_seconds": [20, 30], "jones_tenderness_drop_pct": 70, "weak_repositioning_pct": 2.0,
    "min_pressed_slack_pct": 2.0, "min_stretch_pct": 3.0, "hand_shortfall_pct": 2.0, "push_share": 0.35}.items()}


def test_a_good_file_reads(monkeypatch):
    _with(monkeypatch, GOOD)
    assert _settings._cited("doses.yaml", Doses).push_seconds == (5, 7)


@pytest.mark.parametrize(
    "key, entry, words",
    [
        ("hold_seconds", {"value": 90}, "source"),
        ("hold_seconds", {"value": "90", "source": "x"}, "whole number"),
        ("hold_seconds", {"value": 0, "source": "x"}, "above 0"),
        ("push_effort_pct", {"value": [20, 10], "source": "x"}, "low is above high"),
        ("push_effort_pct", {"value": [10, 120], "source": "x"}, "at most 100"),
        ("push_share", {"value": True, "source": "x"}, "a number"),
        ("push_share", {"value": 0.3, "source": "x", "note": "y"}, "unknown keys"),
        ("push_share", 0.3, "value"),
    ],
)
def test_broken_entries_name_the_file_and_key(monkeypatch, key, entry, words):
    _with(monkeypatch, {**GOOD, key: entry})
    with pytest.raises(ModelError) as info:
        _settings._cited("doses.yaml", Doses)
    assert info.value.field.startswith(f"doses.yaml:{key}") and words in info.value.message


def test_missing_and_unknown_settings_are_refused(monkeypatch):
    broken = dict(GOOD)
    del broken["push_share"]
    broken["hold_minutes"] = {"value": 1, "source": "x"}
    _with(monkeypatch, broken)
    with pytest.raises(ModelError) as info:
        _settings._cited("doses.yaml", Doses)
    assert "push_share" in str(info.value) and "hold_minutes" in str(info.value)


def test_every_settings_class_has_a_rule_per_field():
    from dataclasses import fields

    for cls in (Doses, Limits, Search):
        assert [f.name for f in fields(cls)] == list(cls.RULES)
