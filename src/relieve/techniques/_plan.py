"""Technique plans (contract section 5), computed from the model.

For one muscle-side, or several at once (one posture that serves them all):

- muscle shortening: the position of ease (least length within a comfortable range)
  plus fingertip work at the two ends, ~90 s, slow return;
- repositioning: the same aim reached by moving the shoulder girdle and upper back
  only, the neck kept neutral; self-help and helper versions;
- strain-counterstrain as this system teaches it: a gentle push toward lengthening
  (opposite the spasm's pull) against one's own hand, then the stretch (greatest
  length within the pain-free range);
- the classic Jones counterstrain: the passive position of ease, monitoring the
  tender point until it is at least 70 % less tender, 90 s, slow passive return.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..anatomy import knowledge_base
from ..vocabulary import NECK_VARIABLES, VARIABLES
from ..anatomy.postures import describe
from ..card import attachment_entries, check_side
from ..errors import RelieveError
from ._limits import EASE_SHARE, STRETCH_SHARE, bounds
from ._search import optimise

NOTICE = (
    "relieve informs and guides gentle self-care; it does not diagnose. Stop if anything "
    "hurts more, and see a health professional if pain is severe, spreads, or does not ease."
)
IF_IT_HURTS = (
    "Stop at once if the pain sharpens or spreads, or if you feel tingling, numbness, weakness, "
    "dizziness, a headache or trouble seeing. Come back to neutral slowly. Then try the next "
    "technique, more gently; if it still hurts, stop self-treatment and see a health professional."
)
HOLD_SECONDS = 90
PUSH_EFFORT_PCT = (10, 20)
PUSH_SECONDS = (5, 7)
PUSH_REPETITIONS = 3
STRETCH_HOLD_SECONDS = (20, 30)
JONES_TENDERNESS_DROP_PCT = 70
# Repositioning that slackens the muscle by less than this is said to be weak.
WEAK_REPOSITIONING_PCT = 2.0
# A variable whose push contributes less than this share of the strongest one is not
# part of the push direction (keeps the instruction to one or two movements).
PUSH_SHARE = 0.35


@dataclass(frozen=True)
class Target:
    muscle: str
    side: str


def plan(targets: list[tuple[str, str]], findings=None, body=None, kb=None) -> dict:
    """A plan for one muscle-side (the contract shape) or several (each plan plus a
    ``combined`` set of techniques whose postures serve all of them)."""
    if body is None:
        from ..model import default_model

        body = default_model()
    kb = kb or knowledge_base()
    if not targets:
        raise RelieveError("name at least one muscle", field="muscle")
    expanded: list[Target] = []
    for muscle, side in targets:
        check_side(side)
        for m in kb.expand(muscle):
            if Target(m, side) not in expanded:
                expanded.append(Target(m, side))
    planner = _Planner(body, kb, findings)
    plans = [planner.single(t) for t in expanded]
    if len(plans) == 1:
        return plans[0]
    return {
        "muscles": [{"muscle": t.muscle, "side": t.side} for t in expanded],
        "plans": plans,
        "combined": planner.combined(expanded),
        "notice": NOTICE,
    }


class _Planner:
    def __init__(self, body, kb, findings):
        self.body = body
        self.kb = kb
        self.findings = findings
        self.ease = bounds(body, EASE_SHARE, findings)
        self.stretch = bounds(body, STRETCH_SHARE, findings)

    # ---------------------------------------------------------------- variables

    def _variables(self, targets: list[Target], neck: bool) -> list[str]:
        sides = {t.side for t in targets}
        out = []
        for v in self.body.posture_variables:
            if v in NECK_VARIABLES and not neck:
                continue
            if not VARIABLES[v].belongs_to(sides):
                continue
            out.append(v)
        return out

    def _columns(self, targets: list[Target]) -> list[int]:
        return [self.body.column(t.muscle, t.side) for t in targets]

    # ---------------------------------------------------------------- techniques

    def _techniques(self, targets: list[Target]) -> dict:
        cols = self._columns(targets)
        ease = optimise(self.body, cols, "shorten", self.ease, self._variables(targets, neck=True))
        repos = optimise(self.body, cols, "shorten", self.ease, self._variables(targets, neck=False))
        stretch = optimise(self.body, cols, "lengthen", self.stretch, self._variables(targets, neck=True))
        push = self._push_direction(cols, stretch.posture)
        facts = [self.kb.muscle(t.muscle) for t in targets]
        return {
            "muscle_shortening": {
                "posture": ease.posture,
                "length_change_pct": _pct(ease.pct),
                "hold_seconds": HOLD_SECONDS,
                "steps": self._shortening_steps(targets, ease.posture, facts),
                "if_it_hurts": IF_IT_HURTS,
            },
            "repositioning": {
                "posture": repos.posture,
                "length_change_pct": _pct(repos.pct),
                "hold_seconds": HOLD_SECONDS,
                "steps": self._repositioning_steps(repos.posture, _pct(repos.pct), "self_help"),
                "helper_steps": self._repositioning_steps(repos.posture, _pct(repos.pct), "helper"),
                "if_it_hurts": IF_IT_HURTS,
            },
            "strain_counterstrain": {
                "resist_direction": push,
                "stretch_posture": stretch.posture,
                "length_change_pct": _pct(stretch.pct),
                "push_effort_pct": list(PUSH_EFFORT_PCT),
                "push_seconds": list(PUSH_SECONDS),
                "repetitions": PUSH_REPETITIONS,
                "stretch_hold_seconds": list(STRETCH_HOLD_SECONDS),
                "steps": self._counterstrain_steps(push, stretch.posture),
                "if_it_hurts": IF_IT_HURTS,
            },
            "jones_counterstrain": {
                "posture": ease.posture,
                "length_change_pct": _pct(ease.pct),
                "hold_seconds": HOLD_SECONDS,
                "tenderness_reduction_target_pct": JONES_TENDERNESS_DROP_PCT,
                "tender_point": "; ".join(f.tender_point_text for f in facts),
                "steps": self._jones_steps(ease.posture, facts),
                "if_it_hurts": IF_IT_HURTS,
            },
        }, (ease, repos, stretch)

    def single(self, target: Target) -> dict:
        techniques, _ = self._techniques([target])
        facts = self.kb.muscle(target.muscle)
        return {
            "muscle": target.muscle,
            "side": target.side,
            "common_name": facts.common_name,
            "attachments": attachment_entries(target.muscle, self.kb),
            "techniques": techniques,
            "held_back": list(self.ease.held_back + tuple(n for n in self.stretch.held_back if n not in self.ease.held_back)),
            "cautions": list(facts.cautions),
            "neighbours": list(facts.neighbours),
            "notice": NOTICE,
        }

    def combined(self, targets: list[Target]) -> dict:
        techniques, results = self._techniques(targets)
        by_name = dict(zip(("muscle_shortening", "repositioning", "strain_counterstrain"), results))
        for name, result in by_name.items():
            techniques[name]["by_muscle"] = [
                {"muscle": t.muscle, "side": t.side, "length_change_pct": round(float(p), 1)}
                for t, p in zip(targets, result.pct)
            ]
        techniques["jones_counterstrain"]["by_muscle"] = techniques["muscle_shortening"]["by_muscle"]
        return {"techniques": techniques, "held_back": list(self.ease.held_back)}

    # ---------------------------------------------------------------- push

    def _push_direction(self, cols: list[int], stretch_posture: dict) -> dict:
        """The gentle push goes toward lengthening: the main directions of the stretch."""
        if not stretch_posture:
            return {}
        alone = [{v: x} for v, x in stretch_posture.items()]
        pct = self.body.length_change_pct_batch(self.body.postures_array(alone))[:, cols].mean(axis=1)
        floor = PUSH_SHARE * pct.max()
        # strongest first; a push is one or two directions at most
        ranked = [v for p, v in sorted(zip(pct, stretch_posture), reverse=True) if p > 0 and p >= floor][:2]
        return {v: (1 if stretch_posture[v] > 0 else -1) for v in self.body.posture_variables if v in ranked}

    # ---------------------------------------------------------------- steps

    def _range_span(self, variable: str, value: float) -> float:
        lo, hi = self.body.ranges[variable]
        return hi if value > 0 else -lo

    def _moves(self, posture: dict, kind: str) -> list[str]:
        return [describe(v, x, kind, range_span=self._range_span(v, x)) for v, x in posture.items()]

    def _shortening_steps(self, targets, posture, facts) -> list[str]:
        steps = ["Sit or lie down, well supported, and breathe slowly and easily."]
        for t, f in zip(targets, facts):
            steps.append(
                f"Find the two ends of the {t.side} {f.common_name.lower()}: {self._end(f.origin)}; "
                f"and {self._end(f.insertion)}."
            )
        moves = self._moves(posture, "move")
        if moves:
            steps.append("Move slowly into the position of ease, bringing the two ends closer together: " + "; ".join(moves) + ".")
        else:
            steps.append("Stay in a neutral, supported position: no comfortable movement slackens this muscle further.")
        for t, f in zip(targets, facts):
            steps.append(
                f"Place the fingertips of one hand near one end and of the other hand near the other end of the "
                f"{f.common_name.lower()}, and press the muscle gently in toward its middle from both ends, as if "
                f"pushing the ends together ({f.palpation.pressure} pressure: {f.palpation.notes.rstrip('.')})."
            )
        steps += [
            f"Hold for about {HOLD_SECONDS} seconds, breathing slowly. The muscle often softens under the fingers.",
            "Release the fingers and come back to neutral very slowly, over about ten seconds, letting the head or "
            "shoulder be guided rather than lifting it with the treated muscle.",
            "Rest a minute, then re-rate your pain from 0 to 10.",
        ]
        return steps

    def _end(self, attachments) -> str:
        """One end in words: its landmarks, and how to find the first one that can be felt."""
        names = [self.kb.landmark(a.landmark).name for a in attachments]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        felt = next((a for a in attachments if a.felt_directly), attachments[0])
        return f"the {listed} (to find it: {felt.find_it.rstrip('.')})"

    def _repositioning_steps(self, posture: dict, pct: float, kind: str) -> list[str]:
        steps = []
        if pct > -WEAK_REPOSITIONING_PCT:
            steps.append(
                f"This muscle hardly reaches the shoulder girdle, so moving it slackens the muscle only a little "
                f"({pct:+.1f} %). Prefer muscle shortening; use this only if moving the neck is uncomfortable."
            )
        steps.append("Keep your head and neck in a neutral, comfortable position throughout.")
        moves = self._moves(posture, kind)
        if moves:
            steps.append("Put the muscle on slack by moving the shoulder girdle, not the neck: " + "; ".join(moves) + ".")
        steps += [
            f"Stay there, relaxed, for about {HOLD_SECONDS} seconds, breathing slowly.",
            "Let the shoulder come back to its resting position slowly, without effort from the treated side.",
            "Re-rate your pain from 0 to 10.",
        ]
        return steps

    def _counterstrain_steps(self, push: dict, stretch_posture: dict) -> list[str]:
        steps = ["Sit upright with your head and shoulders in a neutral position."]
        if push:
            pushes = [describe(v, s, "push") for v, s in push.items()]
            steps.append(
                "Push gently, opposite the spasm's pull, while your hand holds so that nothing moves: "
                + "; ".join(pushes) + "."
            )
            steps.append(
                f"Use only {PUSH_EFFORT_PCT[0]}-{PUSH_EFFORT_PCT[1]} % of your strength, for "
                f"{PUSH_SECONDS[0]}-{PUSH_SECONDS[1]} seconds, breathing out; then let go and relax completely for a "
                f"few seconds. Do this {PUSH_REPETITIONS} times."
            )
        moves = self._moves(stretch_posture, "move")
        if moves:
            steps.append(
                "Then stretch the muscle in the direction it was tight, slowly and only as far as it stays "
                "comfortable: " + "; ".join(moves) + "."
            )
            steps.append(
                f"Hold the stretch {STRETCH_HOLD_SECONDS[0]}-{STRETCH_HOLD_SECONDS[1]} seconds, breathing slowly; "
                "it should feel like a pull, never pain. It often goes a little further after the pushes."
            )
        steps += ["Come back to neutral slowly.", "Re-rate your pain from 0 to 10."]
        return steps

    def _jones_steps(self, posture: dict, facts) -> list[str]:
        moves = self._moves(posture, "helper")
        return [
            "Lie on your back, relaxed; a helper (or your own hands and pillows) will do the moving.",
            "Find the tender point and press it just enough to feel the tenderness; call it 10 out of 10: "
            + "; ".join(f.tender_point_text for f in facts),
            "Keep a fingertip on the tender point and be moved passively into the position of ease"
            + (": " + "; ".join(moves) + "." if moves else "."),
            f"Fine-tune the position a few degrees at a time until the tender point is at least "
            f"{JONES_TENDERNESS_DROP_PCT} % less tender (3 out of 10 or less).",
            f"Hold that position for {HOLD_SECONDS} seconds without any effort from you.",
            "Be brought back to neutral slowly and passively, taking about ten seconds; do not help.",
            "Press the tender point again and re-rate it, and your pain, from 0 to 10.",
        ]


def _pct(values) -> float:
    return round(float(sum(values) / len(values)), 1)
