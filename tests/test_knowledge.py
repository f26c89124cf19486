"""The anatomy knowledge base: completeness, code validity, the mirror rule, and anatomy."""

from __future__ import annotations

import copy
import dataclasses
import re
from pathlib import Path

import pytest
import yaml

import relieve.anatomy as anatomy
from relieve.anatomy import (
    ACTION_VARIABLES,
    GROUPS,
    HISTORY_CODES,
    LANDMARK_IDS,
    MOVEMENT_CODES,
    MUSCLE_IDS,
    POSTURE_VARIABLES,
    REGION_CODES,
    SIDES,
    SYMPTOM_CODES,
    KnowledgeBase,
    knowledge_base,
    load_knowledge_base,
)
from relieve.errors import ModelError, RelieveError, UnknownNameError

REPO = Path(__file__).resolve().parents[1]
DATA = Path(anatomy.__file__).parent / "data"
CONTRACT = Path("/work/shared/contract/README.md")

DEEP_MUSCLES = (
    "longus_colli",
    "longus_capitis",
    "rectus_capitis_posterior_major",
    "rectus_capitis_posterior_minor",
    "obliquus_capitis_superior",
    "obliquus_capitis_inferior",
    "cervical_multifidus",
)


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


def raw_documents() -> tuple[dict, dict, dict]:
    """Fresh parsed copies of the three data files, for breaking on purpose."""
    names = ("muscles", "regions", "landmarks")
    return tuple(yaml.safe_load((DATA / f"{n}.yaml").read_text(encoding="utf-8")) for n in names)


def sign_of(kb: KnowledgeBase, muscle: str, side: str, variable: str) -> int | None:
    signs = {a.variable: a.sign for a in kb.actions(muscle, side)}
    return signs.get(variable)


# --------------------------------------------------------------------------- completeness


def test_every_contract_muscle_is_present_in_contract_order(kb):
    assert kb.muscle_ids == MUSCLE_IDS
    assert len(MUSCLE_IDS) == 23
    assert [m.id for m in kb.muscles] == list(MUSCLE_IDS)


@pytest.mark.parametrize("muscle_id", MUSCLE_IDS)
def test_every_field_of_every_muscle_is_filled(kb, muscle_id):
    m = kb.muscle(muscle_id)
    for f in dataclasses.fields(m):
        value = getattr(m, f.name)
        if f.name == "group":
            continue  # null for muscles outside the contract's groups (checked below)
        assert value, f"{muscle_id}.{f.name} is empty"
    for text in (m.common_name, m.latin_name, m.innervation, m.tender_point_text, m.causes_text,
                 m.pain.description, m.palpation.notes, *m.cautions, *m.sources):
        assert text.strip()
    for a in m.attachments:
        assert a.description.strip() and a.find_it.strip()
    for a in m.actions:
        assert a.text.strip()
    assert m.pain.local and m.pain.referral
    assert m.palpation.pressure in ("light", "moderate")
    assert m.region in ("neck", "shoulder_girdle", "upper_back")


def test_group_field_matches_the_contract_groups(kb):
    group_of = {m: g for g, members in GROUPS.items() for m in members}
    for m in kb.muscles:
        assert m.group == group_of.get(m.id), m.id


# --------------------------------------------------------------------------- codes


@pytest.mark.parametrize("muscle_id", MUSCLE_IDS)
def test_all_codes_used_by_a_muscle_are_contract_codes(kb, muscle_id):
    m = kb.muscle(muscle_id)
    assert set(m.pain.local) <= set(REGION_CODES)
    assert set(m.pain.referral) <= set(REGION_CODES)
    assert set(m.tender_points) <= set(REGION_CODES)
    assert set(m.causes) <= set(HISTORY_CODES)
    assert set(m.neighbours) <= set(MUSCLE_IDS) - {muscle_id}
    assert {a.variable for a in m.actions} <= set(ACTION_VARIABLES)
    assert all(a.sign in (1, -1) and a.strength in ("primary", "secondary") for a in m.actions)


