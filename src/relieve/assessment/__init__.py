"""Assessment: validate the findings, then decide whether self-treatment is safe.

``parse_findings`` checks a findings document (contract section 3) and returns an
immutable ``Findings``; ``triage`` runs the red-flag rules of
``data/red_flags.yaml`` over it; ``refer_payload`` gives the contract section 4
``refer`` object.
"""

from ._assessment import NOTICE, Assessment, assess
from .findings import Findings, HeadPosture, MovementFinding, RegionFinding, parse_findings
from .identify import Candidate, Identification, Identifier
from .triage import (
    URGENCIES,
    FiredRule,
    RuleBook,
    TriageResult,
    default_rules,
    parse_rules,
    refer_payload,
    triage,
)

__all__ = [
    "NOTICE",
    "Assessment",
    "Candidate",
    "Identification",
    "Identifier",
    "assess",
    "URGENCIES",
    "Findings",
    "FiredRule",
    "HeadPosture",
    "MovementFinding",
    "RegionFinding",
    "RuleBook",
    "TriageResult",
    "default_rules",
    "parse_findings",
    "parse_rules",
    "refer_payload",
    "triage",
]
