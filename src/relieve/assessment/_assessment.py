"""``assess``: the whole assessment. Triage FIRST; only when self-treatment is safe,
identify the muscle.

``Assessment.to_contract()`` is exactly the contract section 4 object (status,
refer, candidates); ``Assessment.to_dict()`` adds, beside it, what a person should
also see: the cautions, how sure the guess is, and that it is not a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .findings import Findings, parse_findings
from .identify import Candidate, Identification, identify
from .triage import TriageResult, refer_payload, triage

NOTICE = (
    "This is information to guide gentle self-care, not a diagnosis. It ranks the "
    "muscles that best fit what you reported; if the pain is severe, keeps coming "
    "back, or comes with other symptoms, see a doctor or physiotherapist."
)


@dataclass(frozen=True)
class Assessment:
    """The result of one assessment: the triage answer and, if safe, the candidates."""

    findings: Findings
    triage: TriageResult
    identification: Identification | None  # None when triage refers

    @property
    def status(self) -> str:
        return self.triage.status

    @property
    def refer(self) -> dict[str, Any] | None:
        return refer_payload(self.triage)

    @property
    def candidates(self) -> tuple[Candidate, ...]:
        return self.identification.candidates if self.identification is not None else ()

    def to_contract(self) -> dict[str, Any]:
        """Exactly the contract section 4 object."""
        return {
            "status": self.status,
            "refer": self.refer,
            "candidates": [c.to_contract() for c in self.candidates],
        }

    def to_dict(self) -> dict[str, Any]:
        """The contract object plus the extra fields beside it."""
        out = self.to_contract()
        out["candidates"] = [c.to_dict() for c in self.candidates]
        ident = self.identification
        out["not_identified"] = ident.not_identified if ident is not None else None
        out["confidence"] = ident.confidence if ident is not None else None
        out["confidence_factor"] = self.triage.confidence_factor
        out["cautions"] = list(self.triage.cautions)
        out["notice"] = NOTICE
        return out


def assess(findings: Findings | dict | str) -> Assessment:
    """Assess findings (a ``Findings``, a findings dict or JSON text).

    Triage runs first: when it refers, there are no candidates (and so no plan).
    Invalid findings raise ``ValidationError`` naming every bad field.
    """
    if not isinstance(findings, Findings):
        findings = parse_findings(findings)
    gate = triage(findings)
    if gate.status == "refer":
        return Assessment(findings, gate, None)
    return Assessment(findings, gate, identify(findings, gate.confidence_factor))


__all__ = ["Assessment", "NOTICE", "assess"]
