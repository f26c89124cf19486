"""``relieve assess``: run in-process through ``relieve.cli.main(argv)``, plus one real
process as a smoke test of the entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import QUESTIONNAIRE_SCRIPT, run_cli

REPO = Path(__file__).resolve().parents[1]
VIGNETTES = yaml.safe_load((Path(__file__).parent / "vignettes" / "identification.yaml").read_text())
OK_CASE = next(v for v in VIGNETTES if v["expect"]["status"] == "ok")
REFER_CASE = next(v for v in VIGNETTES if v["expect"]["status"] == "refer")


def relieve(*args: str, stdin: str = ""):
    return run_cli(*args, input=stdin)


def test_assess_as_a_real_process(tmp_path):
    doc = tmp_path / "f.json"
    doc.write_text(json.dumps(OK_CASE["findings"]))
    out = subprocess.run([sys.executable, "-m", "relieve", "assess", "--json", str(doc)],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["status"] == "ok"


@pytest.fixture()
def findings_file(tmp_path):
    def write(doc, name="findings.json") -> str:
        path = tmp_path / name
        path.write_text(doc if isinstance(doc, str) else json.dumps(doc))
        return str(path)

    return write


# --------------------------------------------------------------------------- --json


def test_json_prints_exactly_the_contract_object(findings_file):
    out = relieve("assess", "--json", findings_file(OK_CASE["findings"]))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert set(data) == {"status", "refer", "candidates"}
    assert data["status"] == "ok" and data["refer"] is None
    top = data["candidates"][0]
    assert set(top) == {"muscle", "side", "probability", "why"}
    assert (top["muscle"], top["side"]) == (OK_CASE["expect"]["muscles"][0], OK_CASE["expect"]["side"])
    assert sum(c["probability"] for c in data["candidates"]) <= 1.0
    assert all(c["why"] for c in data["candidates"])


def test_json_reads_standard_input():
    out = relieve("assess", "--json", "-", stdin=json.dumps(OK_CASE["findings"]))
    assert out.returncode == 0, out.stderr
    file_out = json.loads(out.stdout)
    assert file_out["candidates"][0]["muscle"] == OK_CASE["expect"]["muscles"][0]


def test_the_contract_example_points_to_the_left_levator_scapulae():
    example = {
        "age": 41, "onset": "on_waking", "duration_days": 1, "history": ["slept_awkwardly"],
        "symptoms": [], "pain_now": 6,
        "pain_regions": [{"region": "neck_shoulder_junction", "side": "left"}],
        "movements": {"rotation_right": {"pain": 6, "limited": True, "pain_side": "left"},
                      "rotation_left": {"pain": 0, "limited": False}},
        "resting_head_posture": {"tilt": None, "turn": None, "forward_head": False},
        "tender_points": [{"region": "superior_angle_scapula", "side": "left"}],
    }
    data = json.loads(relieve("assess", "--json", "-", stdin=json.dumps(example)).stdout)
    top = data["candidates"][0]
    assert (top["muscle"], top["side"]) == ("levator_scapulae", "left")
    assert any("turning your head to the right stretches it" in w for w in top["why"])


def test_json_refer_has_no_candidates(findings_file):
    out = relieve("assess", "--json", findings_file(REFER_CASE["findings"]))
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["status"] == "refer" and data["candidates"] == []
    assert data["refer"]["urgency"] in ("emergency", "urgent", "soon")
    assert data["refer"]["reasons"] and data["refer"]["advice"]


def test_details_adds_fields_beside_the_contract(findings_file):
    doc = dict(OK_CASE["findings"], symptoms=["tingling_one_arm"])
    data = json.loads(relieve("assess", "--json", findings_file(doc), "--details").stdout)
    assert {"status", "refer", "candidates", "cautions", "confidence", "notice", "not_identified"} <= set(data)
    assert data["cautions"] and data["confidence_factor"] < 1


@pytest.mark.parametrize(
    "doc, fields",
    [
        ({"history": ["slept_awkwardly"]}, ["age"]),
        ({"age": 5}, ["age"]),
        ({"age": "forty"}, ["age"]),
        ({"age": 40, "history": ["slept_badly"], "symptoms": ["flu"]}, ["history[0]", "symptoms[0]"]),
        ({"age": 40, "movements": {"nod": {}}}, ["movements.nod"]),
        ({"age": 40, "movements": {"flexion": {"pain": 11, "limited": "yes", "pain_side": "up"}}},
         ["movements.flexion.pain", "movements.flexion.limited", "movements.flexion.pain_side"]),
        ({"age": 40, "pain_regions": [{"region": "knee", "side": "left"}, {"region": "jaw", "side": "top"}]},
         ["pain_regions[0].region", "pain_regions[1].side"]),
        ({"age": 40, "pain_now": -1, "resting_head_posture": {"tilt": "up"}},
         ["pain_now", "resting_head_posture.tilt"]),
        ({"age": 40, "tender_points": "jaw"}, ["tender_points"]),
    ],
)
def test_invalid_findings_exit_2_naming_every_bad_field(findings_file, doc, fields):
    out = relieve("assess", "--json", findings_file(doc))
    assert out.returncode == 2
    assert out.stdout == ""
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    for field in fields:
        assert field in out.stderr, (field, out.stderr)


def test_malformed_json_exits_2(findings_file):
    out = relieve("assess", "--json", findings_file('{"age": 40,'))
    assert out.returncode == 2 and "malformed JSON" in out.stderr and "Traceback" not in out.stderr
    out = relieve("assess", "--json", "-", stdin="[1, 2]")
    assert out.returncode == 2 and "expected a JSON object" in out.stderr


def test_missing_file_exits_2(tmp_path):
    out = relieve("assess", "--json", str(tmp_path / "nope.json"))
    assert out.returncode == 2 and "nope.json" in out.stderr


def test_findings_option_shows_the_result_for_people(findings_file):
    out = relieve("assess", "--findings", findings_file(OK_CASE["findings"]))
    assert out.returncode == 0, out.stderr
    assert "levator scapulae" in out.stdout and "not a diagnosis" in out.stdout


# --------------------------------------------------------------------------- questionnaire

SCRIPT = QUESTIONNAIRE_SCRIPT


def test_questionnaire_scripted_answers_give_the_result_and_offer_the_plan():
    out = relieve("assess", stdin="\n".join(SCRIPT + ["n"]) + "\n")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "BACK" in text and "FRONT" in text  # the pain map picture
    assert "upper back of the neck" in text
    assert "Test 1." in text and "Why this test:" in text  # the most telling test first, and why
    assert "Test 2." in text and "Test 3." not in text  # q at the second skipped the rest
    assert "Muscles most likely in spasm" in text
    assert "Show the gentle techniques" in text
    assert "not a diagnosis" in text


def test_questionnaire_asks_no_test_when_none_could_change_the_answer(monkeypatch):
    from relieve import assessment

    # The library's answer "no further question" (tests/test_questions.py has real cases).
    monkeypatch.setattr(assessment, "next_question", lambda findings: None)
    answers = ["41", "3", "1", "6", "3", "", "11l 13l", "", "", "n", "13l", "n"]
    out = relieve("assess", stdin="\n".join(answers) + "\n")
    assert out.returncode == 0, out.stderr
    assert "No test movement is needed now" in out.stdout and "Test 1." not in out.stdout, out.stdout[-3000:]
    assert "levator scapulae" in out.stdout


def test_questionnaire_asks_the_red_flag_follow_up_right_after_the_symptom():
    # 55 years old, gradual, 7 days, pain 4, history 1 (sustained posture), symptom: headache
    from relieve.vocabulary import SYMPTOM_CODES

    headache = str(SYMPTOM_CODES.index("headache") + 1)
    # follow-ups answered "no" (scalp, sight, new or different), then the rest skipped
    # pain map, posture (three answers) and tender spots skipped, tests: q, plan: n
    answers = ["55", "2", "7", "4", "1", headache, "n", "n", "n", "", "", "", "", "", "q", "n"]
    out = relieve("assess", stdin="\n".join(answers) + "\n")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "A follow-up question:" in text and "Why we ask:" in text
    assert text.index("A follow-up question:") < text.index("Test movements.")  # before the gate
    assert "Muscles most likely in spasm" in text  # a headache that is not new: no referral for it


def test_questionnaire_shows_the_plan_when_asked():
    out = relieve("assess", stdin="\n".join(SCRIPT + ["1"]) + "\n")
    assert out.returncode == 0, out.stderr
    assert "multifidus (neck part), left side" in out.stdout  # the first candidate's plan


def test_questionnaire_stops_at_the_safety_gate():
    # age, onset sudden, days, pain, history 7 = car accident, the follow-up on the kind
    # of accident answered "cannot say" (it stays conservative), no symptoms
    out = relieve("assess", stdin="\n".join(["30", "1", "1", "5", "7", "", ""]) + "\n")
    assert out.returncode == 0, out.stderr
    assert "EMERGENCY" in out.stdout
    assert "do not try the test movements" in out.stdout
    assert "Slowly bend your head forward" not in out.stdout


def test_questionnaire_asks_again_after_a_bad_answer():
    out = relieve("assess", stdin="\n".join(["200", "abc", "41"] + SCRIPT[1:] + ["n"]) + "\n")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Please type a whole number from 12 to 110") == 2


def test_questionnaire_ending_early_exits_2():
    out = relieve("assess", stdin="41\n3\n")
    assert out.returncode == 2
    assert "ended before the questionnaire was finished" in out.stderr
    assert "Traceback" not in out.stderr
