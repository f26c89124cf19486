"""The red-flag gate: rules as data, a generic evaluator, conservative answers."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from relieve.assessment import (
    URGENCIES,
    default_rules,
    parse_findings,
    parse_rules,
    refer_payload,
    triage,
)
from relieve.errors import ValidationError

VIGNETTES = yaml.safe_load((Path(__file__).parent / "vignettes" / "red_flags.yaml").read_text())
RANK = {u: i for i, u in enumerate(URGENCIES)}


def run(**doc):
    doc.setdefault("age", 40)
    return triage(parse_findings(doc))


def fired_ids(result) -> set[str]:
    return {r.id for r in result.rules_fired}


# --- One case per rule: each rule fires, and the result is at least as urgent. --------
# Every rule in the packaged book must appear here (test_every_rule_has_a_case).

RULE_CASES = {
    # trauma
    "trauma.axial_load": dict(history=["diving_or_axial_load"], duration_days=60),
    "trauma.dangerous_mechanism": dict(history=["car_accident"], duration_days=2),
    "trauma.older_adult": dict(age=65, history=["blow_to_head_or_neck"]),
    "trauma.paresthesia": dict(history=["blow_to_head_or_neck"], symptoms=["tingling_one_arm"]),
    "trauma.fragile_spine": dict(history=["fall", "osteoporosis"], duration_days=30),
    "trauma.head_injury_signs": dict(history=["blow_to_head_or_neck"], symptoms=["headache"]),
    "trauma.anticoagulated": dict(history=["fall", "anticoagulants"], duration_days=20),
    "trauma.any": dict(history=["blow_to_head_or_neck"]),
    # vascular
    "vascular.thunderclap_headache": dict(symptoms=["sudden_severe_headache"]),
    "vascular.brainstem_signs": dict(symptoms=["difficulty_swallowing"]),
    "vascular.dizziness_with_ataxia": dict(symptoms=["dizziness", "unsteady_walking"]),
    "vascular.after_manipulation_brainstem": dict(history=["recent_neck_manipulation"],
                                                  symptoms=["nausea_vomiting"]),
    "vascular.after_manipulation_headache": dict(history=["recent_neck_manipulation"],
                                                 symptoms=["headache"]),
    "vascular.after_manipulation_arm_signs": dict(history=["recent_neck_manipulation"],
                                                  symptoms=["numbness_one_arm"]),
    "vascular.after_manipulation": dict(history=["recent_neck_manipulation"]),
    "vascular.dizziness_with_headache_or_sudden_onset": dict(onset="sudden", symptoms=["dizziness"]),
    "vascular.dizziness": dict(onset="gradual", symptoms=["dizziness"]),
    "vascular.nausea": dict(symptoms=["nausea_vomiting"]),
    "vascular.anticoagulant_headache": dict(history=["anticoagulants"], symptoms=["headache"]),
    "vascular.anticoagulant_sudden_severe_pain": dict(history=["anticoagulants"], onset="sudden",
                                                      pain_now=8),
    "vascular.headache_over_50": dict(age=50, symptoms=["headache"]),
    # meningitis
    "meningitis.fever_with_meningeal_signs": dict(
        symptoms=["fever"], movements={"chin_tuck": {"pain": 6}}),
    "meningitis.fever_with_neck_pain": dict(symptoms=["fever"]),
    "meningitis.meningism_without_fever": dict(
        symptoms=["headache", "light_sensitivity", "nausea_vomiting"]),
    "meningitis.headache_with_light_sensitivity": dict(symptoms=["headache", "light_sensitivity"]),
    # infection
    "infection.fever_with_nerve_signs": dict(symptoms=["fever", "arm_weakness"]),
    "infection.fever_with_risk_factor": dict(history=["immunosuppressed"], symptoms=["fever"]),
    "infection.risk_with_night_pain_or_weight_loss": dict(
        history=["iv_drug_use"], symptoms=["unexplained_weight_loss"]),
    "infection.immunosuppressed_headache": dict(history=["immunosuppressed"], symptoms=["headache"]),
    "infection.risk_factor": dict(history=["recent_infection"]),
    # cancer
    "cancer.with_nerve_signs": dict(history=["history_of_cancer"], symptoms=["arm_pain_radiating"]),
    "cancer.history": dict(history=["history_of_cancer"]),
    "cancer.weight_loss_and_night_pain": dict(
        symptoms=["unexplained_weight_loss", "night_pain_unrelieved_by_rest"]),
    "cancer.weight_loss": dict(symptoms=["unexplained_weight_loss"]),
    "cancer.night_pain": dict(symptoms=["night_pain_unrelieved_by_rest"]),
    # myelopathy
    "myelopathy.bladder_bowel": dict(symptoms=["bladder_or_bowel_changes"]),
    "myelopathy.sudden_cord_signs": dict(onset="sudden", symptoms=["hand_clumsiness"]),
    "myelopathy.cord_signs": dict(symptoms=["numbness_both_arms"]),
    # cardiac
    "cardiac.chest_pain": dict(symptoms=["chest_pain"]),
    "cardiac.shortness_of_breath": dict(symptoms=["shortness_of_breath"]),
    "cardiac.exertional_pattern": dict(symptoms=["pain_on_exertion"],
                                       pain_regions=[{"region": "upper_chest", "side": "left"}]),
    "cardiac.exertion": dict(symptoms=["pain_on_exertion"]),
    "cardiac.exertion_recent": dict(symptoms=["pain_on_exertion"],
                                    qualifiers={"exertion_pain_last_12_hours": True}),
    # arteritis, inflammatory, surgery, pregnancy, nerve root
    "arteritis.jaw_pain_with_headache": dict(age=71, symptoms=["headache", "jaw_pain"]),
    "arteritis.cranial_signs": dict(age=71, symptoms=["headache"], qualifiers={"scalp_tenderness": True}),
    "inflammatory.with_nerve_signs": dict(history=["inflammatory_arthritis"],
                                          symptoms=["tingling_one_arm"]),
    "inflammatory.arthritis": dict(history=["inflammatory_arthritis"]),
    "surgery.with_warning_signs": dict(history=["recent_neck_surgery"], symptoms=["arm_weakness"]),
    "surgery.recent": dict(history=["recent_neck_surgery"]),
    "pregnancy.pre_eclampsia_signs": dict(history=["pregnancy"],
                                          symptoms=["headache", "light_sensitivity"]),
    "pregnancy.headache": dict(history=["pregnancy"], symptoms=["headache"]),
    "nerve_root.arm_weakness_sudden": dict(onset="sudden", symptoms=["arm_weakness"]),
    "nerve_root.arm_weakness_progressive": dict(onset="gradual", symptoms=["arm_weakness"],
                                                qualifiers={"arm_weakness_progressive": True}),
    "nerve_root.arm_weakness": dict(onset="gradual", symptoms=["arm_weakness"]),
    # cautions
    "nerve_root.tingling_one_arm": dict(symptoms=["tingling_one_arm"]),
    "nerve_root.numbness_one_arm": dict(symptoms=["numbness_one_arm"]),
    "nerve_root.arm_pain_radiating": dict(symptoms=["arm_pain_radiating"]),
    "vascular.anticoagulants": dict(history=["anticoagulants"]),
    "bone_health.fragile_bones": dict(history=["long_term_steroids"]),
    "general.older_adult": dict(age=80),
    "general.headache": dict(symptoms=["headache"]),
    "cardiac.jaw_pain": dict(symptoms=["jaw_pain"]),
    "general.severe_pain": dict(pain_now=9),
    "general.long_duration": dict(duration_days=40),
    "pregnancy.positioning": dict(history=["pregnancy"]),
}


def test_every_rule_has_a_case():
    book = default_rules()
    assert set(RULE_CASES) == {r.id for r in book.red_flags + book.cautions}


@pytest.mark.parametrize("rule_id", sorted(RULE_CASES))
def test_each_rule_fires(rule_id):
    book = default_rules()
    rule = next(r for r in book.red_flags + book.cautions if r.id == rule_id)
    result = run(**copy.deepcopy(RULE_CASES[rule_id]))
    assert rule_id in fired_ids(result)
    if rule.urgency is None:
        assert rule.text in result.cautions
    else:
        assert result.status == "refer"
        assert RANK[result.urgency] <= RANK[rule.urgency]


# --- Every family refers with the right urgency. -------------------------------------


@pytest.mark.parametrize("doc, family, urgency", [
    (dict(history=["diving_or_axial_load"]), "trauma", "emergency"),
    (dict(history=["fall"], duration_days=1), "trauma", "emergency"),
    (dict(age=70, history=["car_accident"], duration_days=30), "trauma", "emergency"),
    (dict(history=["car_accident"], duration_days=30), "trauma", "urgent"),
    (dict(symptoms=["sudden_severe_headache"]), "vascular", "emergency"),
    (dict(symptoms=["drop_attacks"]), "vascular", "emergency"),
    (dict(history=["recent_neck_manipulation"], symptoms=["dizziness"]), "vascular", "emergency"),
    (dict(onset="gradual", symptoms=["dizziness"]), "vascular", "soon"),
    (dict(symptoms=["fever", "headache"]), "meningitis", "emergency"),
    (dict(symptoms=["fever"], movements={"flexion": {"limited": True}}), "meningitis", "emergency"),
    (dict(symptoms=["fever"]), "meningitis", "urgent"),
    (dict(history=["iv_drug_use"], symptoms=["fever"]), "infection", "urgent"),
    (dict(history=["immunosuppressed"]), "infection", "soon"),
    (dict(history=["history_of_cancer"]), "cancer", "urgent"),
    (dict(symptoms=["unexplained_weight_loss"]), "cancer", "soon"),
    (dict(history=["history_of_cancer"], symptoms=["unsteady_walking"]), "cancer", "emergency"),
    (dict(symptoms=["hand_clumsiness"]), "myelopathy", "urgent"),
    (dict(symptoms=["bladder_or_bowel_changes"]), "myelopathy", "emergency"),
    (dict(symptoms=["chest_pain"]), "cardiac", "emergency"),
    (dict(symptoms=["pain_on_exertion", "jaw_pain"]), "cardiac", "emergency"),
    (dict(symptoms=["pain_on_exertion"]), "cardiac", "urgent"),
    (dict(age=60, symptoms=["headache", "jaw_pain"]), "arteritis", "urgent"),
    (dict(history=["inflammatory_arthritis"]), "inflammatory", "soon"),
    (dict(history=["recent_neck_surgery"]), "surgery", "soon"),
    (dict(history=["pregnancy"], symptoms=["headache", "nausea_vomiting"]), "pregnancy", "urgent"),
    (dict(history=["pregnancy"], symptoms=["headache"]), "pregnancy", "soon"),
    (dict(symptoms=["arm_weakness"]), "nerve_root", "soon"),
])
def test_family_and_urgency(doc, family, urgency):
    result = run(**doc)
    assert result.status == "refer"
    assert result.urgency == urgency
    assert family in result.families
    assert result.reasons and all(isinstance(r, str) and r for r in result.reasons)
    assert result.advice == default_rules().advice[urgency]


def test_advice_matches_urgency_in_plain_words():
    advice = default_rules().advice
    assert "emergency services now" in advice["emergency"]
    assert "still" in advice["emergency"]
    assert "today" in advice["urgent"]
    assert "before you try any" in advice["soon"]


# --- Combinations. -------------------------------------------------------------------


def test_combination_takes_highest_urgency_and_lists_every_reason():
    result = run(age=55, history=["history_of_cancer", "inflammatory_arthritis"],
                 symptoms=["chest_pain", "dizziness"], onset="gradual")
    assert result.urgency == "emergency"
    assert {"cardiac", "cancer", "inflammatory", "vascular"} <= set(result.families)
    book = {r.id: r for r in default_rules().red_flags}
    for rid in ("cardiac.chest_pain", "cancer.history", "inflammatory.with_nerve_signs",
                "vascular.dizziness"):
        assert book[rid].text in result.reasons
    # most urgent reason first
    assert result.reasons[0] == book["cardiac.chest_pain"].text


def test_soon_and_urgent_together_is_urgent():
    result = run(history=["recent_neck_surgery", "history_of_cancer"])
    assert result.urgency == "urgent"
    assert set(result.families) == {"cancer", "surgery"}
    assert len(result.reasons) == 2


def test_catch_all_reason_is_not_repeated_under_a_more_urgent_one():
    result = run(age=70, history=["fall"])
    assert {"trauma.any", "trauma.older_adult"} <= fired_ids(result)  # audit trail keeps both
    catch_all = next(r for r in default_rules().red_flags if r.id == "trauma.any").text
    assert catch_all not in result.reasons
    assert result.reasons


def test_old_injury_is_urgent_recent_or_unknown_is_emergency():
    assert run(history=["fall"], duration_days=30).urgency == "urgent"
    assert run(history=["fall"], duration_days=7).urgency == "emergency"
    assert run(history=["fall"]).urgency == "emergency"  # unknown timing: conservative


def test_age_threshold_for_trauma():
    assert run(age=64, history=["blow_to_head_or_neck"]).urgency == "urgent"
    assert run(age=65, history=["blow_to_head_or_neck"]).urgency == "emergency"


# --- Benign cases and single arm signs. -------------------------------------------------


@pytest.mark.parametrize("doc", [
    dict(),
    dict(onset="on_waking", history=["slept_awkwardly"], pain_now=6),
    dict(history=["sustained_posture", "emotional_stress"], symptoms=["headache"]),
    dict(history=["sports_strain", "carrying_load", "repetitive_motion"], pain_now=7),
    dict(history=["osteoporosis", "anticoagulants", "pregnancy"]),
    dict(symptoms=["jaw_pain"]),
    dict(symptoms=["light_sensitivity"]),
])
def test_benign_findings_pass(doc):
    result = run(**doc)
    assert result.status == "ok"
    assert result.urgency is None and result.reasons == () and result.advice is None
    assert refer_payload(result) is None


@pytest.mark.parametrize("sign", ["tingling_one_arm", "numbness_one_arm", "arm_pain_radiating"])
def test_single_arm_sign_cautions_and_lowers_confidence_without_referring(sign):
    result = run(onset="gradual", symptoms=[sign])
    assert result.status == "ok"
    assert len(result.cautions) == 1
    assert result.confidence_factor < 1.0
    assert [r.family for r in result.rules_fired] == ["nerve_root"]


def test_several_arm_signs_lower_confidence_further_but_not_below_the_floor():
    one = run(symptoms=["tingling_one_arm"]).confidence_factor
    three = run(symptoms=["tingling_one_arm", "numbness_one_arm", "arm_pain_radiating"])
    assert three.status == "ok"
    assert three.confidence_factor < one
    assert three.confidence_factor >= default_rules().confidence_floor


def test_confidence_is_one_without_neurological_signs():
    assert run(history=["slept_awkwardly"]).confidence_factor == 1.0
    assert run(history=["pregnancy"], pain_now=9).confidence_factor == 1.0


def test_single_arm_sign_after_trauma_is_an_emergency():
    result = run(history=["blow_to_head_or_neck"], symptoms=["tingling_one_arm"])
    assert result.urgency == "emergency"
    assert "trauma.paresthesia" in fired_ids(result)


def test_pregnancy_adds_a_positioning_caution():
    result = run(history=["pregnancy"])
    assert any("on your side" in c for c in result.cautions)


# --- Conservative by construction: which single codes may pass. -------------------------

PASSING_SYMPTOMS = {"headache", "light_sensitivity", "jaw_pain",
                    "tingling_one_arm", "numbness_one_arm", "arm_pain_radiating"}
PASSING_HISTORY = {"sustained_posture", "repetitive_motion", "slept_awkwardly", "sports_strain",
                   "emotional_stress", "carrying_load", "osteoporosis", "long_term_steroids",
                   "anticoagulants", "pregnancy"}


def test_every_other_single_symptom_refers():
    from relieve.vocabulary import SYMPTOM_CODES as _SYMPTOM_CODES

    for code in _SYMPTOM_CODES:
        result = run(symptoms=[code])
        assert (result.status == "ok") == (code in PASSING_SYMPTOMS), code


def test_every_other_single_history_item_refers():
    from relieve.vocabulary import HISTORY_CODES as _HISTORY_CODES

    for code in _HISTORY_CODES:
        result = run(history=[code])
        assert (result.status == "ok") == (code in PASSING_HISTORY), code


# --- The contract's refer object. -----------------------------------------------------


def test_refer_payload_is_exactly_the_contract_object():
    result = run(symptoms=["chest_pain"])
    payload = refer_payload(result)
    assert set(payload) == {"urgency", "reasons", "advice"}
    assert payload["urgency"] == "emergency"
    assert payload["reasons"] == list(result.reasons)
    assert isinstance(payload["advice"], str) and payload["advice"]


def test_result_to_dict():
    d = run(symptoms=["fever"]).to_dict()
    assert d["status"] == "refer" and d["urgency"] == "urgent"
    assert {"id": "meningitis.fever_with_neck_pain", "family": "meningitis",
            "urgency": "urgent"} in d["rules_fired"]


# --- Vignettes. -----------------------------------------------------------------------


def test_vignettes_cover_every_family_and_benign_look_alikes():
    families = {v["expect"]["family"] for v in VIGNETTES}
    required = {"trauma", "vascular", "meningitis", "infection", "cancer", "myelopathy",
                "cardiac", "inflammatory", "surgery", "pregnancy"}
    assert required <= families
    assert sum(v["expect"]["status"] == "ok" for v in VIGNETTES) >= 3
    assert len(VIGNETTES) >= 12


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_vignette(vignette):
    result = triage(parse_findings(vignette["findings"]))
    expect = vignette["expect"]
    assert result.status == expect["status"], result.reasons
    assert result.urgency == expect["urgency"], [r.id for r in result.rules_fired]
    if expect["family"] is None:
        assert result.families == ()
    else:
        assert expect["family"] in result.families


# --- The rules file and the evaluator. ----------------------------------------------------


def test_every_rule_cites_a_declared_source_and_family():
    book = default_rules()
    for rule in book.red_flags + book.cautions:
        assert rule.source and all(s in book.sources for s in rule.source), rule.id
        assert rule.family in book.families, rule.id


def packaged_doc():
    from importlib import resources

    return yaml.safe_load(resources.files("relieve.assessment").joinpath("data/red_flags.yaml").read_text())


def tiny_book(*flags, cautions=()):
    doc = {
        "families": {"test": "a test family"},
        "sources": {"src": "a source"},
        "advice": {"emergency": "e", "urgent": "u", "soon": "s"},
        "red_flags": [dict(family="test", source=["src"], reason=f"reason {f['id']}", **f)
                      for f in flags],
        "cautions": [dict(family="test", source=["src"], caution=f"caution {c['id']}", **c)
                     for c in cautions],
    }
    return parse_rules(doc)


def test_condition_evaluator():
    book = tiny_book(
        dict(id="not", urgency="soon", when={"not": {"any_of": ["fever"]}}),
        dict(id="none", urgency="soon", when={"none_of": ["fever", "headache"]}),
        dict(id="count", urgency="soon", when={"count_of": {"codes": ["fever", "headache", "fall"],
                                                            "at_least": 2}}),
        dict(id="young", urgency="soon", when={"age": {"below": 18}}),
        dict(id="pain_unknown", urgency="soon", when={"pain_now": {"at_least": 5, "if_unknown": True}}),
        dict(id="move", urgency="soon",
             when={"movement": {"any_of": ["flexion"], "limited": True, "pain_at_least": 3}}),
        dict(id="region", urgency="soon", when={"pain_region_any": ["jaw"]}),
        dict(id="onset", urgency="soon", when={"onset": ["on_waking"]}),
    )

    def ids(**doc):
        return fired_ids(triage(parse_findings({"age": 40, **doc}), rules=book))

    assert ids() == {"not", "none", "pain_unknown"}
    assert ids(symptoms=["fever", "headache"], pain_now=2) == {"count"}
    assert "young" in ids(age=15)
    assert "move" not in ids(movements={"flexion": {"limited": True, "pain": 2}})
    assert "move" in ids(movements={"flexion": {"limited": True, "pain": 3}})
    assert "region" in ids(pain_regions=[{"region": "jaw"}])
    assert "onset" in ids(onset="on_waking")


def test_rules_file_errors_are_all_reported():
    doc = packaged_doc()
    doc["red_flags"][0]["when"] = {"any_of": ["diving"]}
    doc["red_flags"][1]["family"] = "nonsense"
    doc["red_flags"][2]["source"] = ["nowhere"]
    doc["red_flags"][3]["urgency"] = "whenever"
    doc["red_flags"][4]["when"] = {"anyof": ["fever"]}
    doc["cautions"][0]["confidence_factor"] = 0
    with pytest.raises(ValidationError) as info:
        parse_rules(doc)
    fields = {f for f, _ in info.value.problems}
    assert {"red_flags[0].when.any_of[0]", "red_flags[1].family", "red_flags[2].source[0]",
            "red_flags[3].urgency", "red_flags[4].when.anyof",
            "cautions[0].confidence_factor"} <= fields


def test_a_reason_may_only_be_superseded_by_a_more_urgent_rule():
    with pytest.raises(ValidationError) as info:
        tiny_book(dict(id="a", urgency="urgent", when={"any_of": ["fever"]}),
                  dict(id="b", urgency="urgent", when={"any_of": ["fever"]}, superseded_by=["a"]))
    assert "not more urgent" in str(info.value)


def test_a_rule_passed_over_for_want_of_its_codes_would_not_have_held():
    """Each rule names the codes it cannot hold without (``needs``, read from its
    condition) and is passed over when the findings have none of them. On 3,000 random
    findings, every rule, red flag or caution, holds exactly when its condition does,
    with each qualifier unknown, answered no and answered yes."""
    import numpy as np

    from relieve.assessment.triage import _Facts
    from relieve.vocabulary import QUALIFIER_CODES
    from test_qualifiers import _random_findings

    book = default_rules()
    rules = book.red_flags + book.cautions
    assert sum(r.needs is not None for r in rules) > 50
    rng = np.random.default_rng(11)
    held = passed_over = 0
    for _ in range(3000):
        facts = _Facts.of(parse_findings(_random_findings(rng)))
        for answer in (None, False, True):
            f = facts if answer is None else facts.answering(dict.fromkeys(QUALIFIER_CODES, answer))
            for rule in rules:
                assert rule.holds(f) == rule.predicate(f), rule.id
                held += rule.holds(f)
                passed_over += rule.lacks_its_codes(f)
    assert held > 1000 and passed_over > 100_000
