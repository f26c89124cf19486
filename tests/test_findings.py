"""parse_findings: contract section 3, every problem reported at once."""

from __future__ import annotations

import pydantic
import json

import pytest

from relieve.assessment import Findings, HeadPosture, MovementFinding, RegionFinding, parse_findings
from relieve.errors import RelieveError, ValidationError

CONTRACT_EXAMPLE = {
    "age": 41,
    "onset": "on_waking",
    "duration_days": 1,
    "history": ["slept_awkwardly"],
    "symptoms": [],
    "pain_now": 6,
    "pain_regions": [{"region": "neck_shoulder_junction", "side": "left"}],
    "movements": {
        "rotation_right": {"pain": 6, "limited": True, "pain_side": "left"},
        "rotation_left": {"pain": 0, "limited": False},
    },
    "resting_head_posture": {"tilt": None, "turn": None, "forward_head": False},
    "tender_points": [{"region": "superior_angle_scapula", "side": "left"}],
}


def problems_of(doc) -> dict[str, str]:
    with pytest.raises(ValidationError) as info:
        parse_findings(doc)
    return dict(info.value.problems)


# --- Accepted documents. ---------------------------------------------------------


def test_contract_example_parses_into_typed_fields():
    f = parse_findings(CONTRACT_EXAMPLE)
    assert f.age == 41
    assert f.onset == "on_waking"
    assert f.history == ("slept_awkwardly",)
    assert f.symptoms == ()
    assert f.pain_regions == (RegionFinding(region="neck_shoulder_junction", side="left"),)
    assert f.movement("rotation_right") == MovementFinding(pain=6, limited=True, pain_side="left")
    assert f.movement("rotation_left").limited is False
    assert f.movement("flexion") is None
    assert f.resting_head_posture == HeadPosture(forward_head=False)
    assert f.tender_points == (RegionFinding(region="superior_angle_scapula", side="left"),)
    assert f.has("slept_awkwardly") and not f.has("fever")


def test_findings_is_frozen_and_uses_tuples():
    f = parse_findings(CONTRACT_EXAMPLE)
    with pytest.raises(pydantic.ValidationError):
        f.age = 50
    with pytest.raises(pydantic.ValidationError):
        f.movement("rotation_left").pain = 3
    for name in ("history", "symptoms", "pain_regions", "tender_points"):
        assert isinstance(getattr(f, name), tuple)
    assert isinstance(f.movements, dict)  # keyed by movement code, as in the contract


def test_to_dict_round_trip():
    f = parse_findings(CONTRACT_EXAMPLE)
    d = f.to_dict()
    assert parse_findings(d) == f
    assert parse_findings(json.dumps(d)) == f
    expected = dict(CONTRACT_EXAMPLE)
    del expected["symptoms"]  # empty lists are left out
    assert d == expected


def test_only_age_is_required_and_defaults_are_empty():
    f = parse_findings({"age": 30})
    assert f == Findings(age=30)
    assert f.onset is None and f.pain_now is None and f.duration_days is None
    assert f.history == () and f.movements == {} and f.resting_head_posture == HeadPosture()
    assert f.to_dict() == {"age": 30}


def test_null_means_not_given_for_optional_fields():
    f = parse_findings({"age": 30, "onset": None, "pain_now": None, "history": None,
                        "movements": {"flexion": {"pain": None}}, "resting_head_posture": None})
    assert f.onset is None and f.history == ()
    assert f.movement("flexion") == MovementFinding()


def test_json_text_is_accepted():
    assert parse_findings(json.dumps(CONTRACT_EXAMPLE)) == parse_findings(CONTRACT_EXAMPLE)


def test_boundaries_are_inclusive():
    f = parse_findings({"age": 12, "pain_now": 0, "duration_days": 0,
                        "movements": {"flexion": {"pain": 10}}})
    assert f.age == 12 and f.movement("flexion").pain == 10
    assert parse_findings({"age": 110, "pain_now": 10, "duration_days": 2.5}).duration_days == 2.5


def test_empty_movement_entry_is_allowed():
    assert parse_findings({"age": 30, "movements": {"chin_tuck": {}}}).movement("chin_tuck") is not None


# --- Refused documents. ----------------------------------------------------------


def test_validation_error_belongs_to_the_family():
    with pytest.raises(RelieveError) as info:
        parse_findings({"age": 5})
    assert "age" in str(info.value)


@pytest.mark.parametrize("text", ["{", "{'age': 40}", "", "[1,", '{"age": 40,}'])
def test_malformed_json(text):
    problems = problems_of(text)
    assert list(problems) == ["$"]
    assert "malformed JSON" in problems["$"]


def test_json_nan_is_refused():
    assert "malformed JSON" in problems_of('{"age": NaN}')["$"]


def test_duplicate_json_keys_are_refused():
    assert "age" in problems_of('{"age": 40, "age": 41}')["$"]


@pytest.mark.parametrize("doc", [[], "[]", "42", 42, None, '"text"'])
def test_top_level_must_be_an_object(doc):
    problems = problems_of(doc)
    assert "expected a JSON object" in problems["$"]


def test_missing_age():
    assert "required" in problems_of({"pain_now": 3})["age"]


@pytest.mark.parametrize("field", ["age", "pain_now", "duration_days"])
def test_bool_is_not_a_number(field):
    doc = {"age": 40, field: True}
    assert "expected a number" in problems_of(doc)[field]
    assert "boolean" in problems_of(doc)[field]


