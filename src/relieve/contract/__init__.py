"""Typed models of the public contract's documents (shared/contract/README.md).

``Findings`` (section 3) validates what a person reports; ``AssessmentDocument``
(section 4) and ``PlanDocument`` (section 5) describe what ``relieve`` answers.
``schema(name)`` is the published JSON schema of each (``relieve schema NAME``).
"""

from __future__ import annotations

from .._input import shown
from .._lazy import lazy_exports
from ..errors import UnknownNameError
from .findings import Findings, HeadPosture, MovementFinding, RegionFinding, parse_findings

# The answer models are needed for schemas and checks, not to read findings: loaded on use.
__getattr__, __dir__ = lazy_exports(globals(), dict.fromkeys(("AssessmentDocument", "PlanDocument", "Refer"), ".documents"))

DOCUMENTS = ("findings", "assessment", "plan")


def schema(name: str) -> dict:
    """The JSON schema of one contract document: ``findings``, ``assessment`` or ``plan``."""
    from . import documents

    models = {"findings": Findings, "assessment": documents.AssessmentDocument, "plan": documents.PlanDocument}
    if not isinstance(name, str) or name not in models:
        raise UnknownNameError(f"unknown document {shown(name)}; valid: {', '.join(DOCUMENTS)}", field="document")
    out = models[name].model_json_schema()
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
