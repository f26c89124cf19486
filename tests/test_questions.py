"""relieve.next_question: a red-flag follow-up first, then the most informative test
movement, None when no further question would change the answer."""

from __future__ import annotations

import copy
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import yaml

import relieve
from relieve.assessment import assess, default_rules, parse_findings
from relieve.assessment.adaptive import (
    KINDS,
    NextQuestion,
    QuestionChooser,
    QuestionSettings,
    default_chooser,
    default_settings,
    next_question,
)
from relieve.errors import ModelError
from relieve.vocabulary import MOVEMENT_CODES, MUSCLE_IDS, QUALIFIER_CODES

HERE = Path(__file__).parent
VIGNETTES = yaml.safe_load((HERE / "vignettes" / "identification.yaml").read_text())
OK_VIGNETTES = [v for v in VIGNETTES if v["expect"]["status"] == "ok"]
REFER_VIGNETTES = ([v for v in VIGNETTES if v["expect"]["status"] == "refer"]
                   + [v for v in yaml.safe_load((HERE / "vignettes" / "red_flags.yaml").read_text())
                      if v["expect"]["status"] == "refer"])

PAIN_MAP_ONLY = {"age": 40, "pain_regions": [{"region": "neck_shoulder_junction", "side": "left"}]}


def valid(q: NextQuestion) -> None:
    assert q.kind in KINDS
    assert q.code in (MOVEMENT_CODES if q.kind == "movement" else QUALIFIER_CODES)
    assert isinstance(q.why, str) and len(q.why) > 20 and isinstance(q.text, str) and q.text
    assert set(q.to_dict()) == {"kind", "code", "why", "text"}


def top(findings):
    c = assess(findings).candidates
    return (c[0].muscle, c[0].side) if c else None


def without_movements(vignette):
    doc = copy.deepcopy(vignette["findings"])
    answers = doc.pop("movements", None) or {}
    doc["movements"] = {}
    return doc, answers


def run_questions(doc, answers, not_done=None):
    """Ask until None, answering from ``answers`` ("not done" for a test they lack)."""
    asked = []
    while (q := next_question(doc)) is not None:
        valid(q)
        assert q.kind == "movement"
        assert q.code not in doc["movements"], "a test already done is asked again"
        asked.append(q.code)
        doc["movements"][q.code] = answers.get(q.code, {} if not_done is None else not_done)
    return asked


# --------------------------------------------------------------------------- the public API


def test_next_question_is_public():
    assert relieve.next_question is next_question
    assert "next_question" in relieve.__all__


def test_a_movement_is_chosen_after_the_pain_map():
    q = relieve.next_question(PAIN_MAP_ONLY)
    valid(q)
    assert q.kind == "movement"
    assert "leads with" in q.why or "stands out" in q.why
    from relieve.anatomy.movements import movements

    assert q.text == movements()[q.code].text


def test_it_is_a_pure_function_of_the_findings():
    f = parse_findings(PAIN_MAP_ONLY)
    before = f.to_dict()
    assert next_question(f) == next_question(f) == next_question(PAIN_MAP_ONLY) == next_question(
        __import__("json").dumps(PAIN_MAP_ONLY))
    assert f.to_dict() == before


def test_invalid_findings_are_refused():
    with pytest.raises(relieve.ValidationError):
        next_question({"age": 40, "movements": {"nodding": {}}})


# --------------------------------------------------------------------------- qualifiers first


def test_the_qualifier_is_asked_right_after_the_symptom_that_needs_it():
    doc = dict(PAIN_MAP_ONLY, age=55)
    assert next_question(doc).kind == "movement"
    doc["symptoms"] = ["headache"]  # the questionnaire has just recorded a headache
    q = next_question(doc)
    valid(q)
    assert q.kind == "qualifier"
    book = default_rules()
    assert q.text == book.qualifiers[q.code].question and q.why == book.qualifiers[q.code].why
    assert "headache" in book.qualifiers[q.code].after


