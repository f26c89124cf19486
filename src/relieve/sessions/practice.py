"""Practice: drills on each muscle's two ends, what shortens and what stretches it, and
the order of a technique's steps, scheduled by spaced repetition (``data/sessions.yaml``)
with the schedule stored in the database. Questions are built from the knowledge base
and the model (``relieve.muscle_card``), so they always agree with the plans."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..vocabulary import MUSCLE_IDS
from ._settings import value

KINDS = ("ends", "shortens", "stretches")


@dataclass(frozen=True)
class Drill:
    card: str            # "levator_scapulae:left:ends"
    muscle: str
    side: str
    question: str
    options: tuple[str, ...]
    answer: int          # index into options

    def check(self, choice: int) -> bool:
        return choice == self.answer


def _card(muscle: str, side: str):
    from ..card import muscle_card

    return muscle_card(muscle, side)


def _opposite(text: str) -> str:
    return text


def drill(card_key: str, rng: random.Random) -> Drill:
    muscle, side, kind = card_key.split(":")
    card = _card(muscle, side)
    name = f"the {side} {card['common_name']}"
    others = [m for m in MUSCLE_IDS if m != muscle]
    rng.shuffle(others)
    if kind == "ends":
        right = card["attachments"]["origin"][0]["name"] + " and " + card["attachments"]["insertion"][0]["name"]
        wrong = []
        for m in others:
            c = _card(m, side)
            text = c["attachments"]["origin"][0]["name"] + " and " + c["attachments"]["insertion"][0]["name"]
            if text != right and text not in wrong:
                wrong.append(text)
            if len(wrong) == 3:
                break
        question = f"Where are the two ends of {name}?"
    else:
        actions = card["actions_from_model"]
        top = actions[0]
        from ..anatomy.postures import describe

        sign = top["direction"] if kind == "shortens" else -top["direction"]
        right = describe(top["variable"], sign * top["degrees"])
        candidates = []
        from ..vocabulary import NECK_VARIABLES, POSTURE_VARIABLES

        for variable in POSTURE_VARIABLES:
            for d in (1, -1):
                if variable == top["variable"] and d == sign:
                    continue
                if variable.endswith("_left" if side == "right" else "_right"):
                    continue
                candidates.append(describe(variable, d * (20 if variable in NECK_VARIABLES else 15)))
        rng.shuffle(candidates)
        # the exact opposite is the most instructive wrong answer
        opposite = describe(top["variable"], -sign * top["degrees"])
        wrong = [opposite] + [c for c in candidates if c not in (opposite, right)][:2]
        question = f"Which movement {'shortens (slackens)' if kind == 'shortens' else 'stretches'} {name} most?"
    options = [right] + wrong[:3]
    rng.shuffle(options)
    return Drill(card_key, muscle, side, question, tuple(options), options.index(right))


def all_cards(muscles: list[tuple[str, str]] | None = None) -> list[str]:
    targets = muscles or [(m, s) for m in MUSCLE_IDS for s in ("left", "right")]
    return [f"{m}:{s}:{k}" for m, s in targets for k in KINDS]


def due_cards(stored: dict[str, dict], now: datetime, muscles=None, limit: int = 5) -> list[str]:
    """New cards and cards whose time has come, the most overdue first; new cards of
    the person's own muscles (``muscles``) come first."""
    keys = all_cards(muscles)
    due = [(stored[k]["due_at"], k) for k in keys if k in stored and stored[k]["due_at"] <= now]
    due.sort()
    new = [k for k in keys if k not in stored]
    return ([k for _, k in due] + new)[:limit]


def schedule(previous: dict | None, correct: bool, now: datetime) -> dict:
    """The card's next due time, interval and streak after an answer."""
    first = value("practice", "first_interval_days")
    if not correct:
        interval, streak = value("practice", "wrong_interval_days"), 0
    elif previous is None or previous["streak"] == 0:
        interval, streak = first, 1
    else:
        interval = max(first, previous["interval_days"] * value("practice", "growth"))
        streak = previous["streak"] + 1
    return {"due_at": now + timedelta(days=interval), "interval_days": float(interval), "streak": streak}


def answer(store, clock, d: Drill, choice: int) -> bool:
    correct = d.check(choice)
    now = clock.now()
    nxt = schedule(store.cards().get(d.card), correct, now)
    store.record_answer(d.card, muscle=d.muscle, answered_at=now, correct=correct, **nxt)
    return correct


def proficiency(stored: dict[str, dict]) -> dict[str, float]:
    """Per muscle (both sides): the share of its cards known (a streak of three right)."""
    mastered = value("practice", "mastered_streak")
    out: dict[str, list[int]] = {}
    for key, row in stored.items():
        muscle = key.split(":")[0]
        out.setdefault(muscle, []).append(1 if row["streak"] >= mastered else 0)
    total = len(KINDS) * 2
    return {m: round(sum(v) / total, 2) for m, v in sorted(out.items())}
