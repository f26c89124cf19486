"""Technique plans (contract section 5), computed from the model.

For one muscle-side, or several at once (one posture that serves them all):

- muscle shortening: the position of ease (least length within a comfortable range),
  held passively by a support from the positions catalogue, plus fingertip pressure at
  the ends that can be felt and pressed safely, ~90 s, slow return;
- repositioning: the same aim reached by moving the shoulder girdle and upper back
  only (catalogue positions), the neck kept neutral; self-help and helper versions;
  not available when it slackens the muscle too little;
- strain-counterstrain as this system teaches it: a gentle push toward lengthening
  (opposite the spasm's pull) against a hand or a support, then the stretch (greatest
  length within the pain-free range);
- Jones' counterstrain: his published tender point for the muscle, found and
  monitored by a helper, in his position of comfort, 90 s, slow passive return.

Every position passes the safety envelope (``_envelope``) and is chosen among the
positions people can take (``_positions``); every step records which hand does what
(``step_hands``), so that a test can check that the hands add up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._parallel import map_on_cores
from ..anatomy import knowledge_base
from ..anatomy.attachments import attachment_entries
from ..anatomy.postures import _phrases, describe, share_words
from ..errors import ReferralRequired, RelieveError
from ..vocabulary import NECK_VARIABLES, VARIABLES, check_side, other_side
from ._envelope import envelope
from ._jones import jones_catalogue
from ._limits import EASE_SHARE, STRETCH_SHARE, Bounds, bounds
from ._positions import Configuration, catalogue
from ._search import MIN_USEFUL_GAIN, SCREEN_KEEP, optimise, screen
from ._settings import doses, words

_DOSES = doses()
_WORDS = words()
NOTICE = _WORDS["notice"]
IF_IT_HURTS = _WORDS["if_it_hurts"]
TECHNIQUES = ("muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain")
# The groups of steps a picture shows (``step_groups`` of each technique): getting ready,
# taking the position, the fingertip pressure, the gentle push, the stretch, coming back.
STEP_GROUPS = ("start", "position", "press", "push", "stretch", "return")
FIND_WORDS = 24  # at most this many words of "how to find it" in a step; the rest is on the card


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
    if isinstance(targets, (str, bytes)) or not isinstance(targets, Iterable) or not targets:
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


# --------------------------------------------------------------------------- steps and hands


class _Steps:
    """Steps with the hands each one uses. A job given with ``hold=`` starts at that step
    and lasts (it is listed again in every later step) until ``let_go()``."""

    def __init__(self):
        self.texts: list[str] = []
        self.hands: list[dict] = []
        self.held: list[tuple[str, str]] = []
        self.phases: list[str] = []
        self.phase = "start"

    def add(self, text: str, jobs=(), movements: int = 0, hold=()) -> None:
        self.held += list(hold)
        limbs = self.held + list(jobs)
        self.texts.append(text)
        self.hands.append({"limbs": [{"limb": limb, "job": job} for limb, job in limbs], "movements": movements})
        self.phases.append(self.phase)

    def let_go(self) -> None:
        self.held = []

    def groups(self) -> list[dict]:
        """The steps in groups a picture can show (``STEP_GROUPS``), numbered from 1:
        ``[{"group": "start", "first": 1, "last": 3}, ...]``."""
        out: list[dict] = []
        for number, phase in enumerate(self.phases, 1):
            if out and out[-1]["group"] == phase:
                out[-1]["last"] = number
            else:
                out.append({"group": phase, "first": number, "last": number})
        return out


def _chunks(items: list, size: int = 3) -> list[list]:
    """Instructions of at most ``size`` movement components each."""
    out, current, count = [], [], 0
    for text, n in items:
        if current and count + n > size:
            out.append(current)
            current, count = [], 0
        current.append((text, n))
        count += n
    if current:
        out.append(current)
    return out


def _short(text: str, limit: int = FIND_WORDS) -> str | None:
    """Whole sentences of ``text`` up to ``limit`` words; None if the first is longer."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    out: list[str] = []
    for s in sentences:
        if len((" ".join(out + [s])).split()) > limit:
            break
        out.append(s)
    return " ".join(out).rstrip(".") if out else None


