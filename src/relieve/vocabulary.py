"""The bottom layer: the public contract's codes and the facts about posture variables.

Everything else (``model``, ``anatomy``, ``assess``, ``techniques``, ``figures``, the
front ends) reads these instead of spelling codes or testing name prefixes, so a
misspelt name fails loudly at import time instead of silently never matching.
The code lists are copied exactly from the contract (shared/contract/README.md), in
its order. ``LANDMARK_IDS`` mirrors docs/landmarks.md (the vocabulary shared with the
model file), with the ``cN_`` / ``tN_`` ranges expanded.

This module imports nothing from the package but its exception family: every arrow
points down to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .errors import UnknownNameError

# --------------------------------------------------------------- section 1: posture

# Whole-body posture variables, in the contract's table order (degrees).
POSTURE_VARIABLES: tuple[str, ...] = (
    "neck_flexion",
    "neck_side_bend",
    "neck_rotation",
    "head_nod",
    "scapula_elevation_left",
    "scapula_elevation_right",
    "scapula_retraction_left",
    "scapula_retraction_right",
    "scapula_upward_rotation_left",
    "scapula_upward_rotation_right",
    "thoracic_flexion",
)


# The same variables without the side suffix, as a muscle's stated actions use them.
ACTION_VARIABLES: tuple[str, ...] = (
    "neck_flexion",
    "neck_side_bend",
    "neck_rotation",
    "head_nod",
    "scapula_elevation",
    "scapula_retraction",
    "scapula_upward_rotation",
    "thoracic_flexion",
)

SIDES: tuple[str, ...] = ("left", "right")


@dataclass(frozen=True)
class PostureVariable:
    """What the rest of the package needs to know about one posture variable.

    ``part``: ``neck`` (moves the head and neck), ``shoulder_blade`` or ``upper_back``.
    ``side``: the shoulder blade's side for the scapular variables, else None.
    ``base``: the name without its side (as a muscle's stated actions use it).
    ``mirror``: the variable that plays its part in the mirror image, and
    ``mirror_sign`` the factor its value takes there (side bend and rotation change
    sign; the two shoulder blades swap).
    ``bone``: what the movement visibly moves (``head``, ``scapula``, ``chest``).
    """

    name: str
    base: str
    part: str
    side: str | None
    mirror: str
    mirror_sign: int
    bone: str

    @property
    def is_neck(self) -> bool:
        return self.part == "neck"

    @property
    def is_scapular(self) -> bool:
        return self.part == "shoulder_blade"

    def belongs_to(self, sides) -> bool:
        """True unless it moves a shoulder blade of a side not in ``sides``."""
        return self.side is None or self.side in sides


def _variable_table() -> dict[str, PostureVariable]:
    table: dict[str, PostureVariable] = {}
    for name, mirror_sign in (("neck_flexion", 1), ("neck_side_bend", -1), ("neck_rotation", -1), ("head_nod", 1)):
        table[name] = PostureVariable(name, name, "neck", None, name, mirror_sign, "head")
    for base in ("scapula_elevation", "scapula_retraction", "scapula_upward_rotation"):
        for side, other in (("left", "right"), ("right", "left")):
            name = f"{base}_{side}"
            table[name] = PostureVariable(name, base, "shoulder_blade", side, f"{base}_{other}", 1, "scapula")
    table["thoracic_flexion"] = PostureVariable("thoracic_flexion", "thoracic_flexion", "upper_back", None, "thoracic_flexion", 1, "chest")
    return table


_TABLE = _variable_table()
# One entry per posture variable, in the contract's order.
VARIABLES: MappingProxyType[str, PostureVariable] = MappingProxyType({v: _TABLE[v] for v in POSTURE_VARIABLES})

# The variables that move the head and neck (the rest move the shoulder girdle and upper back).
NECK_VARIABLES: tuple[str, ...] = tuple(v for v, f in VARIABLES.items() if f.is_neck)
# Side-less variables whose sign flips between a left and a right muscle (mirror image).
MIRRORED_VARIABLES: tuple[str, ...] = tuple(v for v, f in VARIABLES.items() if f.mirror_sign < 0)
# Side-less names of the variables that belong to one shoulder blade.
SIDED_VARIABLES: tuple[str, ...] = tuple(dict.fromkeys(f.base for f in VARIABLES.values() if f.side))


def variable(name: str) -> PostureVariable:
    """The facts of one posture variable; ``KeyError`` for an unknown name."""
    return VARIABLES[name]


def check_side(side, field: str = "side") -> str:
    """``side`` itself when it is ``left`` or ``right``; else an error naming the field."""
    if side not in SIDES:
        shown = side if isinstance(side, str) and len(side) <= 40 else "that value"
        raise UnknownNameError(f"unknown side {shown!r}; valid: {', '.join(SIDES)}", field=field)
    return side


def other_side(side: str) -> str:
    return "right" if side == "left" else "left"


# --------------------------------------------------------------- section 2: muscles

MUSCLE_IDS: tuple[str, ...] = (
    "sternocleidomastoid",
    "upper_trapezius",
    "middle_trapezius",
    "lower_trapezius",
    "levator_scapulae",
    "anterior_scalene",
    "middle_scalene",
    "posterior_scalene",
    "splenius_capitis",
    "splenius_cervicis",
    "semispinalis_capitis",
    "semispinalis_cervicis",
    "longissimus_capitis",
    "rectus_capitis_posterior_major",
    "rectus_capitis_posterior_minor",
    "obliquus_capitis_superior",
    "obliquus_capitis_inferior",
    "longus_colli",
    "longus_capitis",
    "rhomboid_major",
    "rhomboid_minor",
    "pectoralis_minor",
    "cervical_multifidus",
)

GROUPS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "suboccipitals": (
            "rectus_capitis_posterior_major",
            "rectus_capitis_posterior_minor",
            "obliquus_capitis_superior",
            "obliquus_capitis_inferior",
        ),
        "scalenes": ("anterior_scalene", "middle_scalene", "posterior_scalene"),
        "rhomboids": ("rhomboid_major", "rhomboid_minor"),
        "trapezius": ("upper_trapezius", "middle_trapezius", "lower_trapezius"),
    }
)

# --------------------------------------------------------------- section 3: findings

ONSET_CODES: tuple[str, ...] = ("sudden", "gradual", "on_waking")

# `side` of a pain region or tender point.
REGION_SIDES: tuple[str, ...] = ("left", "right", "midline")

# `pain_side` of a movement.
PAIN_SIDES: tuple[str, ...] = ("left", "right", "both", "midline")

MOVEMENT_CODES: tuple[str, ...] = (
    "flexion",
    "extension",
    "side_bend_left",
    "side_bend_right",
    "rotation_left",
    "rotation_right",
    "chin_tuck",
    "shrug_left",
    "shrug_right",
    "squeeze_shoulder_blades",
    "reach_forward_left",
    "reach_forward_right",
    "arm_overhead_left",
    "arm_overhead_right",
)

REGION_CODES: tuple[str, ...] = (
    "top_of_head",
    "forehead_eye",
    "temple",
    "behind_ear",
    "jaw",
    "occiput",
    "posterior_neck_upper",
    "posterior_neck_lower",
    "lateral_neck",
    "anterior_neck",
    "neck_shoulder_junction",
    "top_of_shoulder",
    "superior_angle_scapula",
    "medial_border_scapula",
    "between_shoulder_blades",
    "upper_chest",
    "front_of_shoulder",
    "upper_arm",
    "forearm_hand",
)

HISTORY_CODES: tuple[str, ...] = (
    "sustained_posture",
    "repetitive_motion",
    "slept_awkwardly",
    "sports_strain",
    "emotional_stress",
    "carrying_load",
    "car_accident",
    "fall",
    "blow_to_head_or_neck",
    "diving_or_axial_load",
    "recent_neck_manipulation",
    "history_of_cancer",
    "osteoporosis",
    "long_term_steroids",
    "inflammatory_arthritis",
    "recent_infection",
    "immunosuppressed",
    "iv_drug_use",
    "anticoagulants",
    "recent_neck_surgery",
    "pregnancy",
)

# Qualifiers refine a red-flag rule that depends on them (true, false or null = unknown).
# The first four are the contract's examples; the rest were added the same way, each
# with its question and source in assess/data/red_flags.yaml (`qualifiers`).
QUALIFIER_CODES: tuple[str, ...] = (
    "headache_new_or_different",
    "jaw_pain_on_chewing",
    "scalp_tenderness",
    "visual_disturbance",
    "dangerous_mechanism",
    "night_pain_not_eased_by_position",
    "arm_weakness_progressive",
    "exertion_pain_last_12_hours",
)

SYMPTOM_CODES: tuple[str, ...] = (
    "fever",
    "unexplained_weight_loss",
    "night_pain_unrelieved_by_rest",
    "sudden_severe_headache",
    "headache",
    "dizziness",
    "double_vision",
    "drop_attacks",
    "difficulty_speaking",
    "difficulty_swallowing",
    "nausea_vomiting",
    "facial_numbness",
    "light_sensitivity",
    "unsteady_walking",
    "hand_clumsiness",
    "numbness_both_arms",
    "numbness_one_arm",
    "tingling_one_arm",
    "arm_weakness",
    "arm_pain_radiating",
    "bladder_or_bowel_changes",
    "chest_pain",
    "shortness_of_breath",
    "pain_on_exertion",
    "jaw_pain",
)

# --------------------------------------------------------------- docs/landmarks.md


def _levels(template: str, prefix: str, first: int, last: int) -> tuple[str, ...]:
    return tuple(template.format(f"{prefix}{n}") for n in range(first, last + 1))


LANDMARK_IDS: tuple[str, ...] = (
    "external_occipital_protuberance",
    "superior_nuchal_line_medial",
    "superior_nuchal_line_lateral",
    "inferior_nuchal_line_medial",
    "inferior_nuchal_line_lateral",
    "occipital_between_nuchal_lines",
    "mastoid_process",
    "basilar_occiput",
    "c1_transverse_process",
    "c1_posterior_tubercle",
    "c1_anterior_tubercle",
    *_levels("{}_spinous_process", "c", 2, 7),
    *_levels("{}_transverse_process_anterior", "c", 2, 7),
    *_levels("{}_transverse_process_posterior", "c", 2, 7),
    *_levels("{}_articular_process", "c", 2, 7),
    *_levels("{}_body_anterior", "c", 2, 7),
    *_levels("{}_spinous_process", "t", 1, 12),
    *_levels("{}_transverse_process", "t", 1, 6),
    *_levels("{}_body_anterior", "t", 1, 3),
    "manubrium",
    "first_rib_scalene_tubercle",
    "first_rib_posterior",
    "second_rib_lateral",
    "third_rib_anterior",
    "fourth_rib_anterior",
    "fifth_rib_anterior",
    "clavicle_medial_third",
    "clavicle_lateral_third",
    "acromion",
    "scapular_spine",
    "scapular_spine_root",
    "superior_angle",
    "medial_border_upper",
    "medial_border_lower",
    "inferior_angle",
    "coracoid_process",
)

__all__ = [
    "ACTION_VARIABLES",
    "GROUPS",
    "HISTORY_CODES",
    "LANDMARK_IDS",
    "MIRRORED_VARIABLES",
    "MOVEMENT_CODES",
    "MUSCLE_IDS",
    "NECK_VARIABLES",
    "ONSET_CODES",
    "PAIN_SIDES",
    "POSTURE_VARIABLES",
    "QUALIFIER_CODES",
    "REGION_CODES",
    "REGION_SIDES",
    "SIDED_VARIABLES",
    "SIDES",
    "SYMPTOM_CODES",
    "VARIABLES",
    "PostureVariable",
    "check_side",
    "other_side",
    "variable",
]
