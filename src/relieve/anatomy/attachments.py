"""A muscle's two ends as the plan and the card show them (contract section 5 ``attachments``)."""

from __future__ import annotations

from ._knowledge import knowledge_base


def attachment_entries(muscle: str, kb=None) -> dict:
    """Origin and insertion, each with its landmark, name and how to find it."""
    kb = kb or knowledge_base()
    facts = kb.muscle(muscle)

    def entries(ends):
        return [
            {
                "landmark": a.landmark,
                "name": kb.landmark(a.landmark).name,
                "description": a.description,
                "find_it": a.find_it,
                "felt_directly": a.felt_directly,
            }
            for a in ends
        ]

    return {"origin": entries(facts.origin), "insertion": entries(facts.insertion)}