def test_qualifiers_come_before_movements_until_none_can_change_triage():
    doc = dict(PAIN_MAP_ONLY, age=55, symptoms=["headache"], qualifiers={})
    asked = []
    while (q := next_question(doc)).kind == "qualifier":
        asked.append(q.code)
        doc["qualifiers"][q.code] = False
    assert set(asked) == {"headache_new_or_different", "scalp_tenderness", "visual_disturbance"}
    assert q.kind == "movement" and assess(doc).status == "ok"


def test_a_follow_up_the_person_cannot_answer_is_not_asked_again():
    doc = {"age": 40, "history": ["fall"], "duration_days": 1}
    assert next_question(doc).code == "dangerous_mechanism"
    doc["qualifiers"] = {"dangerous_mechanism": None}  # asked: "I don't know"
    assert next_question(doc) is None
    result = assess(doc)
    assert result.refer["urgency"] == "emergency"  # unknown stays conservative
    assert [q.code for q in result.triage.questions] == ["dangerous_mechanism"]


def test_a_referral_asks_nothing_more_than_what_could_change_it():
    assert next_question({"age": 40, "symptoms": ["chest_pain"]}) is None
    q = next_question({"age": 40, "history": ["fall"], "duration_days": 1})
    assert q.kind == "qualifier" and q.code == "dangerous_mechanism"
    answered = {"age": 40, "history": ["fall"], "duration_days": 1, "qualifiers": {"dangerous_mechanism": False}}
    assert assess(answered).status == "refer" and next_question(answered) is None


@pytest.mark.parametrize("vignette", REFER_VIGNETTES, ids=lambda v: v["name"])
def test_red_flag_vignettes_never_get_a_movement_test(vignette):
    q = next_question(vignette["findings"])
    assert q is None or q.kind == "qualifier"


# --------------------------------------------------------------------------- movements


def test_the_chosen_movement_is_the_most_informative():
    f = parse_findings(PAIN_MAP_ONLY)
    choices, probs, _ = default_chooser().evaluate(f)
    assert len(choices) == len(MOVEMENT_CODES)
    assert 0 < probs.sum() < 1  # the rest is "not identified"
    best = max(c.information for c in choices)
    q = next_question(f)
    assert next(c for c in choices if c.code == q.code).information == best
    assert all(c.information >= 0 and 0 <= c.change_probability <= 1 for c in choices)


def test_a_test_already_done_is_not_proposed_and_not_done_counts_as_asked():
    doc = copy.deepcopy(PAIN_MAP_ONLY)
    first = next_question(doc).code
    doc["movements"] = {first: {}}  # asked, but the person could not do it
    assert next_question(doc).code != first


def test_none_when_the_leading_candidate_is_clear():
    v = OK_VIGNETTES[0]
    assert next_question(v["findings"]) is None
    f = parse_findings(v["findings"])
    ident = default_chooser().identifier
    probs = ident.posterior(ident.evidence(f))
    assert probs.max() >= default_settings().clear_probability


def test_none_when_no_test_could_change_the_ranking():
    # Not clear (34 %), but no answer to any test left would change the three leading
    # candidates or their order.
    v = next(v for v in OK_VIGNETTES if v["name"] == "anterior_scalene_right_arm_referral")
    f = parse_findings(v["findings"])
    choices, probs, _ = default_chooser().evaluate(f)
    assert probs.max() < default_settings().clear_probability
    assert max(c.change_probability for c in choices) < default_settings().change_probability
    assert next_question(f) is None
    # with the same findings but a stricter stop, the most informative test is asked
    eager = QuestionChooser(default_chooser().identifier, replace(default_settings(), change_probability=0.0))
    assert eager.next_movement(f).code == max(choices, key=lambda c: c.information).code
    # with every test done there is nothing left to ask
    doc = copy.deepcopy(v["findings"])
    doc["movements"] = {c: doc.get("movements", {}).get(c, {}) for c in MOVEMENT_CODES}
    assert eager.next_movement(parse_findings(doc)) is None


