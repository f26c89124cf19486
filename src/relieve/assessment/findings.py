"""Findings, the validated input of an assessment: the contract model (``relieve.contract``)."""

from ..contract.findings import (
    AGE_MAX,
    AGE_MIN,
    PAIN_MAX,
    PAIN_MIN,
    Findings,
    HeadPosture,
    MovementFinding,
    RegionFinding,
    parse_findings,
)

__all__ = [
    "AGE_MAX",
    "AGE_MIN",
    "PAIN_MAX",
    "PAIN_MIN",
    "Findings",
    "HeadPosture",
    "MovementFinding",
    "RegionFinding",
    "parse_findings",
]
