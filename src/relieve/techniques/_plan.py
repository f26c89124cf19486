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

from dataclasses import dataclass, field
from typing import Any

from ..anatomy import knowledge_base
from ..anatomy.attachments import attachment_entries
from ..anatomy.postures import describe
from ..errors import ReferralRequired, RelieveError
from ..vocabulary import NECK_VARIABLES, VARIABLES, check_side
from ._limits import EASE_SHARE, STRETCH_SHARE, bounds
from ._search import optimise
from ._settings import doses, words

_DOSES = doses()
_WORDS = words()
NOTICE = _WORDS["notice"]
IF_IT_HURTS = _WORDS["if_it_hurts"]
TECHNIQUES = ("muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain")


@dataclass(frozen=True)
class Target:
    muscle: str
    side: str


@dataclass(frozen=True)
class Plan:
    """The answer of ``plan()``, whatever the number of targets.

    ``plans``: one contract section 5 object per muscle-side (groups expanded);
    ``combined``: for several targets, the techniques whose postures serve them all
    (with each muscle's gain ``by_muscle``) and what was held back; None for one.
    """

    targets: tuple[Target, ...]
    plans: tuple[dict, ...]
    combined: dict | None = None
    notice: str = field(default=NOTICE)

    @property
    def techniques(self) -> dict:
        """The techniques to do: the combined ones for several targets."""
        return self.combined["techniques"] if self.combined is not None else self.plans[0]["techniques"]

    @property
    def held_back(self) -> list[str]:
        return self.combined["held_back"] if self.combined is not None else self.plans[0]["held_back"]

    def to_contract(self) -> dict[str, Any]:
        """Exactly contract section 5 for one muscle-side (with its added fields); for
        several, each plan under ``plans`` beside the ``combined`` techniques."""
        if self.combined is None:
            return self.plans[0]
        return {
            "muscles": [{"muscle": t.muscle, "side": t.side} for t in self.targets],
            "plans": list(self.plans),
            "combined": self.combined,
            "notice": self.notice,
        }


def plan(targets, findings=None, body=None, kb=None) -> Plan:
    """Plan the techniques for one or several ``(muscle or group, side)`` targets.

    ``findings`` (a dict, JSON text or ``Findings``): triage runs first, and findings
    that need a health professional raise ``ReferralRequired`` carrying the contract's
    ``refer`` object: no technique is ever computed for them. Otherwise a painful or
    limited movement narrows the postures. Bad targets raise ``RelieveError`` naming
    the field.
    """
    if findings is not None:
        findings = _safe_findings(findings)
    kb = kb or knowledge_base()
    expanded = _expand(targets, kb)
    if body is None:
        from ..model import default_model

        body = default_model()
    planner = _Planner(body, kb, findings)
    plans = tuple(planner.single(t) for t in expanded)
    combined = planner.combined(list(expanded)) if len(plans) > 1 else None
    return Plan(expanded, plans, combined)


def _safe_findings(findings):
    """Validated findings that triage lets through; the safety gate of every plan."""
    from ..assessment import parse_findings, refer_payload, triage

    findings = parse_findings(findings)
    gate = triage(findings)
    if gate.status == "refer":
        raise ReferralRequired(refer_payload(gate))
    return findings