@dataclass(frozen=True)
class _End:
    kind: str  # felt | deep | no_press
    landmark: str
    place: str  # lay name of the landmark
    how: str | None


class _Planner:
    def __init__(self, body, kb, findings):
        self.body = body
        self.kb = kb
        self.findings = findings
        self.ease = bounds(body, EASE_SHARE, findings)
        self.stretch = bounds(body, STRETCH_SHARE, findings)
        self.env = envelope(body)
        self.cat = catalogue()
        self.jones = jones_catalogue()

    # ---------------------------------------------------------------- variables

    def _variables(self, targets: list[Target], neck: bool) -> list[str]:
        sides = {t.side for t in targets}
        return [
            v for v in self.body.posture_variables
            if (neck or v not in NECK_VARIABLES) and VARIABLES[v].belongs_to(sides)
        ]

    def _columns(self, targets: list[Target]) -> list[int]:
        return [self.body.column(t.muscle, t.side) for t in targets]

    def _range_span(self, variable: str, value: float) -> float:
        lo, hi = self.body.ranges[variable]
        return hi if value > 0 else -lo

    # ---------------------------------------------------------------- search among positions

    def _wanted(self, cols, goal: str, limits: Bounds, variables: list[str]) -> dict[str, int]:
        """For each shoulder-blade and upper-back variable, the direction that helps when it
        moves alone (halfway to its bound), if any: positions moving anything else are not
        worth trying."""
        sign = 1.0 if goal == "shorten" else -1.0
        rows, keys = [], []
        for v in variables:
            if v in NECK_VARIABLES:
                continue
            for s, end in ((1, limits.high[v]), (-1, limits.low[v])):
                if end != 0:
                    rows.append({v: 0.5 * end})
                    keys.append((v, s))
        if not rows:
            return {}
        pct = self.body.length_change_pct_batch(self.body.postures_array(rows), cols).mean(axis=1)
        out: dict[str, int] = {}
        for (v, s), p in zip(keys, pct):
            if -sign * p > MIN_USEFUL_GAIN:
                out[v] = s
        return out

    def _best(self, targets, use: str, goal: str, limits: Bounds, neck: str, kind: str, pressed_at=(), hands_needed=0,
              supports=None):
        """``pressed_at``: (landmark, side) of the ends the fingertips would press while the
        position is held; each of the ``hands_needed`` presses a position cannot give (no
        free hand, or the body lies on that end) costs ``hand_shortfall_pct`` of slack."""
        pressed = tuple(landmark for landmark, _ in pressed_at)
        cols = self._columns(targets)
        variables = self._variables(targets, neck != "neutral")
        wanted = self._wanted(cols, goal, limits, variables)
        sides = sorted({t.side for t in targets})
        configs = list(self.cat.configurations(use, sides, supports=supports, wanted=wanted))
        boxes = [Bounds(*config.box(self.body, limits.low, limits.high, neck)) for config in configs]

        def allowed_for(config):
            def allowed(X, lying=config.support.lying):
                return self.env.feasible(X, kind, lying=lying, pressed=pressed)

            return allowed

        checks = [allowed_for(config) for config in configs]
        candidates = range(len(configs))
        if len(configs) > SCREEN_KEEP:
            # Many positions: a one-batch estimate picks the few worth a full search.
            estimate = screen(self.body, cols, goal, boxes, variables, checks)
            estimate += _DOSES.hand_shortfall_pct * np.array(
                [_shortfall(config, hands_needed, pressed_at) for config in configs]
            )
            candidates = sorted(np.argsort(estimate, kind="stable")[:SCREEN_KEEP])
        best = None
        for i in candidates:
            config = configs[i]
            result = optimise(self.body, cols, goal, boxes[i], variables, checks[i])
            config = _used_only(config, result.posture)
            score = result.cost + _DOSES.hand_shortfall_pct * _shortfall(config, hands_needed, pressed_at)
            if best is None or score < best[0] - 1e-9:
                best = (score, config, result)
        if best is None:
            raise RelieveError(f"no position in the catalogue serves {use}", field="positions")
        return best[1], best[2]

    # ---------------------------------------------------------------- words for positions

    def _placement_moves(self, config: Configuration, posture: dict) -> list[tuple[str, int, tuple[str, ...], str]]:
        """(words, components, limbs, what) for every arm and trunk position used."""
        out = []
        placements = [(p, side) for p, side in config.arms] + ([(config.trunk, None)] if config.trunk else [])
        for p, side in placements:
            moved = [(v, posture[v]) for v in p.variables(side) if posture.get(v)]
            if not moved:
                continue
            v, x = moved[0]
            text = p.words.format(
                side=side or "", share=share_words(abs(x) / self._range_span(v, x)), deg=int(round(abs(x)))
            )
            what = f"{side} arm" if side else "upper back"
            out.append((text, len(moved), p.limbs(side), what))
        return out

    def _support_moves(self, config: Configuration, posture: dict) -> list[tuple[str, int]]:
        """The neck angles as the support holds them (one component each)."""
        out = []
        for v in NECK_VARIABLES:
            x = posture.get(v)
            if not x:
                continue
            hold = config.support.holds[(v, 1 if x > 0 else -1)]
            cm = 0
            if hold.pillow == "back":  # a higher pillow bends the head forward
                cm = self.cat.pillow_cm("back", x)
            elif hold.pillow == "side":  # higher tilts the head toward the upper shoulder
                down = config.support.uses[0]
                toward_bed = (x < 0) == (down == "left")
                cm = self.cat.pillow_cm("side", -abs(x) if toward_bed else abs(x))
            out.append((hold.how.format(deg=_deg(x), cm=cm), 1))
        return out

    # ---------------------------------------------------------------- ends of a muscle

    def _ends(self, facts) -> list[_End]:
        out = []
        for attachments in (facts.origin, facts.insertion):
            first = attachments[0]
            if all(not self.env.may_press(a.landmark) for a in attachments):
                out.append(_End("no_press", first.landmark, self.kb.landmark(first.landmark).name, None))
                continue
            safe = [a for a in attachments if self.env.may_press(a.landmark)]
            felt = [a for a in safe if a.felt_directly]
            ranked = sorted(felt or safe, key=lambda a: a.landmark in self.env.turned)
            a = ranked[0]
            out.append(_End("felt" if felt else "deep", a.landmark, self.kb.landmark(a.landmark).name, _short(a.find_it)))
        return out

    # ---------------------------------------------------------------- techniques

    def _techniques(self, targets: list[Target], gains_apart: bool) -> tuple[dict, dict]:
        facts = [self.kb.muscle(t.muscle) for t in targets]
        ends = [self._ends(f) for f in facts]
        pressable = [[e for e in es if e.kind != "no_press"] for es in ends]
        pressed_at = tuple((e.landmark, t.side) for t, es in zip(targets, pressable) for e in es)
        needed = max((len(p) for p in pressable), default=0)
        searches = [
            (targets, "ease", "shorten", self.ease, "held", "sustained", pressed_at, min(2, needed)),
            (targets, "repositioning", "shorten", self.ease, "neutral", "sustained"),
            (targets, "helper", "shorten", self.ease, "neutral", "sustained"),
            (targets, "stretch", "lengthen", self.stretch, "free", "stretch"),
        ]
        # The four searches are independent; the model's kernel releases the GIL, so two
        # threads use both cores (each search's result is the same as run alone).
        found = map_on_cores(lambda args: self._best(*args), searches)
        (ease_config, ease), (repos_config, repos), (helper_config, helper), (stretch_config, stretch) = found
        results = {"muscle_shortening": ease, "repositioning": repos, "strain_counterstrain": stretch}
        techniques = {
            "muscle_shortening": self._shortening(targets, facts, ends, ease_config, ease, gains_apart),
            "repositioning": self._repositioning(repos_config, repos, helper_config, helper),
            "strain_counterstrain": self._counterstrain(targets, facts, stretch_config, stretch),
            "jones_counterstrain": self._jones(targets),
        }
        return techniques, results

    def single(self, target: Target) -> dict:
        techniques, _ = self._techniques([target], gains_apart=False)
        facts = self.kb.muscle(target.muscle)
        return {
            "muscle": target.muscle,
            "side": target.side,
            "common_name": facts.common_name,
            "attachments": attachment_entries(target.muscle, self.kb),
            "techniques": techniques,
            "held_back": self._held_back(techniques),
            "cautions": list(facts.cautions),
            "neighbours": list(facts.neighbours),
            "notice": NOTICE,
        }

    def combined(self, targets: list[Target]) -> dict:
        techniques, results = self._techniques(targets, gains_apart=True)
        for name, result in results.items():
            techniques[name]["by_muscle"] = [
                {"muscle": t.muscle, "side": t.side, "length_change_pct": round(float(p), 1)}
                for t, p in zip(targets, result.pct)
            ]
        for entry in techniques["muscle_shortening"]["by_muscle"]:
            entry["barely_slackened"] = entry["length_change_pct"] > -_DOSES.min_pressed_slack_pct
        return {"techniques": techniques, "held_back": self._held_back(techniques)}

    def _held_back(self, techniques: dict) -> list[str]:
        """Each findings cap once (the tightest), with the angles the plan actually uses."""
        caps = {}
        for cap in self.ease.caps + self.stretch.caps:
            key = (cap.variable, cap.sign)
            if key not in caps or cap.cap < caps[key].cap:
                caps[key] = cap
        shown = {
            "the position of ease": techniques["muscle_shortening"]["posture"],
            "the stretch": techniques["strain_counterstrain"]["stretch_posture"],
        }
        notes = []
        for cap in caps.values():
            if not VARIABLES[cap.variable].is_neck and not any(cap.variable in p for p in shown.values()):
                used = {}
            else:
                used = {what: posture.get(cap.variable, 0.0) for what, posture in shown.items()}
            notes.append(cap.note(used))
        return list(dict.fromkeys(notes))

    # ---------------------------------------------------------------- muscle shortening

    def _shortening(self, targets, facts, ends, config, result, gains_apart: bool) -> dict:
        w = _WORDS["muscle_shortening"]
        posture = result.posture
        steps = _Steps()
        steps.add(w["start"])
        kept = []
        for i, (t, f) in enumerate(zip(targets, facts)):
            pct = float(result.pct[i])
            if gains_apart and pct > -_DOSES.min_pressed_slack_pct:
                continue
            kept.append(i)
        finder = {}  # (target, landmark) -> the hand that found that end, and presses it
        for i in kept:
            t, f = targets[i], facts[i]
            name = f.common_name.lower()
            hands = [other_side(t.side), t.side]
            first = True
            for end in ends[i]:
                if end.kind == "no_press":
                    steps.add(w["no_press_end"].format(side=t.side, name=name, place=end.place, no_press=self.env.no_pressure_words))
                elif config.support.covers(end.landmark, t.side):
                    steps.add(w["lain_on_end"].format(side=t.side, name=name, place=end.place))
                elif end.kind == "deep":
                    how = (end.how + ".") if end.how else w["card_hint"].strip().strip("()").capitalize() + "."
                    steps.add(w["deep_end"].format(side=t.side, name=name, place=end.place, how=how), jobs=[(hands[0], "feels for the end")])
                    finder[(i, end.landmark)] = hands[0]
                else:
                    hand = hands[0] if first else hands[1]
                    how = f" ({end.how})" if end.how else w["card_hint"]
                    key = "find_end" if first else "find_other_end"
                    steps.add(w[key].format(side=t.side, name=name, hand=hand, place=end.place, how=how), jobs=[(hand, "finds the end")])
                    finder[(i, end.landmark)] = hand
                    first = False
        steps.phase = "position"
        steps.add(w["settle"].format(support=config.support.words), hold=[(limb, config.support.id) for limb in config.support.uses])
        placements = self._placement_moves(config, posture)
        for chunk in _chunks([(p, p[1]) for p in placements]):
            steps.add(
                w["place"].format(what=" and ".join(dict.fromkeys(p[3] for p, _ in chunk)), moves="; ".join(p[0] for p, _ in chunk)),
                movements=sum(n for _, n in chunk),
                hold=[(limb, "holds the position") for p, _ in chunk for limb in p[2]],
            )
        neck = self._support_moves(config, posture)
        for chunk in _chunks(neck):
            steps.add(w["move"].format(moves="; ".join(t for t, _ in chunk)), movements=len(chunk))
        if not neck and not placements:
            steps.add(w["no_move"])
        steps.phase = "press" if kept else steps.phase
        free = config.free_hands()
        pressed_landmarks = []
        for i in kept:
            t, f = targets[i], facts[i]
            name = f.common_name.lower()
            felt = [e for e in ends[i] if e.kind != "no_press"]
            can = [e for e in felt if not config.support.covers(e.landmark, t.side)]
            pairs, spare = [], list(free)
            for end in can:  # each end pressed by the hand that found it, if that hand is free
                hand = finder.get((i, end.landmark))
                hand = hand if hand in spare else (spare[0] if spare else None)
                if hand is not None:
                    spare.remove(hand)
                    pairs.append((hand, end))
            if pairs:
                if len(pairs) == 2:
                    text = w["press_two"].format(
                        name=name, hand_a=pairs[0][0], end_a=pairs[0][1].place, hand_b=pairs[1][0], end_b=pairs[1][1].place,
                        pressure=f.palpation.pressure, notes=f.palpation.notes.rstrip("."),
                    )
                else:
                    text = w["press_one"].format(
                        name=name, hand=pairs[0][0], end=pairs[0][1].place, pressure=f.palpation.pressure, notes=f.palpation.notes.rstrip(".")
                    )
                jobs = [(hand, f"presses the {name} at the {end.place}") for hand, end in pairs]
                pressed_landmarks += [end.landmark for _, end in pairs]
            else:
                why = w["cannot_press"] if not felt else w["lying_on_it"] if not can else w["no_hand_free"]
                text, jobs = w["press_none"].format(name=name, why=why), []
            steps.add(text, jobs=jobs)
            steps.add(w["hold"].format(hold_seconds=_DOSES.hold_seconds), jobs=jobs)
        for i, (t, f) in enumerate(zip(targets, facts)):
            if i not in kept:
                steps.add(w["barely"].format(side=t.side, name=f.common_name.lower(), pct=f"{float(result.pct[i]):+.1f}"))
        if not kept:
            steps.add(w["hold"].format(hold_seconds=_DOSES.hold_seconds))
        steps.phase = "return"
        steps.let_go()
        steps.add(w["release"])
        steps.add(w["rerate"])
        return {
            "posture": posture,
            "length_change_pct": _pct(result.pct),
            "hold_seconds": _DOSES.hold_seconds,
            "steps": steps.texts,
            "if_it_hurts": IF_IT_HURTS,
            "available": True,
            "positions": _position_ids(config),
            "lying": config.support.lying,
            "pressed": list(dict.fromkeys(pressed_landmarks)),
            "step_hands": steps.hands,
            "step_groups": steps.groups(),
        }

    # ---------------------------------------------------------------- repositioning

    def _repositioning(self, config, result, helper_config, helper) -> dict:
        w = _WORDS["repositioning"]
        pct = _pct(result.pct)
        out = {
            "posture": result.posture,
            "length_change_pct": pct,
            "hold_seconds": _DOSES.hold_seconds,
            "steps": [],
            "helper_steps": [],
            "if_it_hurts": IF_IT_HURTS,
        }
        if pct > -_DOSES.weak_repositioning_pct or not result.posture:
            out.update(
                posture={},
                available=False,
                reason=" ".join(w["unavailable"].format(pct=f"{abs(pct):.1f}", threshold=f"{_DOSES.weak_repositioning_pct:g}").split()),
                step_hands=[],
                helper_step_hands=[],
            )
            return out
        own = self._repositioning_steps(config, result.posture, helper=False)
        helped = self._repositioning_steps(helper_config, helper.posture, helper=True)
        out.update(
            steps=own.texts,
            helper_steps=helped.texts,
            available=True,
            positions=_position_ids(config),
            helper_posture=helper.posture,
            helper_length_change_pct=_pct(helper.pct),
            helper_positions=_position_ids(helper_config),
            step_hands=own.hands,
            step_groups=own.groups(),
            helper_step_hands=helped.hands,
            helper_step_groups=helped.groups(),
        )
        return out

    def _repositioning_steps(self, config, posture, helper: bool) -> _Steps:
        w = _WORDS["repositioning"]
        steps = _Steps()
        steps.add(w["helper_start" if helper else "start"].format(support=config.support.words))
        steps.phase = "position"
        for chunk in _chunks([(p, p[1]) for p in self._placement_moves(config, posture)]):
            steps.add(
                w["move"].format(moves="; ".join(p[0] for p, _ in chunk)),
                movements=sum(n for _, n in chunk),
                hold=[(limb, "holds the position") for p, _ in chunk for limb in p[2]],
            )
        steps.add(w["hold"].format(hold_seconds=_DOSES.hold_seconds))
        steps.phase = "return"
        steps.let_go()
        steps.add(w["helper_release" if helper else "release"])
        steps.add(w["rerate"])
        return steps

    # ---------------------------------------------------------------- strain-counterstrain

    def _counterstrain(self, targets, facts, config, result) -> dict:
        w = _WORDS["strain_counterstrain"]
        cols = self._columns(targets)
        posture = result.posture
        pct = _pct(result.pct)
        out = {
            "resist_direction": {},
            "stretch_posture": posture,
            "length_change_pct": pct,
            "push_effort_pct": list(_DOSES.push_effort_pct),
            "push_seconds": list(_DOSES.push_seconds),
            "repetitions": _DOSES.push_repetitions,
            "stretch_hold_seconds": list(_DOSES.stretch_hold_seconds),
            "steps": [],
            "if_it_hurts": IF_IT_HURTS,
        }
        if pct < _DOSES.min_stretch_pct:
            out.update(available=False, reason=" ".join(w["unavailable"].format(pct=f"{_DOSES.min_stretch_pct:g}").split()), step_hands=[])
            return out
        push, hands = self._push(cols, posture)
        pushers = self._pushers(targets, push)
        names = " and ".join(f.common_name.lower() for f in facts)
        steps = _Steps()
        steps.add(w["start"].format(support=self.cat.supports["sitting_chair"].words))
        if push:
            steps.phase = "push"
            steps.add(
                w["push"].format(pushes="; ".join(describe(v, s, "push") for v, s in push.items())),
                jobs=[(hand, f"stops the push ({v})") for v, hand in hands.items() if hand],
                movements=len(push),
            )
            if pushers:
                steps.add(" ".join(w["pushers"].format(name=names, muscles=", ".join(n for _, _, n in pushers)).split()))
            steps.add(
                w["dose"].format(
                    effort_low=_DOSES.push_effort_pct[0],
                    effort_high=_DOSES.push_effort_pct[1],
                    seconds_low=_DOSES.push_seconds[0],
                    seconds_high=_DOSES.push_seconds[1],
                    repetitions=_DOSES.push_repetitions,
                ),
                jobs=[(hand, f"stops the push ({v})") for v, hand in hands.items() if hand],
            )
        steps.phase = "stretch"
        for chunk in _chunks([(p, p[1]) for p in self._placement_moves(config, posture)]):
            steps.add(
                w["place"].format(what=" and ".join(dict.fromkeys(p[3] for p, _ in chunk)), moves="; ".join(p[0] for p, _ in chunk)),
                movements=sum(n for _, n in chunk),
                hold=[(limb, "holds the stretch position") for p, _ in chunk for limb in p[2]],
            )
        neck = [(describe(v, x, "move", range_span=self._range_span(v, x)), 1) for v, x in posture.items() if v in NECK_VARIABLES]
        for n, chunk in enumerate(_chunks(neck)):
            key = "stretch" if n == 0 else "stretch_more"
            steps.add(" ".join(w[key].format(moves="; ".join(t for t, _ in chunk)).split()), movements=len(chunk))
        hold = _DOSES.stretch_hold_seconds
        steps.add(" ".join(w["stretch_hold"].format(hold_low=hold[0], hold_high=hold[1]).split()))
        steps.phase = "return"
        steps.let_go()
        steps.add(w["release"])
        steps.add(w["rerate"])
        out.update(
            resist_direction=push,
            steps=steps.texts,
            available=True,
            positions=_position_ids(config),
            pushed_by=[{"muscle": m, "side": s} for m, s, _ in pushers],
            step_hands=steps.hands,
            step_groups=steps.groups(),
        )
        return out

    def _push(self, cols: list[int], stretch_posture: dict) -> tuple[dict, dict]:
        """The gentle push goes toward lengthening: the main directions of the stretch, at
        most two, each stopped by a different hand (or a support)."""
        if not stretch_posture:
            return {}, {}
        alone = [{v: x} for v, x in stretch_posture.items()]
        pct = self.body.length_change_pct_batch(self.body.postures_array(alone), cols).mean(axis=1)
        floor = _DOSES.push_share * pct.max()
        ranked = [v for p, v in sorted(zip(pct, stretch_posture), reverse=True) if p > 0 and p >= floor][:2]
        push, hands, busy = {}, {}, set()
        for v in ranked:
            sign = 1 if stretch_posture[v] > 0 else -1
            want = _phrases()[VARIABLES[v].base]["positive" if sign > 0 else "negative"]["push_hand"]
            side = VARIABLES[v].side
            if want == "none":
                hand = None
            elif want == "other":
                hand = other_side(side) if side else None
            elif want == "any":
                hand = next((h for h in ("right", "left") if h not in busy), "")
            else:
                hand = want
            if hand == "" or (hand is not None and hand in busy):
                continue  # no free hand for a second push: one push is enough
            if hand:
                busy.add(hand)
            push[v], hands[v] = sign, hand
        order = [v for v in self.body.posture_variables if v in push]
        return {v: push[v] for v in order}, {v: hands[v] for v in order}

    def _pushers(self, targets, push: dict) -> list[tuple[str, str, str]]:
        """The muscles that make the push: those the push direction shortens most (the
        treated muscles excluded), as (muscle, side, name)."""
        if not push:
            return []
        posture = {v: 0.3 * s * self._range_span(v, s) for v, s in push.items()}
        pct = self.body.length_change_pct_batch(self.body.postures_array([posture]))[0]
        treated = {(t.muscle, t.side) for t in targets}
        ranked = sorted(
            ((float(pct[self.body.column(m, s)]), m, s) for m, s in self.body.muscle_sides if (m, s) not in treated),
        )
        out = []
        for p, m, s in ranked[:3]:
            if p < -_DOSES.min_pressed_slack_pct:
                out.append((m, s, f"{s} {self.kb.muscle(m).common_name.lower()}"))
        return out

    # ---------------------------------------------------------------- Jones

    def _jones(self, targets: list[Target]) -> dict:
        w = _WORDS["jones_counterstrain"]
        base = {
            "posture": {},
            "length_change_pct": 0.0,
            "hold_seconds": _DOSES.hold_seconds,
            "tenderness_reduction_target_pct": _DOSES.jones_tenderness_drop_pct,
            "tender_point": "",
            "steps": [],
            "if_it_hurts": IF_IT_HURTS,
        }
        if len(targets) > 1:
            return {**base, "available": False, "reason": " ".join(w["one_at_a_time"].split()), "step_hands": []}
        t = targets[0]
        points = self.jones.for_muscle(t.muscle)
        if not points:
            return {**base, "available": False, "reason": " ".join(w["no_point"].split()), "step_hands": []}
        safe = [p for p in points if self.env.may_press(p.landmark)]
        if not safe:
            p = points[0]
            reason = w["unsafe_point"].format(name=p.name, where=p.where, no_press=self.env.no_pressure_words)
            return {**base, "tender_point": p.where, "available": False, "reason": " ".join(reason.split()), "step_hands": [],
                    "jones_point": self._point_entry(p, t, {}, [])}
        point = safe[0]
        support = self.cat.supports[point.support]
        wanted = point.posture(t.side, self.body)
        clipped = {v: min(max(x, self.ease.low[v]), self.ease.high[v]) for v, x in wanted.items()}
        # the shoulder-blade parts are held by arm positions that rest on a support
        arms, left_out = [], []
        for v, x in list(clipped.items()):
            if VARIABLES[v].is_neck or x == 0:
                continue
            sign = 1 if x > 0 else -1
            place = next(
                (q for q in self.cat.arms.values()
                 if "jones" in q.techniques and support.id in q.supports and q.variables(t.side).get(v, (0,))[0] == sign
                 and all(limb not in {l for a, s in arms for l in a.limbs(s)} for limb in q.limbs(t.side))),
                None,
            )
            if place is None:
                left_out.append(v)
                del clipped[v]
                continue
            lo, hi = self.body.ranges[v]
            share = place.variables(t.side)[v][1]
            clipped[v] = max(x, share * lo) if x < 0 else min(x, share * hi)
            arms.append((place, t.side))
        posture = self.env.back_off({v: float(round(x)) for v, x in clipped.items() if round(x) != 0}, "sustained",
                                    lying=support.lying, pressed=(point.landmark,))
        config = _used_only(Configuration(support, tuple(arms)), posture)
        col = self.body.column(t.muscle, t.side)
        pct = float(self.body.length_change_pct_batch(self.body.postures_array([posture]))[0, col]) if posture else 0.0
        steps = _Steps()
        steps.add(w["start"].format(support=support.words), hold=[(limb, support.id) for limb in support.uses])
        steps.add(" ".join(w["find_point"].format(name=point.name, where=point.where).split()),
                  hold=[("helper_left", "monitors the tender point")])
        steps.phase = "position"
        for chunk in _chunks([(p, p[1]) for p in self._placement_moves(config, posture)]):
            steps.add(w["place"].format(what=" and ".join(dict.fromkeys(p[3] for p, _ in chunk)), moves="; ".join(p[0] for p, _ in chunk)),
                      movements=sum(n for _, n in chunk), hold=[(limb, "rests in position") for p, _ in chunk for limb in p[2]])
        neck = [(describe(v, x, "helper"), 1) for v, x in posture.items() if v in NECK_VARIABLES]
        for chunk in _chunks(neck):
            steps.add(w["move"].format(moves="; ".join(t for t, _ in chunk)), movements=len(chunk),
                      hold=[("helper_right", "holds your head")] if not any(l == "helper_right" for l, _ in steps.held) else [])
        if not neck:
            steps.add(w["no_move"])
        steps.add(" ".join(w["fine_tune"].format(drop_pct=_DOSES.jones_tenderness_drop_pct).split()))
        steps.add(w["hold"].format(hold_seconds=_DOSES.hold_seconds))
        steps.phase = "return"
        steps.let_go()
        steps.add(w["release"], jobs=[("helper_right", "brings you back to neutral")])
        steps.add(w["rerate"], jobs=[("helper_left", "presses the tender point")])
        return {
            **base,
            "posture": posture,
            "length_change_pct": round(pct, 1),
            "tender_point": point.where,
            "steps": steps.texts,
            "available": True,
            "positions": _position_ids(config),
            "jones_point": self._point_entry(point, t, wanted, left_out),
            "step_hands": steps.hands,
            "step_groups": steps.groups(),
        }

    def _point_entry(self, point, target: Target, wanted: dict, left_out: list[str]) -> dict:
        return {
            "code": point.code,
            "name": point.name,
            "where": point.where,
            "landmark": point.landmark,
            "why": point.muscles[target.muscle],
            "jones_position": dict(point.components),
            "jones_posture": wanted,
            "left_out": left_out,
            "sources": [self.jones.sources[s] for s in point.sources],
        }


def _shortfall(config, hands_needed: int, pressed_at) -> int:
    """How many of the ``hands_needed`` presses ``config`` cannot give: a hand is busy
    holding the position, or the body rests on the end to press."""
    reachable = sum(1 for landmark, side in pressed_at if not config.support.covers(landmark, side))
    return hands_needed - min(hands_needed, len(config.free_hands()), reachable)


def _used_only(config: Configuration, posture: dict) -> Configuration:
    """The configuration without the arm and trunk positions the posture does not use."""
    arms = tuple((p, side) for p, side in config.arms if any(posture.get(v) for v in p.variables(side)))
    trunk = config.trunk if config.trunk and any(posture.get(v) for v in config.trunk.variables(None)) else None
    return Configuration(config.support, arms, trunk)


def _position_ids(config: Configuration) -> list[str]:
    return [config.support.id] + [f"{p.id}:{side}" for p, side in config.arms] + ([config.trunk.id] if config.trunk else [])


def _deg(value: float) -> int:
    return int(5 * round(abs(value) / 5)) or max(1, int(round(abs(value))))


def _pct(values) -> float:
    return round(float(sum(values) / len(values)), 1)
