"""Plans a person can do, safely: the safety envelope, hands that add up, pushes whose
words say their true direction, honest availability, short steps. Checked on
properties for every muscle-side (both sides), combined plans of neighbours and plans
under findings, not on magnitudes (the model's geometry may change)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from relieve.anatomy import knowledge_base
from relieve.anatomy.postures import _phrases, describe, phrase_origin
from relieve.errors import ModelError
from relieve.model import default_model
from relieve.techniques import plan
from relieve.techniques._envelope import build_envelope, envelope
from relieve.techniques._jones import build_jones, jones_catalogue
from relieve.techniques._positions import HELPER_LIMBS, OWN_LIMBS, build_catalogue, catalogue
from relieve.techniques._settings import doses
from relieve.vocabulary import MUSCLE_IDS, NECK_VARIABLES, POSTURE_VARIABLES, SIDES, VARIABLES

FINDINGS = {
    "age": 45,
    "movements": {
        "rotation_left": {"pain": 6, "limited": True, "pain_side": "left"},
        "extension": {"pain": 5, "limited": True},
        "side_bend_right": {"pain": 2, "limited": False, "pain_side": "left"},
    },
}


def _neighbour_pairs():
    kb = knowledge_base()
    return [(m, kb.muscle(m).neighbours[0]) for m in MUSCLE_IDS]


@pytest.fixture(scope="module")
def documents():
    """(label, targets, techniques, by_muscle or None) for every plan checked."""
    out = []
    for m in MUSCLE_IDS:
        for s in SIDES:
            p = plan([(m, s)])
            out.append((f"{m}:{s}", [(m, s)], p.techniques))
            f = plan([(m, s)], findings=FINDINGS)
            out.append((f"{m}:{s}+findings", [(m, s)], f.techniques))
    for a, b in _neighbour_pairs():
        for s in SIDES:
            p = plan([(a, s), (b, s)])
            out.append((f"{a}+{b}:{s}", [(a, s), (b, s)], p.techniques))
    return out


def _support_lying(technique) -> bool:
    return catalogue().supports[technique["positions"][0]].lying


# --------------------------------------------------------------------------- envelope


def test_every_shown_position_is_inside_the_envelope(documents):
    env = envelope()
    for label, _, t in documents:
        ms = t["muscle_shortening"]
        assert env.violations(ms["posture"], "sustained", lying=ms["lying"], pressed=ms["pressed"]) == [], label
        assert ms["lying"] == _support_lying(ms), label
        if t["repositioning"]["available"]:
            r = t["repositioning"]
            assert env.violations(r["posture"], "sustained", lying=_support_lying(r)) == [], label
            assert env.violations(r["helper_posture"], "sustained", lying=True) == [], label
        scs = t["strain_counterstrain"]
        assert env.violations(scs["stretch_posture"], "stretch") == [], label
        j = t["jones_counterstrain"]
        if j["available"]:
            assert env.violations(j["posture"], "sustained", lying=_support_lying(j), pressed=[j["jones_point"]["landmark"]]) == [], label


def test_nothing_is_ever_pressed_over_the_front_of_the_neck(documents):
    env = envelope()
    for label, _, t in documents:
        assert all(env.may_press(p) for p in t["muscle_shortening"]["pressed"]), label
        j = t["jones_counterstrain"]
        if j["available"]:
            assert env.may_press(j["jones_point"]["landmark"]), label


def test_the_envelope_refuses_the_positions_the_issue_found():
    env = envelope()
    old_longus_capitis_stretch = {"neck_flexion": -45, "head_nod": -18, "neck_rotation": 52, "neck_side_bend": 30}
    assert env.violations(old_longus_capitis_stretch, "stretch")
    # extension with same-side side bend and rotation: never sitting, moderate lying
    levator_ease = {"neck_flexion": -30, "neck_side_bend": -20, "neck_rotation": -30}
    assert env.violations(levator_ease, "sustained", lying=True)
    moderate = {"neck_flexion": -8, "neck_side_bend": -12, "neck_rotation": -15}
    assert not env.violations(moderate, "sustained", lying=True)
    assert env.violations(moderate, "sustained", lying=False)
    # two variables near end range in one stretch
    assert env.violations({"neck_flexion": 40, "neck_side_bend": 30}, "stretch")
    # pressure in front of the neck, and under the skull with the head turned
    assert env.violations({}, "sustained", pressed=["c4_transverse_process_anterior"])
    assert env.violations({"neck_rotation": 25}, "sustained", pressed=["c1_transverse_process"])
    assert not env.violations({"neck_rotation": 8}, "sustained", pressed=["c1_transverse_process"])


def test_the_envelope_is_downward_closed():
    """Bringing any posture toward neutral never leaves the envelope (the search relies on it)."""
    env = envelope()
    rng = np.random.default_rng(10)
    body = default_model()
    lo = np.array([body.ranges[v][0] for v in POSTURE_VARIABLES])
    hi = np.array([body.ranges[v][1] for v in POSTURE_VARIABLES])
    X = rng.uniform(lo, hi, size=(4000, len(POSTURE_VARIABLES))) * 0.6
    for kind in ("sustained", "stretch"):
        for lying in (False, True):
            ok = env.feasible(X, kind, lying=lying, pressed=("c1_transverse_process",))
            for factor in (0.8, 0.5, 0.1):
                assert env.feasible(X[ok] * factor, kind, lying=lying, pressed=("c1_transverse_process",)).all()


def test_broken_envelope_and_catalogue_documents_name_the_entry():
    import yaml
    from importlib import resources

    raw = yaml.safe_load(resources.files("relieve.techniques").joinpath("data", "envelope.yaml").read_text())
    bad = {**raw, "no_pressure": {**raw["no_pressure"], "landmarks": ["adams_apple"]}}
    with pytest.raises(ModelError) as info:
        build_envelope(bad, default_model().ranges)
    assert "no_pressure.landmarks[0]" in info.value.field
    uncited = {**raw, "extension_rotation": {k: v for k, v in raw["extension_rotation"].items() if k not in ("source", "rationale")}}
    with pytest.raises(ModelError) as info:
        build_envelope(uncited, default_model().ranges)
    assert "extension_rotation" in info.value.field
    positions = yaml.safe_load(resources.files("relieve.techniques").joinpath("data", "positions.yaml").read_text())
    positions["arms"]["high_armrest"]["effects"] = {"neck_rotation": {"sign": 1, "max_share": 0.5}}
    with pytest.raises(ModelError) as info:
        build_catalogue(positions)
    assert "high_armrest" in info.value.field
    positions = yaml.safe_load(resources.files("relieve.techniques").joinpath("data", "positions.yaml").read_text())
    positions["supports"]["lying_back"]["rests_on"] = ["t6_spinous_process", "small_of_the_back"]
    with pytest.raises(ModelError) as info:
        build_catalogue(positions)
    assert info.value.field.endswith("supports.lying_back.rests_on[1]")
    jones = yaml.safe_load(resources.files("relieve.techniques").joinpath("data", "jones.yaml").read_text())
    jones["points"]["AC7"]["components"] = {"flexion": "enormous"}
    with pytest.raises(ModelError) as info:
        build_jones(jones)
    assert "AC7" in info.value.field


# --------------------------------------------------------------------------- hands


def test_no_fingertip_presses_an_end_the_body_rests_on(documents):
    """Lying on the back (or leaning on a high chair back) the upper back and the backs of
    the shoulder blades bear the body's weight; lying on a side, that shoulder and the side
    of the head. A position of ease never asks to press an end there."""
    cat = catalogue()
    checked = 0
    for label, targets, techniques in documents:
        t = techniques["muscle_shortening"]
        support = cat.supports[t["positions"][0]]
        for landmark in t["pressed"]:
            for _, side in targets:
                assert not support.covers(landmark, side), (label, support.id, landmark)
            checked += 1
    assert checked > 50


def test_lying_on_one_end_presses_the_other():
    """Splenius cervicis runs from T3-T6 to C1-C3: lying on the back eases it most, with its
    lower end under the back, so only the upper end is pressed and the step says why."""
    t = plan([("splenius_cervicis", "left")]).techniques["muscle_shortening"]
    assert t["positions"][0] == "lying_back"
    assert t["pressed"] == ["c2_transverse_process_posterior"]
    assert any("T3 spinous process, lies under you" in step for step in t["steps"])


def test_the_hand_that_finds_an_end_presses_it():
    for side in SIDES:
        steps = plan([("sternocleidomastoid", side)]).techniques["muscle_shortening"]["steps"]
        found = {}
        for step in steps:
            for hand in SIDES:
                for key in ("Find one end", "Find its other end"):
                    if step.startswith(key) and f"with your {hand} fingertips" in step:
                        found["top of the breastbone" in step] = hand
        press = next(step for step in steps if step.startswith("Press the sternocleidomastoid"))
        assert f"your {found[True]} fingertips at the top of the breastbone" in press, press
        assert f"your {found[False]} fingertips at the bony knob" in press, press


def _hand_lists(t):
    yield "steps", t["steps"], t.get("step_hands", []), False
    if "helper_steps" in t:
        yield "helper_steps", t["helper_steps"], t.get("helper_step_hands", []), True


def test_hands_add_up_in_every_step(documents):
    for label, _, techniques in documents:
        for name, t in techniques.items():
            for which, steps, hands, helper in _hand_lists(t):
                assert len(hands) == len(steps), (label, name, which)
                for text, step in zip(steps, hands):
                    limbs = [x["limb"] for x in step["limbs"]]
                    # no hand with two jobs, no arm in two places
                    assert len(limbs) == len(set(limbs)), (label, name, text, step)
                    own = [x for x in limbs if x in OWN_LIMBS]
                    others = [x for x in limbs if x not in OWN_LIMBS]
                    assert len(own) <= 2 and set(others) <= set(HELPER_LIMBS), (label, name, limbs)
                    if others:
                        assert helper or name == "jones_counterstrain", (label, name, text)
                    assert step["movements"] <= 3, (label, name, text)


def test_every_posture_component_is_one_counted_movement(documents):
    """The movement counts are honest: each component of a shown posture is said once,
    and the push step counts its pushes."""
    for label, _, t in documents:
        for name, key in (("muscle_shortening", "posture"), ("strain_counterstrain", "stretch_posture"),
                          ("repositioning", "posture"), ("jones_counterstrain", "posture")):
            tech = t[name]
            if not tech["available"]:
                continue
            counts = [h["movements"] for h in tech["step_hands"]]
            pushes = len(tech.get("resist_direction", {}))
            assert sum(counts) == len(tech[key]) + pushes, (label, name, tech[key], counts)


def test_a_muscle_is_pressed_only_where_a_hand_is_free(documents):
    for label, targets, t in documents:
        ms = t["muscle_shortening"]
        for step in ms["step_hands"]:
            pressing = [x for x in step["limbs"] if x["job"].startswith("presses")]
            placed = [x for x in step["limbs"] if not x["job"].startswith("presses")]
            assert not {x["limb"] for x in pressing} & {x["limb"] for x in placed}, (label, step)


# --------------------------------------------------------------------------- pushes


def test_push_phrases_say_their_own_direction():
    """Each push phrase names the way it pushes, never the opposite way."""
    words = {
        "neck_flexion": (("forward",), ("back into",)),
        "neck_side_bend": (("to the right",), ("to the left",)),
        "neck_rotation": (("to the right",), ("to the left",)),
        "head_nod": (("down",), (" up ",)),
        "scapula_elevation": ((" up ",), ("down",)),
        "scapula_retraction": (("back",), ("forward",)),
        "scapula_upward_rotation": (("out to the side",), ("in and down",)),
        "thoracic_flexion": (("curl", "forward"), ("back into",)),
    }
    for base, dirs in _phrases().items():
        yes, no = words[base]
        for sign_word, must, must_not in (("positive", yes, no), ("negative", no, yes)):
            text = f" {dirs[sign_word]['push']} "
            assert any(w in text for w in must), (base, sign_word, text)
            assert not any(w in text for w in must_not), (base, sign_word, text)
    # and every phrase leads back to exactly one direction
    for base, dirs in _phrases().items():
        for sign_word, sign in (("positive", 1), ("negative", -1)):
            phrase = dirs[sign_word]["push"].format(side="left", deg="", share="")
            assert phrase_origin(phrase) == [(base, sign)], phrase


def test_push_round_trip_for_every_plan(documents):
    body = default_model()
    for label, targets, t in documents:
        scs = t["strain_counterstrain"]
        if not scs["available"]:
            continue
        push = scs["resist_direction"]
        assert push, label
        push_steps = [s for s in scs["steps"] if s.startswith("Push gently")]
        assert len(push_steps) == 1, label
        found = sorted(phrase_origin(push_steps[0]))
        assert found == sorted((VARIABLES[v].base, d) for v, d in push.items()), (label, found, push)
        for v, d in push.items():
            assert describe(v, d, "push") in push_steps[0], (label, v)
        # the push lengthens the treated muscles (never shortens one of them); the
        # muscles named as pushing shorten
        posture = {v: 0.3 * d * (body.ranges[v][1] if d > 0 else -body.ranges[v][0]) for v, d in push.items()}
        changes = [body.length_change_pct(m, s, posture) for m, s in targets]
        assert np.mean(changes) > 0 and min(changes) > -0.05, (label, changes, posture)
        for p in scs["pushed_by"]:
            assert body.length_change_pct(p["muscle"], p["side"], posture) < 0, (label, p)
            assert (p["muscle"], p["side"]) not in targets


# --------------------------------------------------------------------------- honest techniques


def test_every_technique_says_whether_it_is_available(documents):
    for label, _, t in documents:
        for name, tech in t.items():
            assert isinstance(tech["available"], bool), (label, name)
            if tech["available"]:
                assert tech["steps"] and "reason" not in tech, (label, name)
            else:
                assert tech["reason"] and tech["steps"] == [] and tech.get("helper_steps", []) == [], (label, name)


def test_repositioning_is_offered_only_when_it_slackens_enough(documents):
    threshold = doses().weak_repositioning_pct
    seen_false = False
    for label, _, t in documents:
        r = t["repositioning"]
        assert r["available"] == (r["length_change_pct"] <= -threshold), (label, r["length_change_pct"])
        seen_false |= not r["available"]
        if r["available"]:
            assert not set(r["posture"]) & set(NECK_VARIABLES)
    assert seen_false  # muscles that do not reach the shoulder girdle


def test_combined_plans_do_not_press_a_muscle_the_posture_barely_slackens():
    kb = knowledge_base()
    result = plan([("scalenes", "left"), ("levator_scapulae", "right")]).techniques["muscle_shortening"]
    barely = [m for m in result["by_muscle"] if m["barely_slackened"]]
    for m in result["by_muscle"]:
        assert m["barely_slackened"] == (m["length_change_pct"] > -doses().min_pressed_slack_pct)
    jobs = " ".join(x["job"] for step in result["step_hands"] for x in step["limbs"])
    for m in barely:
        name = kb.muscle(m["muscle"]).common_name.lower()
        assert f"presses the {name}" not in jobs
        assert any("barely slackens" in s and name in s for s in result["steps"])


def test_held_back_notes_state_the_angles_used():
    p = plan([("levator_scapulae", "left")], findings=FINDINGS).to_contract()
    notes = p["held_back"]
    assert notes
    for note in notes:
        m = re.search(r"the position of ease uses (none of it|(\d+)°)", note)
        assert m, note
    ease = p["techniques"]["muscle_shortening"]["posture"]
    rotation_note = next(n for n in notes if "turning the chin to the left" in n.lower())
    used = re.search(r"the position of ease uses (none of it|(\d+)°)", rotation_note)
    expected = abs(ease.get("neck_rotation", 0)) if ease.get("neck_rotation", 0) < 0 else 0
    assert (int(used.group(2)) if used.group(2) else 0) == expected


def test_jones_variant_names_his_point_and_position():
    jones = jones_catalogue()
    for m in MUSCLE_IDS:
        t = plan([(m, "left")]).techniques["jones_counterstrain"]
        points = jones.for_muscle(m)
        if t["available"]:
            point = t["jones_point"]
            assert point["code"] in jones.points and m in jones.points[point["code"]].muscles
            assert any(point["name"] in s for s in t["steps"]) and any(point["where"] in s for s in t["steps"])
            assert point["jones_position"] and point["sources"]
        else:
            assert not points or not all(envelope().may_press(p.landmark) for p in points), m
    # the PC1 inion point is treated in flexion, not in extension with the chin lifted
    inion = jones.points["PC1_inion"].posture("left", default_model())
    assert inion["head_nod"] > 0 and inion["neck_flexion"] > 0


# --------------------------------------------------------------------------- words


def test_find_the_end_steps_are_short_and_in_lay_words(documents):
    for label, _, t in documents:
        for step in t["muscle_shortening"]["steps"]:
            if "end" in step.split(":")[0] and ("Find" in step or "One end" in step):
                assert len(step.split()) <= 50, (label, step)
        for tech in t.values():
            for step in tech["steps"] + tech.get("helper_steps", []):
                assert not re.search(r"\b[a-z0-9]+_[a-z0-9_]+\b", step), (label, step)


def test_deep_ends_say_they_cannot_be_felt():
    steps = plan([("rectus_capitis_posterior_major", "left")]).techniques["muscle_shortening"]["steps"]
    assert any("cannot feel it" in s for s in steps)
    longus = plan([("longus_colli", "left")]).techniques["muscle_shortening"]["steps"]
    assert any("do not press" in s.lower() for s in longus)
    assert not any(s.startswith("Press the") or s.startswith("With your") for s in longus)
