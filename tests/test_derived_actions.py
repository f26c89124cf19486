"""Actions shown to the user come from the model; they must agree with the textbooks."""

from __future__ import annotations

import pytest

from relieve.anatomy import knowledge_base
from relieve.vocabulary import MUSCLE_IDS, SIDES
from relieve.anatomy.derived import derived_actions
from relieve.anatomy.postures import describe


@pytest.mark.parametrize("muscle", MUSCLE_IDS)
@pytest.mark.parametrize("side", SIDES)
def test_every_primary_stated_action_shortens_the_muscle_in_the_model(muscle, side):
    kb = knowledge_base()
    derived = {a.variable: a for a in derived_actions(muscle, side)}
    for stated in kb.actions(muscle, side):
        if stated.strength != "primary":
            continue
        got = derived.get(stated.variable)
        assert got is not None, f"{muscle} {side}: the model shows no {stated.variable} action (stated {stated.sign:+d})"
        assert got.sign == stated.sign, f"{muscle} {side}: {stated.variable} model {got.sign:+d}, textbook {stated.sign:+d}"
        assert got.shortening_pct <= -1.0


def test_derived_actions_mirror_between_sides():
    left = {(a.variable, a.sign): a.shortening_pct for a in derived_actions("levator_scapulae", "left")}
    right = {(a.variable, a.sign): a.shortening_pct for a in derived_actions("levator_scapulae", "right")}
    flipped = {}
    for (var, sign), pct in right.items():
        if var in ("neck_side_bend", "neck_rotation"):
            sign = -sign
        flipped[(var.replace("_right", "_left"), sign)] = pct
    assert flipped.keys() == left.keys()
    for key, pct in left.items():
        assert flipped[key] == pytest.approx(pct, abs=1e-9)


def test_sentence_reads_as_plain_words():
    top = derived_actions("levator_scapulae", "left")[0]
    text = top.sentence()
    assert text.startswith("Raising the left shoulder blade") and "shortens it by" in text
    assert describe("neck_rotation", 30) == "turn your chin to the right, about 30°"
