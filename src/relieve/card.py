"""The muscle card: what a person needs to know about one muscle on one side.

Facts come from the knowledge base; the actions shown are derived from the model
(``anatomy.derived``), so they are true of this side and this model.
"""

from __future__ import annotations

from .anatomy import knowledge_base
from .anatomy.attachments import attachment_entries
from .anatomy.derived import derived_actions
from .vocabulary import check_side


def muscles(kb=None) -> dict:
    """Every muscle ``relieve`` knows (each on both sides), and the contract's groups."""
    kb = kb or knowledge_base()
    rows = [
        {"muscle": f.id, "common_name": f.common_name, "latin_name": f.latin_name, "group": f.group, "region": f.region}
        for f in kb.muscles
    ]
    return {"muscles": rows, "groups": {k: list(v) for k, v in kb.groups.items()}}


def muscle_card(muscle: str, side: str, body=None, kb=None) -> dict:
    """A JSON-ready card for one muscle-side; for a group (contract section 2), the
    group's id and side and one card per member under ``muscles``."""
    kb = kb or knowledge_base()
    check_side(side)
    members = kb.expand(muscle)
    if members != (muscle,):
        return {"group": muscle, "side": side, "muscles": [_card(m, side, body, kb) for m in members]}
    return _card(muscle, side, body, kb)


def _card(muscle: str, side: str, body, kb) -> dict:
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
