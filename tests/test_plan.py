"""The technique planner, checked on the model's behaviour rather than typed-in answers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import run_cli

from relieve.vocabulary import MUSCLE_IDS, POSTURE_VARIABLES, SIDES
from relieve.assessment import parse_findings
from relieve.model import default_model
from relieve.techniques import plan
from relieve.techniques._limits import EASE_SHARE, PAINFUL_SHARE, STRETCH_SHARE

NECK = ("neck_flexion", "neck_side_bend", "neck_rotation", "head_nod")


@pytest.fixture(scope="module")
def plans():
    return {(m, s): plan([(m, s)]).to_contract() for m in MUSCLE_IDS for s in SIDES}


def _mirror(posture: dict) -> dict:
    out = {}
    for v, x in posture.items():
        if v in ("neck_side_bend", "neck_rotation"):
            out[v] = -x
        elif v.endswith("_left"):
            out[v.replace("_left", "_right")] = x
        elif v.endswith("_right"):
            out[v.replace("_right", "_left")] = x
        else:
            out[v] = x
    return out


def test_contract_shape(plans):
    p = plans[("levator_scapulae", "left")]
    assert p["muscle"] == "levator_scapulae" and p["side"] == "left"
    assert p["attachments"]["origin"][0]["landmark"] and p["attachments"]["insertion"][0]["find_it"]
    t = p["techniques"]
    assert set(t["muscle_shortening"]) >= {"posture", "length_change_pct", "hold_seconds", "steps"}
    assert set(t["repositioning"]) >= {"posture", "length_change_pct", "steps"}
    assert set(t["strain_counterstrain"]) >= {"resist_direction", "stretch_posture", "length_change_pct", "steps"}
    assert t["muscle_shortening"]["hold_seconds"] == 90
    json.dumps(p)  # JSON-ready
    for tech in t.values():
        for key in ("posture", "stretch_posture"):
            assert set(tech.get(key, {})) <= set(POSTURE_VARIABLES)


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
def test_shortening_slackens_and_stretch_lengthens_every_muscle_side(plans, muscle):
    body = default_model()
    for side in SIDES:
        t = plans[(muscle, side)]["techniques"]
        ease, stretch = t["muscle_shortening"], t["strain_counterstrain"]
        assert ease["length_change_pct"] < 0
        assert stretch["length_change_pct"] > 0
        # the reported figures are the model's own at the reported postures
        assert body.length_change_pct(muscle, side, ease["posture"]) == pytest.approx(ease["length_change_pct"], abs=0.06)
        assert body.length_change_pct(muscle, side, stretch["stretch_posture"]) == pytest.approx(
            stretch["length_change_pct"], abs=0.06
        )
        assert t["repositioning"]["length_change_pct"] <= 0


def test_postures_stay_in_the_comfortable_share_of_the_range(plans):
    body = default_model()
    for p in plans.values():
        t = p["techniques"]
        for posture, share in ((t["muscle_shortening"]["posture"], EASE_SHARE), (t["strain_counterstrain"]["stretch_posture"], STRETCH_SHARE)):
            for v, x in posture.items():
                lo, hi = body.ranges[v]
                assert share * lo - 0.5 <= x <= share * hi + 0.5, (p["muscle"], v, x)


def test_repositioning_keeps_the_neck_neutral(plans):
    for p in plans.values():
        assert not set(p["techniques"]["repositioning"]["posture"]) & set(NECK)


def test_repositioning_works_for_shoulder_blade_muscles(plans):
    # levator scapulae: pressing the shoulder blade up slackens it (the seed article's example)
    repos = plans[("levator_scapulae", "left")]["techniques"]["repositioning"]
    assert repos["posture"].get("scapula_elevation_left", 0) > 0
    assert repos["length_change_pct"] < -10


def test_push_goes_toward_lengthening(plans):
    body = default_model()
    for (m, s), p in plans.items():
        scs = p["techniques"]["strain_counterstrain"]
        assert scs["resist_direction"], (m, s)
        for v, d in scs["resist_direction"].items():
            assert d in (-1, 1)
            assert d == (1 if scs["stretch_posture"][v] > 0 else -1)
            lo, hi = body.ranges[v]
            amount = 0.3 * (hi if d > 0 else -lo) * d
            assert body.length_change_pct(m, s, {v: amount}) > 0, (m, s, v)


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
def test_left_and_right_plans_are_mirror_images(plans, muscle):
    left, right = plans[(muscle, "left")]["techniques"], plans[(muscle, "right")]["techniques"]
    for key in ("muscle_shortening", "repositioning"):
        assert _mirror(left[key]["posture"]) == right[key]["posture"]
        assert left[key]["length_change_pct"] == pytest.approx(right[key]["length_change_pct"], abs=0.05)
    assert _mirror(left["strain_counterstrain"]["stretch_posture"]) == right["strain_counterstrain"]["stretch_posture"]


def test_findings_limit_painful_directions_and_say_why():
    findings = parse_findings(
        {
            "age": 40,
            "movements": {
                "rotation_right": {"pain": 6, "limited": True, "pain_side": "left"},
                "side_bend_right": {"pain": 2, "limited": False, "pain_side": "left"},
                "flexion": {"pain": 7, "limited": True},
            },
        }
    )
    body = default_model()
    free = plan([("levator_scapulae", "left")]).to_contract()
    held = plan([("levator_scapulae", "left")], findings=findings).to_contract()
    stretch = held["techniques"]["strain_counterstrain"]["stretch_posture"]
    assert stretch.get("neck_rotation", 0) <= PAINFUL_SHARE * body.ranges["neck_rotation"][1] + 0.5
    assert stretch.get("neck_flexion", 0) <= PAINFUL_SHARE * body.ranges["neck_flexion"][1] + 0.5
    assert stretch.get("neck_side_bend", 0) <= 0.5 * body.ranges["neck_side_bend"][1] + 0.5
    # and the free plan did go further, so the limit really bit
    assert free["techniques"]["strain_counterstrain"]["stretch_posture"]["neck_flexion"] > stretch.get("neck_flexion", 0)
    notes = " ".join(held["held_back"])
    assert "rotation right" in notes and "6/10" in notes and "flexion" in notes
    assert held["techniques"]["strain_counterstrain"]["length_change_pct"] > 0


def test_several_muscles_share_one_posture():
    result = plan([("levator_scapulae", "left"), ("upper_trapezius", "left")]).to_contract()
    assert [p["muscle"] for p in result["plans"]] == ["levator_scapulae", "upper_trapezius"]
    ease = result["combined"]["techniques"]["muscle_shortening"]
    body = default_model()
    gains = {m["muscle"]: m["length_change_pct"] for m in ease["by_muscle"]}
    for muscle, pct in gains.items():
        assert pct < 0
        assert body.length_change_pct(muscle, "left", ease["posture"]) == pytest.approx(pct, abs=0.06)


def test_group_ids_expand_to_their_muscles():
    result = plan([("scalenes", "right")]).to_contract()
    assert [p["muscle"] for p in result["plans"]] == ["anterior_scalene", "middle_scalene", "posterior_scalene"]


relieve = run_cli  # in-process: relieve.cli.main(argv)


def test_cli_plan_as_a_real_process():
    """One smoke test through a real process (entry point, exit code, streams)."""
    out = subprocess.run(
        [sys.executable, "-m", "relieve", "plan", "--muscle", "levator_scapulae", "--side", "left", "--json"],
        capture_output=True, text=True,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["muscle"] == "levator_scapulae"


def test_cli_plan_json_and_errors(tmp_path):
    out = relieve("plan", "--muscle", "levator_scapulae", "--side", "left", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["techniques"]["muscle_shortening"]["length_change_pct"] < 0
    bad = relieve("plan", "--muscle", "levator_scapula", "--side", "left")
    assert bad.returncode == 2 and "levator_scapulae" in bad.stderr and "Traceback" not in bad.stderr
    side = relieve("plan", "--muscle", "levator_scapulae", "--side", "up")
    assert side.returncode == 2 and "left, right" in side.stderr
    human = relieve("plan", "--muscle", "levator_scapulae:left", "--muscle", "upper_trapezius:left")
    assert human.returncode == 0 and "Muscle shortening" in human.stdout


def test_cli_plan_refuses_when_findings_refer(tmp_path):
    doc = tmp_path / "f.json"
    doc.write_text(json.dumps({"age": 70, "history": ["car_accident"]}))
    out = relieve("plan", "--muscle", "levator_scapulae", "--side", "left", "--findings", str(doc), "--json")
    assert out.returncode == 2
    assert "no technique" in out.stderr
    refer = json.loads(out.stdout)  # contract section 5: the CLI prints the refer object of section 4
    assert refer["urgency"] in ("emergency", "urgent", "soon") and refer["reasons"] and refer["advice"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"age": "old"}')
    out = relieve("plan", "--muscle", "levator_scapulae", "--side", "left", "--findings", str(bad))
    assert out.returncode == 2 and "age" in out.stderr


def test_cli_writes_pictures(tmp_path):
    import xml.etree.ElementTree as ET

    out = relieve("plan", "--muscle", "levator_scapulae", "--side", "left", "--figure", str(tmp_path / "figs"), "--json")
    assert out.returncode == 0, out.stderr
    written = json.loads(out.stdout)["figures"]
    svgs = [p for p in written if p.endswith(".svg")]
    assert len(svgs) == 12  # one per group of steps: 3 + 2 (+ 2 with a helper) + 3 + 2
    assert len(written) == 3 * len(svgs)  # each also as PNG at two sizes
    for path in svgs:
        assert ET.parse(path).getroot().tag.endswith("svg")
    card = tmp_path / "card.png"
    out = relieve("muscle", "levator_scapulae", "--side", "right", "--figure", str(card))
    assert out.returncode == 0 and card.read_bytes().startswith(b"\x89PNG")
    out = relieve("muscle", "levator_scapulae", "--side", "right", "--figure", str(tmp_path / "card.gif"))
    assert out.returncode == 2 and "--figure" in out.stderr


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
def test_positions_of_ease_never_contradict_the_stated_primary_actions(plans, muscle):
    from relieve.anatomy import knowledge_base

    kb = knowledge_base()
    for side in SIDES:
        ease = plans[(muscle, side)]["techniques"]["muscle_shortening"]["posture"]
        stretch = plans[(muscle, side)]["techniques"]["strain_counterstrain"]["stretch_posture"]
        primary = [a for a in kb.actions(muscle, side) if a.strength == "primary"]
        for action in primary:
            if action.variable in ease:
                assert (ease[action.variable] > 0) == (action.sign > 0), (muscle, side, action.variable)
            if action.variable in stretch:
                assert (stretch[action.variable] > 0) == (action.sign < 0), (muscle, side, action.variable)
