"""The public library: its pinned surface, the safety gate inside ``plan``, one plan
type, and every answer checked against the published contract models."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import relieve
from relieve.assessment import default_rules, triage
from relieve.contract import AssessmentDocument, PlanDocument, parse_findings, schema
from relieve.vocabulary import MUSCLE_IDS, SIDES

VIGNETTES = Path(__file__).parent / "vignettes"

# Pinned like httpx pins its exports: a change here is a change of the public API and
# belongs in the README too.
PUBLIC_API = [
    "Assessment",
    "AssessmentDocument",
    "Findings",
    "ModelError",
    "Plan",
    "PlanDocument",
    "ReferralRequired",
    "RelieveError",
    "UnknownNameError",
    "ValidationError",
    "__version__",
    "assess",
    "default_model",
    "load_model",
    "muscle_card",
    "muscles",
    "next_question",
    "parse_findings",
    "plan",
    "schema",
]


def test_public_api_is_pinned():
    assert sorted(relieve.__all__) == sorted(PUBLIC_API)
    for name in relieve.__all__:
        assert getattr(relieve, name) is not None, name


def test_every_error_is_a_relieve_error():
    for name in ("ModelError", "ReferralRequired", "UnknownNameError", "ValidationError"):
        assert issubclass(getattr(relieve, name), relieve.RelieveError)


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        relieve.no_such_thing  # noqa: B018


# --------------------------------------------------------------------------- safety gate


def _vignettes(name):
    return yaml.safe_load((VIGNETTES / name).read_text())


def _referring_case_per_family():
    """One vignette that fires each red-flag family of the rule book."""
    families = {r.family for r in default_rules().red_flags}
    found = {}
    for case in _vignettes("red_flags.yaml") + _vignettes("identification.yaml"):
        for family in triage(parse_findings(case["findings"])).families:
            found.setdefault(family, case)
    assert set(found) == families, f"no vignette fires {sorted(families - set(found))}"
    return sorted(found.items())


@pytest.mark.parametrize("family,case", _referring_case_per_family(), ids=lambda x: x if isinstance(x, str) else "")
def test_plan_refuses_referring_findings_in_the_library(family, case):
    findings = case["findings"]
    expected = relieve.assess(findings).to_contract()["refer"]
    for given in (findings, json.dumps(findings), parse_findings(findings)):
        with pytest.raises(relieve.ReferralRequired) as info:
            relieve.plan([("levator_scapulae", "left")], findings=given)
        assert info.value.refer == expected
        assert isinstance(info.value, relieve.RelieveError)


def test_the_gate_also_holds_for_several_targets_and_groups():
    doc = {"age": 70, "history": ["car_accident"], "symptoms": ["numbness_both_arms"]}
    with pytest.raises(relieve.ReferralRequired) as info:
        relieve.plan([("scalenes", "left"), ("levator_scapulae", "right")], findings=doc)
    assert info.value.refer["urgency"] == "emergency"


def test_invalid_findings_are_refused_before_any_plan():
    with pytest.raises(relieve.ValidationError) as info:
        relieve.plan([("levator_scapulae", "left")], findings={"age": "old"})
    assert info.value.problems[0][0] == "age"


# --------------------------------------------------------------------------- one plan type


def test_plan_is_one_type_for_one_or_several_targets():
    one = relieve.plan([("levator_scapulae", "left")])
    several = relieve.plan([("levator_scapulae", "left"), ("upper_trapezius", "left")])
    group = relieve.plan([("rhomboids", "right")])
    for p in (one, several, group):
        assert isinstance(p, relieve.Plan)
        assert set(p.techniques) == {"muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain"}
    assert one.combined is None and one.to_contract() is one.plans[0]
    assert several.combined is not None and len(several.plans) == 2
    assert [t.muscle for t in group.targets] == ["rhomboid_major", "rhomboid_minor"]
    assert several.to_contract()["combined"]["techniques"] == several.techniques


@pytest.mark.parametrize("bad", [[], "levator_scapulae", [("levator_scapulae",)], [("levator_scapulae", "up")]])
def test_bad_targets_name_the_field(bad):
    with pytest.raises(relieve.RelieveError) as info:
        relieve.plan(bad)
    assert info.value.field in ("muscle", "side")


# --------------------------------------------------------------------------- contract models


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
def test_every_plan_matches_the_published_plan_model(muscle):
    for side in SIDES:
        PlanDocument.model_validate(relieve.plan([(muscle, side)]).to_contract())


def test_every_vignette_assessment_matches_the_published_model():
    for case in _vignettes("identification.yaml") + _vignettes("red_flags.yaml"):
        doc = relieve.assess(case["findings"]).to_contract()
        AssessmentDocument.model_validate(doc)
        if doc["status"] == "refer":
            assert doc["candidates"] == [] and doc["refer"]["reasons"]


@pytest.mark.parametrize("name", ["findings", "assessment", "plan"])
def test_schemas_are_published(name):
    s = schema(name)
    assert s["type"] == "object" and s["properties"]
    json.dumps(s)  # plain JSON


def test_findings_schema_lists_the_contract_codes():
    s = schema("findings")
    movement_keys = s["properties"]["movements"]["propertyNames"]["enum"]
    assert "rotation_right" in movement_keys and len(movement_keys) == 14
    assert s["properties"]["age"]["minimum"] == 12 and s["properties"]["age"]["maximum"] == 110


def test_schema_of_an_unknown_document_names_it():
    with pytest.raises(relieve.UnknownNameError) as info:
        schema("session")
    assert info.value.field == "document"


def test_muscles_and_group_cards():
    listing = relieve.muscles()
    assert [m["muscle"] for m in listing["muscles"]] == list(MUSCLE_IDS)
    card = relieve.muscle_card("scalenes", "left")
    assert card["group"] == "scalenes"
    assert [c["muscle"] for c in card["muscles"]] == ["anterior_scalene", "middle_scalene", "posterior_scalene"]
    assert relieve.muscle_card("levator_scapulae", "left")["muscle"] == "levator_scapulae"


# --------------------------------------------------------------------------- repeats and bounds


def test_a_tender_point_listed_twice_is_refused_not_counted_twice():
    spot = {"region": "superior_angle_scapula", "side": "left"}
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": 40, "tender_points": [spot] * 20})
    fields = [f for f, _ in info.value.problems]
    assert fields[0] == "tender_points[1]" and "more than once" in info.value.problems[0][1]


def test_many_bad_codes_give_a_bounded_message():
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": 40, "history": [f"bad{i}" for i in range(100_000)]})
    text = str(info.value)
    assert len(info.value.problems) <= 21 and len(text) < 5_000
    assert text.count("sustained_posture") == 1  # the valid codes are listed once
    assert "more problems not shown" in text


def test_only_the_problems_shown_are_searched_for_a_near_miss(monkeypatch):
    """Each misspelt code costs a search for the nearest valid one; a document with
    thousands of them is answered with its first 20 problems, and only those are
    searched (every search counted). A code listed twice is echoed shortened."""
    import difflib

    from relieve.contract._base import MAX_PROBLEMS

    calls = []
    real = difflib.get_close_matches
    monkeypatch.setattr(difflib, "get_close_matches", lambda *a, **k: calls.append(a[0]) or real(*a, **k))
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": 40, "history": ["slept_awkwardy"] + [f"bad{i}" for i in range(5_000)]})
    assert 0 < len(calls) <= MAX_PROBLEMS
    assert "did you mean 'slept_awkwardly'" in info.value.problems[0][1]
    calls.clear()
    with pytest.raises(relieve.ValidationError) as info:  # outside a document, every search runs
        parse_findings({"age": 40, "onset": "sudenn"})
    assert calls == ["sudenn"] and "did you mean 'sudden'" in str(info.value)
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": 40, "history": ["x" * 1_000_000] * 2})
    assert len(str(info.value)) < 5_000 and "listed more than once" in str(info.value)


def test_a_huge_unknown_code_is_refused_without_a_search():
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": 40, "onset": "x" * 30_000_000})
    message = info.value.problems[0][1]
    assert "did you mean" not in message and len(message) < 1_000


def test_deep_nesting_and_non_finite_numbers_are_refused():
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings('{"age": 40, "movements": ' + "[" * 1000 + "]" * 1000 + "}")
    assert "nested too deeply" in str(info.value)
    from relieve._input import MAX_NESTING, decode_json

    # the limit itself: 32 levels are read, 33 are not; brackets inside strings do not count,
    # however many the document holds
    for depth, refused in ((MAX_NESTING, False), (MAX_NESTING + 1, True)):
        text = "[" * (depth - 1) + '{"a": "' + "[{" * 100 + '"}' + "]" * (depth - 1)
        if refused:
            with pytest.raises(relieve.ValidationError, match="nested too deeply"):
                decode_json(text)
        else:
            assert decode_json(text) is not None
    with pytest.raises(relieve.ValidationError):
        parse_findings('{"age": Infinity}')
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": float("nan")})
    assert "finite" in str(info.value)


def test_qualifiers_are_accepted_as_in_the_contract():
    f = parse_findings({"age": 50, "qualifiers": {"headache_new_or_different": False, "scalp_tenderness": None}})
    assert f.qualifier("headache_new_or_different") is False and f.qualifier("visual_disturbance") is None
    with pytest.raises(relieve.ValidationError) as info:
        parse_findings({"age": 50, "qualifiers": {"headache_new": True}})
    assert "did you mean 'headache_new_or_different'" in str(info.value)


@pytest.mark.parametrize("value", [["x"], {"a": 1}, None, 3, float("nan"), b"bytes", ("levator_scapulae",)],
                         ids=["list", "dict", "None", "int", "nan", "bytes", "tuple"])
def test_every_public_function_refuses_a_value_of_the_wrong_kind_by_name(value):
    """Each public function given a value of the wrong kind (a list for a name, a number
    for targets, bytes for a path) raises ``RelieveError`` naming what was wrong, as a
    front end needs, never a ``TypeError`` from inside."""
    calls = [
        lambda: relieve.assess(value), lambda: relieve.parse_findings(value), lambda: relieve.next_question(value),
        lambda: relieve.plan(value), lambda: relieve.plan([(value, "left")]), lambda: relieve.schema(value),
        lambda: relieve.load_model(value), lambda: relieve.muscle_card(value, "left"),
        lambda: relieve.muscle_card("levator_scapulae", value),
    ]
    for call in calls:
        with pytest.raises(relieve.RelieveError):
            call()
