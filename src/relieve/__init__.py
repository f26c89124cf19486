"""relieve: gentle, model-based self-care for neck and upper-back muscle spasm.

The package informs and guides; it does not diagnose. This module is the public API
that every front end (the CLI, the guided session, the web app) and a notebook call;
safety, validation and clinical rules live behind it, never in a front end::

    import relieve
    result = relieve.assess({"age": 41, "pain_regions": [...]})   # triage first
    result.to_contract()                                          # contract section 4
    q = relieve.next_question(findings)   # the next question to ask, or None
    p = relieve.plan([("levator_scapulae", "left")], findings=doc)
    p.to_contract()                                               # contract section 5
    # referring findings: relieve.plan raises relieve.ReferralRequired (.refer)

Names are loaded on first use, so ``import relieve`` stays light (a CLI call that
only prints an error does not load the model engine).
"""

from __future__ import annotations

from ._lazy import lazy_exports
from ._version import __version__
from .errors import ModelError, ReferralRequired, RelieveError, UnknownNameError, ValidationError

# public name -> the module that defines it
_LAZY = {
    "assess": "relieve.assessment",
    "Assessment": "relieve.assessment",
    "plan": "relieve.techniques",
    "Plan": "relieve.techniques",
    "muscles": "relieve.card",
    "muscle_card": "relieve.card",
    "load_model": "relieve.model",
    "default_model": "relieve.model",
    "Findings": "relieve.contract",
    "parse_findings": "relieve.contract",
    "AssessmentDocument": "relieve.contract",
    "PlanDocument": "relieve.contract",
    "schema": "relieve.contract",
    "next_question": "relieve.assessment",
}

__all__ = [
    "Assessment",
    "AssessmentDocument",
    "Findings",
    "ModelError",
    "Plan",
    "PlanDocument",
    "ReferralRequired",
    "RelieveError",
    "UnknownNameError",
    "ValidationError",
    "__version__",
    "assess",
    "default_model",
    "load_model",
    "muscle_card",
    "muscles",
    "next_question",
    "parse_findings",
    "plan",
    "schema",
]


__getattr__, __dir__ = lazy_exports(globals(), _LAZY)
