"""Anatomy knowledge: muscle facts, pain-map regions, bony landmarks and the contract's codes.

>>> from relieve.anatomy import knowledge_base
>>> kb = knowledge_base()
>>> kb.muscle("levator_scapulae").pain.referral[:2]
('neck_shoulder_junction', 'superior_angle_scapula')
>>> [(a.variable, a.sign) for a in kb.actions("levator_scapulae", "left")][:2]
[('scapula_elevation_left', 1), ('scapula_upward_rotation_left', -1)]
"""

from ._knowledge import (
    Attachment,
    KnowledgeBase,
    Landmark,
    MuscleFacts,
    Pain,
    Palpation,
    Region,
    SidedAction,
    StatedAction,
    knowledge_base,
    load_knowledge_base,
)
from ..vocabulary import (
    ACTION_VARIABLES,
    GROUPS,
    HISTORY_CODES,
    LANDMARK_IDS,
    MOVEMENT_CODES,
    MUSCLE_IDS,
    ONSET_CODES,
    PAIN_SIDES,
    POSTURE_VARIABLES,
    REGION_CODES,
    REGION_SIDES,
    SIDES,
    SYMPTOM_CODES,
)

__all__ = [
    "ACTION_VARIABLES",
    "GROUPS",
    "HISTORY_CODES",
    "LANDMARK_IDS",
    "MOVEMENT_CODES",
    "MUSCLE_IDS",
    "ONSET_CODES",
    "PAIN_SIDES",
    "POSTURE_VARIABLES",
    "REGION_CODES",
    "REGION_SIDES",
    "SIDES",
    "SYMPTOM_CODES",
    "Attachment",
    "KnowledgeBase",
    "Landmark",
    "MuscleFacts",
    "Pain",
    "Palpation",
    "Region",
    "SidedAction",
    "StatedAction",
    "knowledge_base",
    "load_knowledge_base",
]
