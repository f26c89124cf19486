"""Assessment: validate the findings, then decide whether self-treatment is safe.

``parse_findings`` checks a findings document (contract section 3) and returns an
immutable ``Findings``; ``triage`` runs the red-flag rules of
``data/red_flags.yaml`` over it; ``refer_payload`` gives the contract section 4
``refer`` object. ``next_question`` gives the next question to ask: a red-flag
follow-up whose answer could change triage's answer first, then the most
informative test movement, or None.
"""

from ._assessment import NOTICE, Assessment, assess
from .findings import Findings, HeadPosture, MovementFinding, RegionFinding, parse_findings
from .identify import Candidate, Identification, Identifier
from .adaptive import NextQuestion, next_question
from .triage import (
    URGENCIES,
    FiredRule,
    OpenQuestion,
    Qualifier,
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
    "OpenQuestion",
    "Qualifier",
    "NextQuestion",
    "RegionFinding",
    "RuleBook",
    "TriageResult",
    "default_rules",
    "next_question",
    "parse_findings",
    "parse_rules",
    "refer_payload",
    "triage",
]
