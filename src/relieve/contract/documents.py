"""The documents ``relieve`` answers with: assessment (contract section 4) and plan
(section 5). They publish the schema (``relieve schema assessment|plan``) and let a
test check every answer against it. Fields beyond the contract's are allowed, as the
contract allows adding them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..vocabulary import MUSCLE_IDS, POSTURE_VARIABLES, SIDES

MuscleId = Literal[MUSCLE_IDS]  # type: ignore[valid-type]
Side = Literal[SIDES]  # type: ignore[valid-type]
PostureVariable = Literal[POSTURE_VARIABLES]  # type: ignore[valid-type]
Posture = dict[PostureVariable, float]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


class Refer(_Answer):
    urgency: Literal["emergency", "urgent", "soon"]
    reasons: list[str] = Field(min_length=1)
    advice: str


class Candidate(_Answer):
    muscle: MuscleId
    side: Side
    probability: float = Field(ge=0, le=1)
    why: list[str]


class AssessmentDocument(_Answer):
    """Contract section 4: ``status`` ok with candidates, or refer with the reasons."""

    status: Literal["ok", "refer"]
    refer: Refer | None
    candidates: list[Candidate]


class AttachmentEntry(_Answer):
    landmark: str
    find_it: str


class Attachments(_Answer):
    origin: list[AttachmentEntry] = Field(min_length=1)
    insertion: list[AttachmentEntry] = Field(min_length=1)


class Technique(_Answer):
    length_change_pct: float
    steps: list[str]
    available: bool | None = None
    reason: str | None = None


class HeldTechnique(Technique):
    posture: Posture
    hold_seconds: float = Field(gt=0)


class Repositioning(Technique):
    posture: Posture


class StrainCounterstrain(Technique):
    resist_direction: dict[PostureVariable, Literal[-1, 0, 1]]
    stretch_posture: Posture


class Techniques(_Answer):
    muscle_shortening: HeldTechnique
    repositioning: Repositioning
    strain_counterstrain: StrainCounterstrain
    jones_counterstrain: HeldTechnique | None = None


class PlanDocument(_Answer):
    """Contract section 5: the techniques for one muscle-side."""

    muscle: MuscleId
    side: Side
    attachments: Attachments
    techniques: Techniques


__all__ = ["AssessmentDocument", "Candidate", "PlanDocument", "Refer"]