def test_trauma_and_red_flag_history_is_never_given_as_a_cause(kb):
    # The safety screen owns these codes; listing them as "causes" would invite self-care.
    ordinary = {"sustained_posture", "repetitive_motion", "slept_awkwardly", "sports_strain",
                "emotional_stress", "carrying_load"}
    for m in kb.muscles:
        assert set(m.causes) <= ordinary, m.id


def test_every_landmark_used_by_a_muscle_exists(kb):
    known = {lm.id for lm in kb.landmarks}
    for m in kb.muscles:
        for a in m.attachments:
            assert a.landmark in known, (m.id, a.landmark)
            assert kb.landmark(a.landmark).id == a.landmark
            if a.felt_directly:
                assert kb.landmark(a.landmark).palpable, (m.id, a.landmark)


def test_regions_file_covers_every_contract_region(kb):
    assert tuple(r.code for r in kb.regions) == REGION_CODES
    for r in kb.regions:
        assert r.name and r.description and r.view in ("front", "back", "side")
    assert not kb.region("top_of_head").side_applies
    assert not kb.region("between_shoulder_blades").side_applies
    assert kb.region("temple").side_applies
    assert kb.region("medial_border_scapula").side_applies


def test_landmarks_file_covers_docs_landmarks_md(kb):
    """LANDMARK_IDS and landmarks.yaml agree with the table shared with the model file."""
    ids, bilateral = [], {}
    for line in (REPO / "docs" / "landmarks.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("id", "---"):
            continue
        ranged = re.fullmatch(r"([ct])N_(\w+) \(N = (\d+)\.\.(\d+)\)", cells[0])
        names = ([f"{ranged[1]}{n}_{ranged[2]}" for n in range(int(ranged[3]), int(ranged[4]) + 1)]
                 if ranged else [cells[0]])
        for name in names:
            ids.append(name)
            bilateral[name] = cells[2] == "yes"
    assert len(ids) == 79
    assert sorted(ids) == sorted(LANDMARK_IDS)
    assert tuple(lm.id for lm in kb.landmarks) == LANDMARK_IDS
    for lm in kb.landmarks:
        assert lm.bilateral == bilateral[lm.id], lm.id
        assert lm.name and lm.find_it


def test_landmarks_that_cannot_be_felt_say_so(kb):
    for lm in kb.landmarks:
        if not lm.palpable:
            assert re.search(r"cannot be felt|not felt|too deep", lm.find_it, re.I), lm.id
    for lid in ("c2_body_anterior", "c1_anterior_tubercle", "basilar_occiput", "t1_body_anterior"):
        assert not kb.landmark(lid).palpable
    for lid in ("c7_spinous_process", "mastoid_process", "acromion", "superior_angle", "coracoid_process"):
        assert kb.landmark(lid).palpable


@pytest.mark.skipif(not CONTRACT.exists(), reason="contract README not available")
def test_code_lists_are_copied_exactly_from_the_contract():
    text = CONTRACT.read_text(encoding="utf-8")

    def listed(label: str) -> tuple[str, ...]:
        start = text.index(label) + len(label)
        body = text[start:].lstrip()
        paragraph = body[: body.index("\n\n")]
        return tuple(t for t in re.findall(r"`([a-z0-9_]+)`", paragraph))

    assert listed("Region codes (pain map and tender points):") == REGION_CODES
    assert listed("History codes:") == HISTORY_CODES
    assert listed("Symptom codes:") == SYMPTOM_CODES
    assert listed("Movement codes (active movements the person tries):") == MOVEMENT_CODES
    assert listed("Muscle ids (lower-case, underscores):") == MUSCLE_IDS
    assert set(listed("Groups (accepted wherever a muscle id is, and used in reports):")) == set(GROUPS)

    posture = []
    for line in text.splitlines():
        m = re.match(r"\| `(\w+)`( / `(_\w+)`)? \|", line)
        if m:
            posture.append(m[1])
            if m[3]:
                posture.append(m[1].rsplit("_", 1)[0] + m[3])
    assert tuple(posture) == POSTURE_VARIABLES
    assert SIDES == ("left", "right")


# --------------------------------------------------------------------------- deep muscles


@pytest.mark.parametrize("muscle_id", DEEP_MUSCLES)
def test_deep_muscle_ends_are_honestly_not_palpable(kb, muscle_id):
    m = kb.muscle(muscle_id)
    for a in m.attachments:
        assert not a.felt_directly, (muscle_id, a.landmark)
        assert re.search(r"cannot be felt", a.find_it, re.I), (muscle_id, a.landmark)


@pytest.mark.parametrize("muscle_id", ["longus_colli", "longus_capitis"])
def test_front_deep_flexors_are_worked_by_position_only(kb, muscle_id):
    m = kb.muscle(muscle_id)
    assert m.palpation.pressure == "light"
    assert any("position only" in c for c in m.cautions)
    assert any("throat" in c for c in m.cautions)


def test_cautions_name_the_structures_at_risk(kb):
    def cautions(mid: str) -> str:
        return " ".join(kb.muscle(mid).cautions).lower()

    assert "carotid" in cautions("sternocleidomastoid")
    for mid in GROUPS["suboccipitals"]:
        assert "vertebral artery" in cautions(mid) and "dizzy" in cautions(mid)
    assert "nerves to the arm" in cautions("anterior_scalene") and "tingling" in cautions("anterior_scalene")
    assert "stop" in cautions("anterior_scalene")
    assert kb.muscle("anterior_scalene").palpation.pressure == "light"


# --------------------------------------------------------------------------- mirror rule


@pytest.mark.parametrize("muscle_id", MUSCLE_IDS)
def test_left_muscle_mirrors_the_right_one(kb, muscle_id):
    stated = kb.muscle(muscle_id).actions
    right = kb.actions(muscle_id, "right")
    left = kb.actions(muscle_id, "left")
    assert len(stated) == len(right) == len(left)
    for s, r, l in zip(stated, right, left):
        assert r.side == "right" and l.side == "left"
        assert r.variable in POSTURE_VARIABLES and l.variable in POSTURE_VARIABLES
        assert r.strength == l.strength == s.strength
        assert r.sign == s.sign  # stated actions are the right muscle's
        if s.variable.startswith("scapula_"):
            assert r.variable == f"{s.variable}_right"
            assert l.variable == f"{s.variable}_left"
            assert l.sign == r.sign
        elif s.variable in ("neck_side_bend", "neck_rotation"):
            assert r.variable == l.variable == s.variable
            assert l.sign == -r.sign
        else:
            assert r.variable == l.variable == s.variable
            assert l.sign == r.sign


def test_mirror_rule_on_a_worked_example(kb):
    # Contract section 5: the left levator scapulae is slackened by side bend to the LEFT
    # (negative) and by raising the LEFT shoulder blade.
    assert sign_of(kb, "levator_scapulae", "left", "neck_side_bend") == -1
    assert sign_of(kb, "levator_scapulae", "left", "neck_rotation") == -1
    assert sign_of(kb, "levator_scapulae", "left", "scapula_elevation_left") == 1
    assert sign_of(kb, "levator_scapulae", "left", "scapula_elevation_right") is None
    assert sign_of(kb, "sternocleidomastoid", "left", "neck_rotation") == 1
    assert sign_of(kb, "sternocleidomastoid", "left", "neck_flexion") == 1


def test_unknown_side_is_refused(kb):
    with pytest.raises(UnknownNameError) as err:
        kb.actions("levator_scapulae", "middle")
    assert "left" in str(err.value) and "right" in str(err.value)
    assert err.value.field == "side"


# --------------------------------------------------------------------------- anatomy spot checks


def test_sternocleidomastoid_signs(kb):
    assert sign_of(kb, "sternocleidomastoid", "right", "neck_rotation") == -1  # turns the face away
    assert sign_of(kb, "sternocleidomastoid", "right", "neck_side_bend") == 1
    assert sign_of(kb, "sternocleidomastoid", "right", "neck_flexion") == 1
    assert set(kb.muscle("sternocleidomastoid").pain.referral) >= {"forehead_eye", "behind_ear", "top_of_head", "jaw"}


def test_levator_scapulae_signs_and_pain(kb):
    assert sign_of(kb, "levator_scapulae", "right", "scapula_upward_rotation_right") == -1
    assert sign_of(kb, "levator_scapulae", "right", "scapula_elevation_right") == 1
    assert sign_of(kb, "levator_scapulae", "right", "neck_rotation") == 1  # same-side rotation
    assert sign_of(kb, "levator_scapulae", "right", "neck_side_bend") == 1
    m = kb.muscle("levator_scapulae")
    assert {"neck_shoulder_junction", "superior_angle_scapula"} <= set(m.pain.referral)
    assert "superior_angle_scapula" in m.tender_points
    assert {a.landmark for a in m.insertion} == {"superior_angle", "medial_border_upper"}


def test_upper_trapezius_signs_and_pain(kb):
    assert sign_of(kb, "upper_trapezius", "right", "scapula_elevation_right") == 1
    assert sign_of(kb, "upper_trapezius", "right", "scapula_upward_rotation_right") == 1
    assert sign_of(kb, "upper_trapezius", "right", "neck_side_bend") == 1
    assert sign_of(kb, "upper_trapezius", "right", "neck_rotation") == -1  # opposite-side rotation
    assert "temple" in kb.muscle("upper_trapezius").pain.referral
    assert "behind_ear" in kb.muscle("upper_trapezius").pain.referral


def test_scapular_muscles_pull_the_right_way(kb):
    assert sign_of(kb, "lower_trapezius", "right", "scapula_elevation_right") == -1
    assert sign_of(kb, "lower_trapezius", "right", "scapula_upward_rotation_right") == 1
    assert sign_of(kb, "middle_trapezius", "right", "scapula_retraction_right") == 1
    for rhomboid in GROUPS["rhomboids"]:
        assert sign_of(kb, rhomboid, "right", "scapula_retraction_right") == 1
        assert sign_of(kb, rhomboid, "right", "scapula_upward_rotation_right") == -1
    assert sign_of(kb, "pectoralis_minor", "right", "scapula_retraction_right") == -1
    assert sign_of(kb, "pectoralis_minor", "right", "scapula_elevation_right") == -1
    assert sign_of(kb, "pectoralis_minor", "right", "scapula_upward_rotation_right") == -1


def test_neck_muscles_rotate_the_right_way(kb):
    # Same-side rotators versus opposite-side rotators: a classic place for a sign error.
    for same_side in ("splenius_capitis", "splenius_cervicis", "rectus_capitis_posterior_major",
                      "obliquus_capitis_inferior", "levator_scapulae"):
        assert sign_of(kb, same_side, "right", "neck_rotation") == 1, same_side
    for opposite in ("sternocleidomastoid", "upper_trapezius", "semispinalis_capitis",
                     "semispinalis_cervicis", "cervical_multifidus", "anterior_scalene"):
        assert sign_of(kb, opposite, "right", "neck_rotation") == -1, opposite


def test_flexors_and_extensors(kb):
    for extensor in ("splenius_capitis", "semispinalis_capitis", "semispinalis_cervicis",
                     "cervical_multifidus", "upper_trapezius", "longissimus_capitis"):
        assert sign_of(kb, extensor, "right", "neck_flexion") == -1, extensor
    for flexor in ("longus_colli", "anterior_scalene", "sternocleidomastoid"):
        assert sign_of(kb, flexor, "right", "neck_flexion") == 1, flexor
    assert sign_of(kb, "longus_capitis", "right", "head_nod") == 1
    for mid in GROUPS["suboccipitals"]:
        if mid != "obliquus_capitis_inferior":  # it does not reach the skull
            assert sign_of(kb, mid, "right", "head_nod") == -1, mid
    assert sign_of(kb, "obliquus_capitis_inferior", "right", "head_nod") is None


def test_every_side_bending_muscle_bends_to_its_own_side(kb):
    for m in kb.muscles:
        s = sign_of(kb, m.id, "right", "neck_side_bend")
        assert s in (None, 1), m.id


def test_primary_actions_are_the_textbook_ones(kb):
    primary = {(a.variable, a.sign) for a in kb.muscle("levator_scapulae").actions if a.primary}
    assert primary == {("scapula_elevation", 1), ("scapula_upward_rotation", -1),
                       ("neck_side_bend", 1), ("neck_rotation", 1)}
    strengths = {a.variable: a.strength for a in kb.muscle("sternocleidomastoid").actions}
    assert strengths["head_nod"] == "secondary"


def test_referral_lookups(kb):
    temple = kb.muscles_referring_to("temple")
    assert "upper_trapezius" in temple and "semispinalis_capitis" in temple
    arm = kb.muscles_referring_to("forearm_hand")
    assert set(GROUPS["scalenes"]) <= set(arm) and "pectoralis_minor" in arm
    assert list(temple) == [m for m in MUSCLE_IDS if m in temple]  # contract order
    local = kb.muscles_referring_to("anterior_neck", include_local=True)
    assert {"sternocleidomastoid", "longus_colli", "longus_capitis"} <= set(local)
    assert "levator_scapulae" in kb.muscles_tender_at("superior_angle_scapula")
    with pytest.raises(UnknownNameError):
        kb.muscles_referring_to("elbow")


def test_established_pain_patterns_cite_travell_and_simons(kb):
    for m in kb.muscles:
        if m.pain.evidence == "established":
            assert any("Travell" in s for s in m.sources), m.id
        assert any("Gray's Anatomy" in s for s in m.sources), m.id


# --------------------------------------------------------------------------- API


def test_group_expansion(kb):
    assert kb.expand("scalenes") == ("anterior_scalene", "middle_scalene", "posterior_scalene")
    assert kb.expand("rhomboids") == ("rhomboid_major", "rhomboid_minor")
    assert kb.expand("trapezius") == ("upper_trapezius", "middle_trapezius", "lower_trapezius")
    assert kb.expand("suboccipitals") == (
        "rectus_capitis_posterior_major",
        "rectus_capitis_posterior_minor",
        "obliquus_capitis_superior",
        "obliquus_capitis_inferior",
    )
    assert kb.expand("levator_scapulae") == ("levator_scapulae",)
    with pytest.raises(UnknownNameError) as err:
        kb.expand("neck_muscles")
    assert "scalenes" in str(err.value) and "levator_scapulae" in str(err.value)


def test_unknown_muscle_error_lists_valid_ids(kb):
    with pytest.raises(UnknownNameError) as err:
        kb.muscle("levator_scapula")
    message = str(err.value)
    assert isinstance(err.value, RelieveError)
    assert err.value.field == "muscle"
    assert "levator_scapula'" in message
    assert "did you mean 'levator_scapulae'" in message
    for mid in MUSCLE_IDS:
        assert mid in message


def test_unknown_region_and_landmark(kb):
    with pytest.raises(UnknownNameError, match="valid: top_of_head"):
        kb.region("shoulder")
    with pytest.raises(UnknownNameError, match="c7_spinous_process"):
        kb.landmark("c8_spinous_process")


def test_facts_are_immutable(kb):
    with pytest.raises(dataclasses.FrozenInstanceError):
        kb.muscle("upper_trapezius").common_name = "x"
    with pytest.raises(TypeError):
        kb.sources["grays"] = "x"


def test_packaged_knowledge_base_is_built_once():
    knowledge_base.cache_clear()
    first = knowledge_base()
    assert knowledge_base() is first
    assert load_knowledge_base() is not first
    assert load_knowledge_base().muscle("pectoralis_minor") == first.muscle("pectoralis_minor")


# --------------------------------------------------------------------------- validation at load


def broken(mutate) -> str:
    """Apply ``mutate`` to fresh documents and return the error message of the load."""
    docs = raw_documents()
    mutate(*docs)
    with pytest.raises(ModelError) as err:
        KnowledgeBase.from_documents(*docs)
    return str(err.value)


def test_valid_documents_load():
    assert KnowledgeBase.from_documents(*raw_documents()).muscle_ids == MUSCLE_IDS


def test_unknown_region_code_names_file_and_entry():
    def mutate(muscles, regions, landmarks):
        muscles["muscles"]["levator_scapulae"]["pain"]["referral"].append("elbow")

    message = broken(mutate)
    assert message.startswith("muscles.yaml:muscles.levator_scapulae.pain.referral[")
    assert "'elbow'" in message and "top_of_head" in message


def test_unknown_landmark_names_file_and_entry():
    def mutate(muscles, regions, landmarks):
        muscles["muscles"]["upper_trapezius"]["insertion"][0]["landmark"] = "clavicle_outer"

    message = broken(mutate)
    assert "muscles.yaml:muscles.upper_trapezius.insertion[0].landmark" in message
    assert "'clavicle_outer'" in message


def test_unknown_history_code_is_refused():
    def mutate(muscles, regions, landmarks):
        muscles["muscles"]["rhomboid_major"]["causes"] = ["bad_posture"]

    assert "muscles.rhomboid_major.causes[0]" in broken(mutate)


def test_missing_or_extra_muscle_is_refused():
    def drop(muscles, regions, landmarks):
        del muscles["muscles"]["longus_capitis"]

    def add(muscles, regions, landmarks):
        muscles["muscles"]["serratus_anterior"] = copy.deepcopy(muscles["muscles"]["rhomboid_major"])

    assert "longus_capitis" in broken(drop)
    assert "serratus_anterior" in broken(add)


def test_bad_action_is_refused():
    def bad_sign(muscles, regions, landmarks):
        muscles["muscles"]["sternocleidomastoid"]["actions"][0]["sign"] = 2

    def bad_variable(muscles, regions, landmarks):
        muscles["muscles"]["sternocleidomastoid"]["actions"][0]["variable"] = "scapula_elevation_left"

    assert "actions[0].sign" in broken(bad_sign)
    assert "actions[0].variable" in broken(bad_variable)


def test_inconsistent_entries_are_refused():
    def felt_but_deep(muscles, regions, landmarks):
        muscles["muscles"]["longus_capitis"]["insertion"][0]["felt_directly"] = True

    def wrong_group(muscles, regions, landmarks):
        muscles["muscles"]["levator_scapulae"]["group"] = "scalenes"

    def misspelt_key(muscles, regions, landmarks):
        entry = muscles["muscles"]["middle_scalene"]
        entry["neighbors"] = entry.pop("neighbours")

    def empty_cautions(muscles, regions, landmarks):
        muscles["muscles"]["middle_scalene"]["cautions"] = []

    def missing_region(muscles, regions, landmarks):
        del regions["regions"]["jaw"]

    def bad_landmark_flag(muscles, regions, landmarks):
        landmarks["landmarks"]["acromion"]["palpable"] = "yes"

    assert "longus_capitis.insertion[0].felt_directly" in broken(felt_but_deep)
    assert "levator_scapulae.group" in broken(wrong_group)
    assert "neighbors" in broken(misspelt_key)
    assert "middle_scalene.cautions" in broken(empty_cautions)
    assert broken(missing_region).startswith("regions.yaml:")
    assert "landmarks.yaml:landmarks.acromion.palpable" in broken(bad_landmark_flag)