def _expand(targets, kb) -> tuple[Target, ...]:
    if isinstance(targets, (str, bytes)) or not targets:
        raise RelieveError("name at least one (muscle, side)", field="muscle")
    expanded: list[Target] = []
    for item in targets:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise RelieveError("each target is a (muscle, side) pair", field="muscle")
        muscle, side = item
        check_side(side)
        for m in kb.expand(muscle):
            if Target(m, side) not in expanded:
                expanded.append(Target(m, side))
    return tuple(expanded)


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
                "hold_seconds": _DOSES.hold_seconds,
                "steps": self._shortening_steps(targets, ease.posture, facts),
                "if_it_hurts": IF_IT_HURTS,
            },
            "repositioning": {
                "posture": repos.posture,
                "length_change_pct": _pct(repos.pct),
                "hold_seconds": _DOSES.hold_seconds,
                "steps": self._repositioning_steps(repos.posture, _pct(repos.pct), "self_help"),
                "helper_steps": self._repositioning_steps(repos.posture, _pct(repos.pct), "helper"),
                "if_it_hurts": IF_IT_HURTS,
            },
            "strain_counterstrain": {
                "resist_direction": push,
                "stretch_posture": stretch.posture,
                "length_change_pct": _pct(stretch.pct),
                "push_effort_pct": list(_DOSES.push_effort_pct),
                "push_seconds": list(_DOSES.push_seconds),
                "repetitions": _DOSES.push_repetitions,
                "stretch_hold_seconds": list(_DOSES.stretch_hold_seconds),
                "steps": self._counterstrain_steps(push, stretch.posture),
                "if_it_hurts": IF_IT_HURTS,
            },
            "jones_counterstrain": {
                "posture": ease.posture,
                "length_change_pct": _pct(ease.pct),
                "hold_seconds": _DOSES.hold_seconds,
                "tenderness_reduction_target_pct": _DOSES.jones_tenderness_drop_pct,
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
        floor = _DOSES.push_share * pct.max()
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
        w = _WORDS["muscle_shortening"]
        steps = [w["start"]]
        for t, f in zip(targets, facts):
            name = f.common_name.lower()
            steps.append(w["find_ends"].format(side=t.side, name=name, origin=self._end(f.origin), insertion=self._end(f.insertion)))
        moves = self._moves(posture, "move")
        steps.append(w["move"].format(moves="; ".join(moves)) if moves else w["no_move"])
        for f in facts:
            steps.append(
                w["press"].format(
                    name=f.common_name.lower(), pressure=f.palpation.pressure, notes=f.palpation.notes.rstrip(".")
                )
            )
        steps += [w["hold"].format(hold_seconds=_DOSES.hold_seconds), w["release"], w["rerate"]]
        return steps

    def _end(self, attachments) -> str:
        """One end in words: its landmarks, and how to find the first one that can be felt."""
        names = [self.kb.landmark(a.landmark).name for a in attachments]
        listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        felt = next((a for a in attachments if a.felt_directly), attachments[0])
        return _WORDS["muscle_shortening"]["end"].format(landmarks=listed, find_it=felt.find_it.rstrip("."))

    def _repositioning_steps(self, posture: dict, pct: float, kind: str) -> list[str]:
        w = _WORDS["repositioning"]
        steps = []
        if pct > -_DOSES.weak_repositioning_pct:
            steps.append(w["weak"].format(pct=f"{pct:+.1f}"))
        steps.append(w["start"])
        moves = self._moves(posture, kind)
        if moves:
            steps.append(w["move"].format(moves="; ".join(moves)))
        steps += [w["hold"].format(hold_seconds=_DOSES.hold_seconds), w["release"], w["rerate"]]
        return steps

    def _counterstrain_steps(self, push: dict, stretch_posture: dict) -> list[str]:
        w = _WORDS["strain_counterstrain"]
        steps = [w["start"]]
        if push:
            steps.append(w["push"].format(pushes="; ".join(describe(v, s, "push") for v, s in push.items())))
            steps.append(
                w["dose"].format(
                    effort_low=_DOSES.push_effort_pct[0],
                    effort_high=_DOSES.push_effort_pct[1],
                    seconds_low=_DOSES.push_seconds[0],
                    seconds_high=_DOSES.push_seconds[1],
                    repetitions=_DOSES.push_repetitions,
                )
            )
        moves = self._moves(stretch_posture, "move")
        if moves:
            steps.append(w["stretch"].format(moves="; ".join(moves)))
            hold = _DOSES.stretch_hold_seconds
            steps.append(w["stretch_hold"].format(hold_low=hold[0], hold_high=hold[1]))
        steps += [w["release"], w["rerate"]]
        return steps

    def _jones_steps(self, posture: dict, facts) -> list[str]:
        w = _WORDS["jones_counterstrain"]
        moves = self._moves(posture, "helper")
        return [
            w["start"],
            w["find_point"].format(points="; ".join(f.tender_point_text for f in facts)),
            w["move"].format(moves=": " + "; ".join(moves) + "." if moves else "."),
            w["fine_tune"].format(drop_pct=_DOSES.jones_tenderness_drop_pct),
            w["hold"].format(hold_seconds=_DOSES.hold_seconds),
            w["release"],
            w["rerate"],
        ]


def _pct(values) -> float:
    return round(float(sum(values) / len(values)), 1)