def test_bool_is_not_a_movement_pain():
    problems = problems_of({"age": 40, "movements": {"flexion": {"pain": False}}})
    assert "expected a number" in problems["movements.flexion.pain"]


@pytest.mark.parametrize("field, value", [
    ("age", 11), ("age", 111), ("age", -1), ("pain_now", 11), ("pain_now", -0.5),
    ("duration_days", -1),
])
def test_out_of_range_numbers(field, value):
    doc = {"age": 40, field: value}
    message = problems_of(doc)[field]
    assert repr(value) in message


def test_non_finite_numbers_from_a_dict():
    problems = problems_of({"age": float("nan"), "pain_now": float("inf")})
    assert "finite" in problems["age"] and "finite" in problems["pain_now"]


def test_strings_are_not_numbers():
    assert "expected a number" in problems_of({"age": "41"})["age"]


def test_unknown_codes_name_the_value_and_list_valid_ones():
    problems = problems_of({
        "age": 40,
        "onset": "suddenly",
        "history": ["slept_awkwardly", "slept_badly"],
        "symptoms": ["fevr"],
        "pain_regions": [{"region": "neck", "side": "left"}],
        "movements": {"rotaton_left": {"pain": 3}},
    })
    assert "'suddenly'" in problems["onset"] and "on_waking" in problems["onset"]
    assert "'slept_badly'" in problems["history[1]"] and "slept_awkwardly" in problems["history[1]"]
    assert "did you mean 'fever'" in problems["symptoms[0]"]
    assert "'neck'" in problems["pain_regions[0].region"]
    assert "neck_shoulder_junction" in problems["pain_regions[0].region"]
    assert "did you mean 'rotation_left'" in problems["movements.rotaton_left"]
    assert "history[0]" not in problems


def test_bad_sides():
    problems = problems_of({
        "age": 40,
        "pain_regions": [{"region": "temple", "side": "both"}],
        "tender_points": [{"region": "occiput", "side": "up"}],
        "movements": {"flexion": {"pain_side": "front"}},
        "resting_head_posture": {"tilt": "midline", "turn": "back"},
    })
    assert "'both'" in problems["pain_regions[0].side"]  # regions take left/right/midline
    assert "'up'" in problems["tender_points[0].side"]
    assert "'front'" in problems["movements.flexion.pain_side"]
    assert "'midline'" in problems["resting_head_posture.tilt"]
    assert "'back'" in problems["resting_head_posture.turn"]


def test_both_is_a_valid_movement_pain_side():
    f = parse_findings({"age": 40, "movements": {"extension": {"pain_side": "both"}}})
    assert f.movement("extension").pain_side == "both"


def test_unknown_fields_are_refused_with_a_hint():
    problems = problems_of({
        "age": 40,
        "pain": 4,
        "symptom": ["fever"],
        "movements": {"flexion": {"pain": 3, "limitted": True}},
        "pain_regions": [{"region": "temple", "sde": "left"}],
        "resting_head_posture": {"forward": True},
    })
    for field in ("pain", "symptom", "movements.flexion.limitted", "pain_regions[0].sde",
                  "resting_head_posture.forward"):
        assert problems[field].startswith("unknown field"), field
    assert "did you mean 'symptoms'" in problems["symptom"]
    assert "did you mean 'limited'" in problems["movements.flexion.limitted"]


def test_wrong_container_types():
    problems = problems_of({
        "age": 40,
        "history": "fall",
        "symptoms": {"fever": True},
        "pain_regions": ["temple"],
        "movements": ["flexion"],
        "resting_head_posture": "tilted",
        "tender_points": [{"side": "left"}],
    })
    assert "expected a list" in problems["history"]
    assert "expected a list" in problems["symptoms"]
    assert "expected an object" in problems["pain_regions[0]"]
    assert "movement code" in problems["movements"]
    assert "expected an object" in problems["resting_head_posture"]
    assert "required" in problems["tender_points[0].region"]


def test_movement_entry_types():
    problems = problems_of({"age": 40, "movements": {
        "flexion": {"limited": "yes"}, "extension": 5, "chin_tuck": {"pain": "high"}}})
    assert "true or false" in problems["movements.flexion.limited"]
    assert "expected an object" in problems["movements.extension"]
    assert "expected a number" in problems["movements.chin_tuck.pain"]


def test_codes_must_be_strings_and_not_repeated():
    problems = problems_of({"age": 40, "history": [3, "fall", "fall"], "symptoms": [None]})
    assert "3 (a number)" in problems["history[0]"]
    assert "more than once" in problems["history[2]"]
    assert "null" in problems["symptoms[0]"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(ValidationError) as info:
        parse_findings({
            "age": True,
            "onset": "slowly",
            "pain_now": 12,
            "duration_days": -3,
            "history": ["fall", "skiing"],
            "movements": {"rotation_left": {"pain": 11, "limited": 1}},
            "pain_regions": [{"region": "temple"}, {"region": "knee", "side": "left"}],
            "colour": "red",
        })
    fields = [f for f, _ in info.value.problems]
    assert fields == [
        "colour", "age", "onset", "duration_days", "history[1]", "pain_now",
        "pain_regions[1].region", "movements.rotation_left.pain",
        "movements.rotation_left.limited",
    ]
    text = str(info.value)
    for field in fields:
        assert field in text
