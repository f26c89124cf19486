"""Typed models of the public contract's documents (shared/contract/README.md).

``Findings`` (section 3) validates what a person reports; ``AssessmentDocument``
(section 4) and ``PlanDocument`` (section 5) describe what ``relieve`` answers.
``schema(name)`` is the published JSON schema of each (``relieve schema NAME``).
"""

from __future__ import annotations

from ..errors import UnknownNameError
from .documents import AssessmentDocument, PlanDocument, Refer
from .findings import Findings, HeadPosture, MovementFinding, RegionFinding, parse_findings

DOCUMENTS = {"findings": Findings, "assessment": AssessmentDocument, "plan": PlanDocument}


def schema(name: str) -> dict:
    """The JSON schema of one contract document: ``findings``, ``assessment`` or ``plan``."""
    if name not in DOCUMENTS:
        raise UnknownNameError(f"unknown document {name!r}; valid: {', '.join(DOCUMENTS)}", field="document")
    out = DOCUMENTS[name].model_json_schema()
    out["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return out


__all__ = [
    "DOCUMENTS",
    "AssessmentDocument",
    "Findings",
    "HeadPosture",
    "MovementFinding",
    "PlanDocument",
    "Refer",
    "RegionFinding",
    "parse_findings",
    "schema",
]
