"""Red-flag qualifiers: follow-up questions as data, unknown = today's conservative answer.

Every rule that reads a qualifier is exercised three ways: the qualifier unknown
(the rule keeps its behaviour from before qualifiers existed, and the result names
the question that would settle it), answered yes and answered no.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from relieve.assessment import URGENCIES, default_rules, parse_findings, parse_rules, triage
from relieve.errors import ValidationError
from relieve.vocabulary import QUALIFIER_CODES

HERE = Path(__file__).parent
RANK = {None: len(URGENCIES), **{u: i for i, u in enumerate(URGENCIES)}}


def run(**doc):
    doc.setdefault("age", 40)
    return triage(parse_findings(doc))


def fired(result) -> set[str]:
    return {r.id for r in result.rules_fired}


def settled_by(result, rule_id) -> tuple[str, ...]:
    return next(r.settled_by for r in result.rules_fired if r.id == rule_id)


# --- The data. ---------------------------------------------------------------------


def test_every_qualifier_has_a_follow_up_question_with_a_source():
    book = default_rules()
    assert list(book.qualifiers) == list(QUALIFIER_CODES)
    for code, q in book.qualifiers.items():
        assert q.question.strip().endswith("?"), code
        assert q.why and q.after and q.refines, code
        assert all(s in book.sources for s in q.source), code


def test_refines_lists_exactly_the_rules_that_read_the_qualifier():
    book = default_rules()
    rules = book.red_flags + book.cautions
    for code, q in book.qualifiers.items():
        assert set(q.refines) == {r.id for r in rules if code in r.qualifiers}, code


# --- Each qualified rule: unknown, yes, no. ----------------------------------------
# (rule id, findings, qualifiers, does the rule fire, status, urgency)

CASES = [
    # headache at 50 or over: only a new or different headache (SNNOOP10)
    ("vascular.headache_over_50", dict(age=50, symptoms=["headache"]), {}, True, "refer", "soon"),
    ("vascular.headache_over_50", dict(age=50, symptoms=["headache"]),
     {"headache_new_or_different": True}, True, "refer", "soon"),
    ("vascular.headache_over_50", dict(age=50, symptoms=["headache"]),
     {"headache_new_or_different": False}, False, "ok", None),
    # headache with light sensitivity: a known, unchanged migraine is not flagged
    ("meningitis.headache_with_light_sensitivity", dict(symptoms=["headache", "light_sensitivity"]), {},
     True, "refer", "soon"),
    ("meningitis.headache_with_light_sensitivity", dict(symptoms=["headache", "light_sensitivity"]),
     {"headache_new_or_different": True}, True, "refer", "soon"),
    ("meningitis.headache_with_light_sensitivity", dict(symptoms=["headache", "light_sensitivity"]),
     {"headache_new_or_different": False}, False, "ok", None),
    # jaw pain with a headache after 50: claudication or a new headache (BSR GCA)
    ("arteritis.jaw_pain_with_headache", dict(age=70, symptoms=["headache", "jaw_pain"]), {},
     True, "refer", "urgent"),
    ("arteritis.jaw_pain_with_headache", dict(age=70, symptoms=["headache", "jaw_pain"]),
     {"jaw_pain_on_chewing": True, "headache_new_or_different": False}, True, "refer", "urgent"),
    ("arteritis.jaw_pain_with_headache", dict(age=70, symptoms=["headache", "jaw_pain"]),
     {"jaw_pain_on_chewing": False}, True, "refer", "urgent"),  # the headache may still be new
    ("arteritis.jaw_pain_with_headache", dict(age=70, symptoms=["headache", "jaw_pain"]),
     {"jaw_pain_on_chewing": False, "headache_new_or_different": False,
      "scalp_tenderness": False, "visual_disturbance": False}, False, "ok", None),
    # cranial signs of GCA after 50: an escalation, only on an answer yes
    ("arteritis.cranial_signs", dict(age=70, symptoms=["headache"],
                                     qualifiers={"headache_new_or_different": False}), {},
     False, "ok", None),
    ("arteritis.cranial_signs", dict(age=70, symptoms=["headache"]),
     {"headache_new_or_different": False, "scalp_tenderness": True}, True, "refer", "urgent"),
    ("arteritis.cranial_signs", dict(age=70, symptoms=["headache"]),
     {"headache_new_or_different": False, "visual_disturbance": True}, True, "refer", "urgent"),
    ("arteritis.cranial_signs", dict(age=70, symptoms=["jaw_pain"]),
     {"jaw_pain_on_chewing": True}, True, "refer", "urgent"),
    ("arteritis.cranial_signs", dict(age=70, symptoms=["jaw_pain"]),
     {"jaw_pain_on_chewing": False, "scalp_tenderness": False, "visual_disturbance": False},
     False, "ok", None),
    ("arteritis.cranial_signs", dict(age=45, symptoms=["headache"]),
     {"scalp_tenderness": True}, False, "ok", None),  # under 50: not the GCA screen
    # recent crash or fall: dangerous mechanism of the Canadian C-spine rule
    ("trauma.dangerous_mechanism", dict(history=["fall"], duration_days=1), {}, True, "refer", "emergency"),
    ("trauma.dangerous_mechanism", dict(history=["car_accident"], duration_days=1),
     {"dangerous_mechanism": True}, True, "refer", "emergency"),
    ("trauma.dangerous_mechanism", dict(history=["car_accident"], duration_days=1),
     {"dangerous_mechanism": False}, False, "refer", "urgent"),  # any injury still refers
    # night pain: only when no position eases it (non-mechanical)
    ("cancer.night_pain", dict(symptoms=["night_pain_unrelieved_by_rest"]), {}, True, "refer", "soon"),
    ("cancer.night_pain", dict(symptoms=["night_pain_unrelieved_by_rest"]),
     {"night_pain_not_eased_by_position": True}, True, "refer", "soon"),
    ("cancer.night_pain", dict(symptoms=["night_pain_unrelieved_by_rest"]),
     {"night_pain_not_eased_by_position": False}, False, "ok", None),
    ("cancer.weight_loss_and_night_pain", dict(symptoms=["unexplained_weight_loss", "night_pain_unrelieved_by_rest"]),
     {}, True, "refer", "urgent"),
    ("cancer.weight_loss_and_night_pain", dict(symptoms=["unexplained_weight_loss", "night_pain_unrelieved_by_rest"]),
     {"night_pain_not_eased_by_position": False}, False, "refer", "soon"),  # weight loss still refers
    # arm weakness getting worse: an escalation
    ("nerve_root.arm_weakness_progressive", dict(onset="gradual", symptoms=["arm_weakness"]), {},
     False, "refer", "soon"),
    ("nerve_root.arm_weakness_progressive", dict(onset="gradual", symptoms=["arm_weakness"]),
     {"arm_weakness_progressive": True}, True, "refer", "urgent"),
    ("nerve_root.arm_weakness_progressive", dict(onset="gradual", symptoms=["arm_weakness"]),
     {"arm_weakness_progressive": False}, False, "refer", "soon"),
    # effort-related pain now or in the last 12 hours (NICE CG95): an escalation
    ("cardiac.exertion_recent", dict(symptoms=["pain_on_exertion"]), {}, False, "refer", "urgent"),
    ("cardiac.exertion_recent", dict(symptoms=["pain_on_exertion"]),
     {"exertion_pain_last_12_hours": True}, True, "refer", "emergency"),
    ("cardiac.exertion_recent", dict(symptoms=["pain_on_exertion"]),
     {"exertion_pain_last_12_hours": False}, False, "refer", "urgent"),
    # pregnancy: a change in sight with a headache (NICE NG133)
    ("pregnancy.pre_eclampsia_signs", dict(history=["pregnancy"], symptoms=["headache"]), {},
     False, "refer", "soon"),
    ("pregnancy.pre_eclampsia_signs", dict(history=["pregnancy"], symptoms=["headache"]),
     {"visual_disturbance": True}, True, "refer", "urgent"),
    ("pregnancy.pre_eclampsia_signs", dict(history=["pregnancy"], symptoms=["headache"]),
     {"visual_disturbance": False}, False, "refer", "soon"),
]


def test_every_rule_that_reads_a_qualifier_has_cases():
    book = default_rules()
    qualified = {r.id for r in book.red_flags + book.cautions if r.qualifiers}
    assert qualified == {c[0] for c in CASES}
    for rule_id in qualified:
        answered = [c for c in CASES if c[0] == rule_id]
        assert {c[3] for c in answered} == {True, False}, f"{rule_id}: answered both ways"


@pytest.mark.parametrize("rule_id, doc, answers, fires, status, urgency", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_qualified_rule(rule_id, doc, answers, fires, status, urgency):
    doc = copy.deepcopy(doc)
    doc["qualifiers"] = {**doc.get("qualifiers", {}), **answers}
    result = run(**doc)
    assert (rule_id in fired(result)) is fires
    assert (result.status, result.urgency) == (status, urgency)


@pytest.mark.parametrize("rule_id", sorted({c[0] for c in CASES}))
def test_unknown_qualifier_says_which_question_would_settle_it(rule_id):
    rule = next(r for r in default_rules().red_flags if r.id == rule_id)
    # the case with the rule's own qualifiers unknown
    doc, answers = next((c[1], c[2]) for c in CASES
                        if c[0] == rule_id and not set(c[2]) & set(rule.qualifiers)
                        and not set(c[1].get("qualifiers", {})) & set(rule.qualifiers))
    result = run(**copy.deepcopy(doc))
    asked = [q.code for q in result.questions]
    open_for_rule = [q for q in result.questions if rule_id in q.rules]
    assert open_for_rule, f"{rule_id}: no question names it ({asked})"
    for q in open_for_rule:
        assert q.code in rule.qualifiers and q.question == default_rules().qualifiers[q.code].question
        assert q.why
    if rule_id in fired(result):  # it fired conservatively: the audit trail says so
        assert set(settled_by(result, rule_id)) <= set(rule.qualifiers) and settled_by(result, rule_id)


def test_a_question_that_cannot_change_the_answer_is_not_asked():
    # chest pain is an emergency whatever the headache is like
    result = run(age=60, symptoms=["chest_pain", "headache"])
    assert result.urgency == "emergency" and result.questions == ()
    # once answered, a qualifier is not asked again
    result = run(age=60, symptoms=["headache"], qualifiers={"headache_new_or_different": True,
                                                           "scalp_tenderness": False,
                                                           "visual_disturbance": False})
    assert result.questions == ()
    # under 50 a headache needs no follow-up question
    assert run(age=35, symptoms=["headache"]).questions == ()


def test_the_more_urgent_concern_is_asked_first():
    result = run(age=60, symptoms=["headache"])
    codes = [q.code for q in result.questions]
    # scalp and sight (giant cell arteritis: today) before "is it new" (within days)
    assert codes == ["scalp_tenderness", "visual_disturbance", "headache_new_or_different"]


# --- The case, written from guidance. ---------------------------------------

POSTURE_HEADACHE_AT_50 = dict(
    age=50, onset="gradual", duration_days=7, history=["sustained_posture"], symptoms=["headache"],
    pain_now=4, pain_regions=[{"region": "posterior_neck_upper", "side": "midline"},
                              {"region": "occiput", "side": "midline"}],
)


def test_posture_headache_at_50_that_is_not_new_is_not_referred():
    doc = copy.deepcopy(POSTURE_HEADACHE_AT_50)
    unknown = run(**doc)
    assert (unknown.status, unknown.urgency) == ("refer", "soon")  # as before: conservative
    assert "headache_new_or_different" in [q.code for q in unknown.questions]
    doc["qualifiers"] = {"headache_new_or_different": False, "scalp_tenderness": False,
                         "visual_disturbance": False}
    answered = run(**doc)
    assert answered.status == "ok" and answered.questions == ()
    assert any("new, unlike your usual ones" in c for c in answered.cautions)  # still told what to watch


# --- Safety: unknown is never less urgent than "no", never more than "yes". ----------


def _all_docs():
    from test_triage import RULE_CASES  # noqa: PLC0415

    docs = [copy.deepcopy(d) for d in RULE_CASES.values()]
    for name in ("red_flags.yaml", "identification.yaml"):
        docs += [copy.deepcopy(v["findings"]) for v in yaml.safe_load((HERE / "vignettes" / name).read_text())]
    return docs


def test_qualifiers_are_monotone_unknown_between_no_and_yes():
    # every qualifier is phrased so that "yes" is the worrying answer
    for doc in _all_docs():
        doc.setdefault("age", 40)
        base = {k: v for k, v in doc.get("qualifiers", {}).items()}
        open_codes = [q for q in QUALIFIER_CODES if q not in base]
        unknown = triage(parse_findings(doc))
        no = triage(parse_findings({**doc, "qualifiers": {**base, **dict.fromkeys(open_codes, False)}}))
        yes = triage(parse_findings({**doc, "qualifiers": {**base, **dict.fromkeys(open_codes, True)}}))
        assert RANK[yes.urgency] <= RANK[unknown.urgency] <= RANK[no.urgency], doc


# --- The rules file. ------------------------------------------------------------------


def packaged_doc():
    from importlib import resources

    return yaml.safe_load(resources.files("relieve.assessment").joinpath("data/red_flags.yaml").read_text())


def test_qualifier_errors_are_reported():
    doc = packaged_doc()
    rule = next(r for r in doc["red_flags"] if r["id"] == "vascular.headache_over_50")
    rule["when"]["all"][2] = {"qualifier": {"code": "headache_new", "is": True, "if_unknown": True}}
    night = next(r for r in doc["red_flags"] if r["id"] == "cancer.night_pain")
    night["when"]["all"][1] = {"qualifier": {"code": "night_pain_not_eased_by_position", "is": True}}
    doc["qualifiers"][1]["refines"] = ["arteritis.jaw_pain_with_headache"]
    doc["qualifiers"][2]["source"] = ["nowhere"]
    with pytest.raises(ValidationError) as info:
        parse_rules(doc)
    problems = dict(info.value.problems)
    fields = set(problems)
    assert any(f.endswith(".qualifier.code") for f in fields)
    assert any(f.endswith(".qualifier") and "if_unknown" in problems[f] for f in fields)
    assert "qualifiers[1].refines" in fields and "arteritis.cranial_signs" in problems["qualifiers[1].refines"]
    assert "qualifiers[2].source[0]" in fields


def test_a_qualifier_read_by_a_rule_needs_a_question():
    doc = packaged_doc()
    doc["qualifiers"] = [q for q in doc["qualifiers"] if q["code"] != "dangerous_mechanism"]
    with pytest.raises(ValidationError) as info:
        parse_rules(doc)
    assert any("dangerous_mechanism" in m and "no follow-up question" in m for _, m in info.value.problems)


# --- Vignettes written from the guidance (vignettes/qualifiers.yaml). ----------------

QUALIFIER_VIGNETTES = yaml.safe_load((HERE / "vignettes" / "qualifiers.yaml").read_text())


def _check(result, expect):
    assert (result.status, result.urgency) == (expect["status"], expect["urgency"]), \
        [r.id for r in result.rules_fired]
    if expect["family"] is None:
        assert result.families == ()
    else:
        assert expect["family"] in result.families


@pytest.mark.parametrize("vignette", QUALIFIER_VIGNETTES, ids=[v["name"] for v in QUALIFIER_VIGNETTES])
def test_qualifier_vignette(vignette):
    assert vignette["source"] and not vignette["findings"].get("qualifiers")
    unknown = triage(parse_findings(vignette["findings"]))
    _check(unknown, vignette["expect_unknown"])
    # Asking the gate's questions one at a time, answered from the vignette, ends
    # where giving every answer at once ends; the vignette answers every one asked.
    doc = copy.deepcopy(vignette["findings"])
    doc["qualifiers"] = {}
    result, asked = unknown, []
    while result.questions:
        code = result.questions[0].code
        assert code not in asked, "an answered question is asked again"
        assert code in vignette["answers"], f"the gate asks {code}, which the vignette does not answer"
        asked.append(code)
        doc["qualifiers"][code] = vignette["answers"][code]
        result = triage(parse_findings(doc))
    assert asked
    _check(result, vignette["expect"])
    _check(triage(parse_findings({**vignette["findings"], "qualifiers": vignette["answers"]})), vignette["expect"])


def test_qualifier_vignettes_cover_every_qualifier():
    answered = {q for v in QUALIFIER_VIGNETTES for q in v["answers"]}
    assert answered == set(QUALIFIER_CODES)


def _answered_cases():
    out = []
    for name in ("red_flags.yaml", "identification.yaml"):
        out += [v for v in yaml.safe_load((HERE / "vignettes" / name).read_text()) if "answers" in v]
    return out


@pytest.mark.parametrize("vignette", _answered_cases(), ids=lambda v: v["name"])
def test_red_flag_vignettes_with_their_described_answers_still_refer(vignette):
    answered = triage(parse_findings({**vignette["findings"], "qualifiers": vignette["answers"]}))
    exp = vignette["expect_answered"]
    assert (answered.status, answered.urgency) == (exp["status"], exp["urgency"])
    assert exp["family"] in answered.families


# --- The shortcut for rules that decide without an open qualifier. ------------------


def _random_findings(rng) -> dict:
    from relieve.vocabulary import HISTORY_CODES, MOVEMENT_CODES, ONSET_CODES, REGION_CODES, SYMPTOM_CODES

    def some(codes, p):
        return [c for c in codes if rng.random() < p]

    doc = {
        "age": int(rng.choice([16, 30, 45, 49, 50, 64, 65, 80])),
        "history": some(HISTORY_CODES, 0.05),
        "symptoms": some(SYMPTOM_CODES, 0.06),
        "qualifiers": {q: bool(rng.random() < 0.5) for q in QUALIFIER_CODES if rng.random() < 0.3},
        "pain_regions": [{"region": r} for r in some(REGION_CODES, 0.1)],
        "movements": {m: {"pain": int(rng.integers(0, 11)), "limited": bool(rng.random() < 0.5)}
                      for m in some(MOVEMENT_CODES, 0.2)},
    }
    if rng.random() < 0.7:
        doc["onset"] = str(rng.choice(ONSET_CODES))
    if rng.random() < 0.7:
        doc["pain_now"] = int(rng.integers(0, 11))
    if rng.random() < 0.7:
        doc["duration_days"] = int(rng.choice([0, 1, 3, 10, 30, 60, 200]))
    return doc


def test_rules_passed_over_for_want_of_their_codes_change_no_answer():
    """Triage passes over a rule whose codes the findings lack (``Rule.needs``), both
    when it asks which rules hold and when it tries every answer to the open
    qualifiers. On 3,000 random findings with some qualifiers answered, the rule book
    with those shortcuts gives what the same book without them gives: the same rules
    fire, settled by the same questions, and the same follow-up questions are asked."""
    import dataclasses

    import numpy as np

    book = default_rules()
    plain = dataclasses.replace(book, red_flags=tuple(dataclasses.replace(r, needs=None) for r in book.red_flags),
                                cautions=tuple(dataclasses.replace(r, needs=None) for r in book.cautions))
    rng = np.random.default_rng(9)
    docs = [parse_findings(_random_findings(rng)) for _ in range(3000)]
    fast = [triage(f, book) for f in docs]
    assert [r.to_dict() for r in fast] == [triage(f, plain).to_dict() for f in docs]
    # the sample reaches the cases that matter: rules held open by a question, and questions asked
    assert sum(any(r.settled_by for r in t.rules_fired) for t in fast) > 200
    assert sum(bool(t.questions) for t in fast) > 100
    assert sum(t.status == "ok" for t in fast) > 300