@pytest.mark.parametrize("vignette", OK_VIGNETTES, ids=lambda v: v["name"])
def test_adaptive_questions_reach_the_same_leading_muscle_as_asking_all(vignette):
    doc, answers = without_movements(vignette)
    asked = run_questions(doc, answers)
    assert len(asked) == len(set(asked)) <= len(MOVEMENT_CODES)
    assert top(doc) == top(vignette["findings"])


def test_far_fewer_questions_than_asking_all():
    counts = []
    for v in OK_VIGNETTES:
        doc, answers = without_movements(v)
        counts.append(len(run_questions(doc, answers)))
    assert sum(counts) <= 0.5 * len(MOVEMENT_CODES) * len(OK_VIGNETTES)


# --------------------------------------------------------------------------- data, not code


def test_settings_file_is_validated():
    doc = yaml.safe_load((Path(relieve.__file__).parent / "assessment/data/adaptive.yaml").read_text())
    QuestionSettings.from_document(doc)
    bad = copy.deepcopy(doc)
    bad["movements"]["outcomes"]["free"]["base_rate"] = 0.9
    with pytest.raises(ModelError, match="sum to 1"):
        QuestionSettings.from_document(bad)
    bad = copy.deepcopy(doc)
    bad["movements"]["outcomes"]["free"]["finding"] = {"pain": 11}
    with pytest.raises(ModelError, match="outcomes.free.finding"):
        QuestionSettings.from_document(bad)
    bad = copy.deepcopy(doc)
    bad["stop"]["clear_probability"] = "high"
    with pytest.raises(ModelError, match="stop.clear_probability"):
        QuestionSettings.from_document(bad)


def test_no_muscle_is_named_in_the_question_code():
    source = (Path(relieve.__file__).parent / "assessment" / "adaptive.py").read_text()
    assert not [m for m in MUSCLE_IDS if m in source]


def test_a_muscle_added_to_the_model_is_questioned_like_any_other():
    from test_identify import _BodyWithExtraMuscle, _KnowledgeWithExtraMuscle  # noqa: PLC0415

    from relieve.anatomy import knowledge_base
    from relieve.assessment.identify import Identifier, load_evidence_weights
    from relieve.model import default_model

    name = "invented_muscle"
    ident = Identifier(_BodyWithExtraMuscle(default_model(), name),
                       _KnowledgeWithExtraMuscle(knowledge_base(), name), load_evidence_weights())
    chooser = QuestionChooser(ident, default_settings())
    f = parse_findings({"age": 40, "pain_regions": [{"region": "jaw", "side": "right"}]})
    q = chooser.next_movement(f)
    assert q is not None and q.code in MOVEMENT_CODES
    choices, probs, _ = chooser.evaluate(f)
    assert len(probs) == 48 and np.isfinite([c.information for c in choices]).all()


# --------------------------------------------------------------------------- the measured figures


def test_bench_figures_meet_the_targets():
    import sys

    sys.path.insert(0, str(HERE.parent / "bench"))
    import questions as bench  # noqa: PLC0415

    for figures in (bench.movement_figures(), bench.movement_figures(unrecorded={"pain": 0, "limited": False}),
                    bench.movement_figures(late=bench.QUESTIONNAIRE_LATE)):  # the same as the first now
        assert figures["asked_fraction"] <= 0.5
        assert figures["top1_adaptive"] >= figures["top1_all"]
        assert figures["top3_adaptive"] >= figures["top3_all"]
    t = bench.triage_figures()
    assert t["unknown_correct"] == t["refer_cases"]  # every family, same urgency, qualifiers unknown
    assert t["described_referred"] == t["refer_cases"]
    assert t["benign_pass"] == t["benign_cases"]
    assert t["qualifier_unknown_correct"] == t["qualifier_answered_correct"] == t["qualifier_cases"]
