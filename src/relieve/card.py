"""The muscle card: what a person needs to know about one muscle on one side.

Facts come from the knowledge base; the actions shown are derived from the model
(``anatomy.derived``), so they are true of this side and this model.
"""

from __future__ import annotations

from .anatomy import SIDES, knowledge_base
from .anatomy.derived import derived_actions
from .errors import UnknownNameError


def check_side(side: str) -> str:
    if side not in SIDES:
        raise UnknownNameError(f"unknown side {side!r}; valid: {', '.join(SIDES)}", field="side")
    return side


def attachment_entries(muscle: str, kb=None) -> dict:
    """Contract section 5 ``attachments``: origin and insertion, each with how to find it."""
    facts = (kb or knowledge_base()).muscle(muscle)

    def entries(ends):
        kb_ = kb or knowledge_base()
        return [
            {
                "landmark": a.landmark,
                "name": kb_.landmark(a.landmark).name,
                "description": a.description,
                "find_it": a.find_it,
                "felt_directly": a.felt_directly,
            }
            for a in ends
        ]

    return {"origin": entries(facts.origin), "insertion": entries(facts.insertion)}


def muscle_card(muscle: str, side: str, body=None, kb=None) -> dict:
    """A JSON-ready card for one muscle-side."""
    kb = kb or knowledge_base()
    check_side(side)
    facts = kb.muscle(muscle)
    region_name = lambda code: kb.region(code).name  # noqa: E731
    return {
        "muscle": facts.id,
        "side": side,
        "common_name": facts.common_name,
        "latin_name": facts.latin_name,
        "group": facts.group,
        "attachments": attachment_entries(muscle, kb),
        "actions_from_model": [
            {
                "variable": a.variable,
                "direction": a.sign,
                "degrees": round(a.degrees, 1),
                "length_change_pct": round(a.shortening_pct, 1),
                "text": a.sentence(),
            }
            for a in derived_actions(muscle, side, body)
        ],
        "actions_stated": [
            {"variable": a.variable, "direction": a.sign, "strength": a.strength, "text": a.text}
            for a in kb.actions(muscle, side)
        ],
        "innervation": facts.innervation,
        "pain": {
            "local": [region_name(c) for c in facts.pain.local],
            "referral": [region_name(c) for c in facts.pain.referral],
            "description": facts.pain.description,
        },
        "tender_points": facts.tender_point_text,
        "causes": facts.causes_text,
        "cautions": list(facts.cautions),
        "neighbours": list(facts.neighbours),
        "sources": list(facts.sources),
    }
