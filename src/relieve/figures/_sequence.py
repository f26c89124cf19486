"""A plan's pictures: one per group of steps of each technique (start, position, press,
push, stretch), numbered like the steps, the same sequence for every front end.

Each picture poses the human figure (``_person``) in the posture the plan computed for
that group, with the catalogue's support and arm positions, the hands where the steps
put them (``step_hands``), the muscle in colour (slack or stretched), its ends named in
plain words, fingertip spots on the heads of a pressed end under one hand, and arrows for the
movement, the press and the gentle push.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..vocabulary import NECK_VARIABLES, VARIABLES
from ._inputs import defaults, muscle_name, place_name
from ._motion import arrows_for, best_track, path_length, screen_length
from ._panels import (Callout, Panel, draw_arrow, draw_end, draw_faint_skeleton, draw_muscle, draw_outline,
                      draw_person, draw_spot)
from ._person import (Hand, Head, _neck, _trunk, _unit, arm_pieces, helper_pieces, props, shoulder_joint)
from ._render import encode
from ._scene import Scene, skeleton
from ._style import INK, KINDS, MIN_TRAVEL
from ._views import VIEWS

TECHNIQUE_ORDER = ("muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain")
TECHNIQUE_SHORT = {
    "muscle_shortening": ("1", "shortening", "Muscle shortening"),
    "repositioning": ("2", "repositioning", "Repositioning"),
    "strain_counterstrain": ("3", "counterstrain", "Strain-counterstrain"),
    "jones_counterstrain": ("4", "jones", "Jones' counterstrain"),
}
GROUP_WORDS = {
    "start": "get ready",
    "position": "the position",
    "press": "fingertip pressure",
    "push": "the gentle push",
    "stretch": "the stretch",
}
PRESS = "#17803d"
# The fingertips of one hand, spread side by side, cover about the hand's breadth at the
# knuckles: 76 mm for women, 87 mm for men (50th percentile, British adults; Pheasant S,
# Haslegrave CM, Bodyspace, 3rd ed., 2006). A pressed end's heads further than the
# smaller breadth from the pressed one are not under the same fingertips, so get no ring.
FINGERTIP_REACH = 0.076
_FINDS = ("finds the end", "feels for the end")
PUSHERS = "#e07b00"
TREATED_IN_PUSH = "#5b7fa6"


@dataclass(frozen=True)
class Picture:
    """One picture of a plan: ``name`` is a short file stem (``1b_shortening_position``),
    the same however many muscles the plan has."""

    name: str
    title: str
    alt: str
    technique: str
    group: str
    steps: tuple[int, int]
    svg: bytes
    png: bytes
    png_small: bytes

    def files(self) -> dict[str, bytes]:
        """File name -> bytes: the SVG and the PNG at two sizes."""
        return {f"{self.name}.svg": self.svg, f"{self.name}.png": self.png, f"{self.name}_small.png": self.png_small}

    def __iter__(self):  # (name, title, alt_text, svg, png) like a tuple
        return iter((self.name, self.title, self.alt, self.svg, self.png))


def plan_figures(plan, *, body=None, kb=None, formats: Sequence[str] = ("svg", "png", "png_small")) -> list[Picture]:
    """The pictures of a plan (``relieve.plan(...)``), in order: for each available
    technique, one per group of steps (the coming back is not drawn)."""
    body, kb = defaults(body, kb)
    from ..techniques._positions import catalogue

    cat = catalogue()
    out = []
    targets = [(p["muscle"], p["side"]) for p in plan.plans]
    for key in TECHNIQUE_ORDER:
        t = plan.techniques.get(key)
        if not t or t.get("available") is False:
            continue
        number, short, long = TECHNIQUE_SHORT[key]
        versions = [(t, short, long, False)]
        if t.get("helper_steps") and t.get("helper_step_groups"):
            # the helper's version of the same technique: its own posture, positions and hands
            helped = {**t, "steps": t["helper_steps"], "step_hands": t.get("helper_step_hands", []),
                      "step_groups": t["helper_step_groups"], "posture": t.get("helper_posture", {}),
                      "positions": t.get("helper_positions", []),
                      "length_change_pct": t.get("helper_length_change_pct")}
            versions.append((helped, "helper", f"{long} with a helper", True))
        letters = iter("abcdefgh")
        for version, name, words, helper in versions:
            groups = [g for g in version.get("step_groups", []) if g["group"] in GROUP_WORDS]
            for g in groups:
                letter = next(letters)
                spec = _Spec(key, version, g, targets, plan, cat, body, kb, helper=helper)
                steps = f"step {g['first']}" if g["first"] == g["last"] else f"steps {g['first']}\u2013{g['last']}"
                title = f"{number}. {words}, {steps}: {GROUP_WORDS[g['group']]}"
                alt = spec.alt(title)
                images = {fmt: (_render(spec, title, alt, fmt) if fmt in formats else b"")
                          for fmt in ("svg", "png", "png_small")}
                out.append(Picture(f"{number}{letter}_{name}_{g['group']}", title, alt, key, g["group"],
                                   (g["first"], g["last"]), images["svg"], images["png"], images["png_small"]))
    return out


def _render(spec: "_Spec", title: str, alt: str, fmt: str) -> bytes:
    return encode(lambda: spec.build(title), "png" if fmt == "png_small" else fmt, desc=alt,
                  dpi_scale=0.5 if fmt == "png_small" else 1.0)


# ---------------------------------------------------------------------------- one picture


def end_labels(names: Sequence[str], points: Sequence[np.ndarray]) -> list[tuple[str, np.ndarray]]:
    """One label per run of heads that differ only by their vertebra ("... of C2",
    "... of C3", "... of C4" -> "... of C2–C4"), at the run's middle."""
    import re

    pattern = re.compile(r"^(.*\b)([CT])(\d+)$")
    out: list[tuple[str, list]] = []
    for name, point in zip(names, points):
        m = pattern.match(name)
        if out and m and out[-1][0][0] == m.group(1) and out[-1][0][1] == m.group(2):
            out[-1][1].append((m.group(3), point))
            continue
        key = (m.group(1), m.group(2)) if m else (name, "")
        out.append((key, [(m.group(3) if m else "", point)]))
    labels = []
    for (stem, letter), items in out:
        if not letter:
            labels.append((stem, items[0][1]))
        elif len(items) == 1:
            labels.append((f"{stem}{letter}{items[0][0]}", items[0][1]))
        else:
            labels.append((f"{stem}{letter}{items[0][0]}–{letter}{items[-1][0]}", np.mean([p for _, p in items], axis=0)))
    return labels


def _stance(support: str) -> str:
    if support == "lying_back":
        return "lying_back"
    if support.startswith("side_lying_on_"):
        return "side_lying_" + support.removeprefix("side_lying_on_")
    return "upright"


_STANCE_WORDS = {
    "upright": "sitting upright",
    "lying_back": "lying on the back",
    "side_lying_left": "lying on the left side",
    "side_lying_right": "lying on the right side",
}


class _Spec:
    """What one picture shows, worked out from the plan."""

    def __init__(self, key, t, group, targets, plan, cat, body, kb, helper=False):
        self.key, self.t, self.group, self.targets, self.body, self.kb, self.cat = key, t, group["group"], targets, body, kb, cat
        self.first, self.last = group["first"], group["last"]
        self.plans = plan.plans
        positions = t.get("positions", [])
        support = next((p for p in positions if p in cat.supports), "sitting_chair")
        if self.group == "start" and key == "muscle_shortening":
            support = "sitting_chair"
        if self.group in ("push",) or (self.group == "start" and key != "jones_counterstrain" and not helper):
            support = support if cat.supports[support].lying and key == "jones_counterstrain" else "sitting_chair"
        self.support = support
        self.stance = _stance(support)
        self.placements = {}  # limb -> placement id
        if self.group in ("position", "press", "stretch") or (self.group == "start" and key == "jones_counterstrain"):
            for item in positions:
                pid, _, side = item.partition(":")
                place = cat.arms.get(pid) or cat.trunk.get(pid)
                if place is None:
                    continue
                for limb in place.limbs(side or None):
                    self.placements.setdefault(limb, (pid, side or limb))
        if self.group in ("position", "press"):
            self.posture = dict(t.get("posture", {}))
        elif self.group == "stretch":
            self.posture = dict(t.get("stretch_posture", {}))
        else:
            self.posture = {}
        self.push = dict(t.get("resist_direction", {})) if self.group == "push" else {}
        hands = t.get("step_hands", [])[self.first - 1:self.last]
        texts = t.get("steps", [])[self.first - 1:self.last]
        self.jobs: dict[str, tuple[str, str]] = {}
        for h, text in zip(hands, texts):
            for limb in h["limbs"]:
                self.jobs[limb["limb"]] = (limb["job"], text)
        self.slack = self.group in ("position", "press") or key == "jones_counterstrain"
        self.stretched = self.group == "stretch"

    # -- words

    def muscles_words(self) -> str:
        return ", ".join(f"{p['side']} {p['common_name'].lower()}" for p in self.plans)

    def alt(self, title: str) -> str:
        parts = [f"{title}. A person {_STANCE_WORDS[self.stance]}"]
        support = self.cat.supports[self.support]
        if self.group != "start" or self.key == "jones_counterstrain":
            parts[-1] += ": " + support.words.rstrip(".")
        from ..anatomy.postures import describe

        moves = [describe(v, x, "move") for v, x in self.posture.items() if v in NECK_VARIABLES and round(x)]
        if moves:
            parts.append("Head: " + "; ".join(moves))
        for limb, (pid, side) in sorted(self.placements.items()):
            place = self.cat.arms.get(pid) or self.cat.trunk.get(pid)
            parts.append(f"{limb.replace('_', ' ').capitalize()} arm: {pid.replace('_', ' ')}" if place else "")
        for limb, (job, _) in sorted(self.jobs.items()):
            who = "The helper's " + limb.removeprefix("helper_") + " hand" if limb.startswith("helper") else f"The {limb} hand"
            parts.append(f"{who} {job}")
        state = "stretched (red)" if self.stretched else ("slack (blue, wavy)" if self.slack else "drawn in blue")
        if self.push:
            pushers = ", ".join(f"{p['side']} {muscle_name(self.kb, p['muscle'])}" for p in self.t.get("pushed_by", []))
            parts.append(f"Arrows show the push; it is made by the muscles in orange ({pushers}); the treated "
                         f"{self.muscles_words()} only lets go")
        else:
            parts.append(f"The {self.muscles_words()} is {state} on the figure, its ends named")
        return ". ".join(p for p in parts if p) + "."

    # -- hands

    def _axis(self, scene: Scene, head: Head) -> np.ndarray:
        lm = scene.landmark
        pts = [head.centre_now(scene), (lm("c1_anterior_tubercle") + lm("c1_posterior_tubercle")) / 2]
        for o in scene.body.obstacles:
            pts.append(scene.fixed(o.body, [o.centre])[0])
        pts.append(scene.fixed("upper_thorax", [[0.0, -0.2, 0.0]])[0])
        return np.array(pts)

    def _outward(self, scene, head, point) -> np.ndarray:
        axis = self._axis(scene, head)
        best, dist = axis[0], 1e9
        for a, b in zip(axis, axis[1:]):
            d = b - a
            t = np.clip((point - a) @ d / max(d @ d, 1e-12), 0, 1)
            q = a + t * d
            if np.linalg.norm(point - q) < dist:
                best, dist = q, np.linalg.norm(point - q)
        away = point - best
        return _unit(away * [1.0, 0.25, 1.0])  # mostly level: the neck and trunk are upright columns

    def _rest(self, limb: str, scene: Scene) -> Hand:
        s = 1.0 if limb == "right" else -1.0
        if self.stance == "lying_back":
            return Hand(np.array([-0.07, -0.55, 0.25 * s]), fingers=np.array([0.0, -1.0, 0.0]),
                        into=np.array([-1.0, 0.0, 0.0]), pole=np.array([-1.0, 0.0, 0.4 * s]))
        if self.stance.startswith("side_lying"):
            down = -1.0 if self.stance.endswith("left") else 1.0
            if s == down:  # the arm underneath, bent in front
                return Hand(np.array([0.33, -0.06, 0.08 * s]), fingers=np.array([0.0, 1.0, 0.0]),
                            into=np.array([0.0, 0.0, s]), pole=np.array([1.0, -0.8, 0.0]))
            return Hand(np.array([0.12, -0.50, 0.2 * s]), fingers=np.array([0.4, -1.0, 0.0]),
                        into=np.array([0.0, 0.0, -s]), pole=np.array([-0.4, 0.0, s]))
        return Hand(np.array([0.26, -0.50, 0.15 * s]), fingers=np.array([1.0, 0.0, -0.2 * s]),
                    pole=np.array([-0.5, -1.0, 0.4 * s]))

    def _placed(self, limb: str, pid: str, side: str, scene: Scene, head: Head, hands: dict) -> Hand:
        s = 1.0 if limb in ("right", "helper_right") else -1.0
        sh = shoulder_joint(scene, limb) if limb in ("left", "right") else None
        down = np.array([0.0, -1.0, 0.0])
        if pid in ("high_armrest", "push_elbow_down"):
            y = -0.27 if pid == "high_armrest" else -0.32
            return Hand(np.array([0.2, y, 0.23 * s]), pole=np.array([-1.0, -0.6, 0.2 * s]))
        if pid == "elbow_back_on_armrest":
            return Hand(np.array([0.1, -0.33, 0.23 * s]), pole=np.array([-1.0, -0.3, 0.1 * s]))
        if pid == "elbow_in_other_hand":
            if limb == side:
                return Hand(np.array([0.2, -0.22, -0.04 * s]), fingers=np.array([0.2, 0.3, -s]),
                            into=np.array([-1.0, 0.0, 0.0]), pole=np.array([0.4, -1.0, 0.1 * s]))
            return Hand(np.array([0.1, -0.33, 0.12 * (-s)]), grip="palm", into=np.array([0.0, 1.0, 0.0]),
                        fingers=np.array([0.0, 0.0, -s]), pole=np.array([0.2, -1.0, 0.5 * s]))
        if pid == "sit_on_hand":
            return Hand(np.array([0.02, -0.56, 0.19 * s]), pole=np.array([-1.0, 0.0, 0.2 * s]))
        if pid == "hand_under_hip":
            return Hand(np.array([-0.13, -0.58, 0.15 * s]), fingers=np.array([0.0, -1.0, 0.0]),
                        into=np.array([-1.0, 0.0, 0.0]), pole=np.array([0.0, 0.0, s]))
        if pid == "hand_behind_back":
            return Hand(np.array([-0.17, -0.40, 0.07 * s]), fingers=np.array([0.0, 0.0, -s]),
                        into=np.array([-1.0, 0.0, 0.0]), pole=np.array([-0.5, -0.3, s]))
        if pid == "arm_across_chest":
            other = scene.landmark("acromion", "left" if s > 0 else "right")
            return Hand(other + [0.06, 0.0, 0.0], grip="palm", into=np.array([-0.6, -1.0, 0.0]),
                        fingers=np.array([-0.3, 0.0, -s]), pole=np.array([0.3, -1.0, 0.0]))
        if pid == "reach_forward":
            return Hand(sh + [0.52, 0.0, -0.04 * s], pole=np.array([0.0, -1.0, 0.5 * s]))
        if pid in ("arm_out_on_table", "arm_out_on_pillow"):
            lift = 0.25 if pid == "arm_out_on_pillow" else -0.02
            return Hand(sh + [0.12, lift, 0.48 * s], fingers=np.array([0.2, 0.0, s]),
                        into=np.array([-1.0, 0.0, 0.0]) if self.stance == "lying_back" else down,
                        pole=np.array([0.0, -1.0, 0.0]) if self.stance != "lying_back" else np.array([-1.0, -0.5, 0.0]))
        if pid == "arm_up_to_side":
            return Hand(sh + [0.05, 0.38, 0.33 * s], fingers=np.array([0.0, 1.0, 0.6 * s]),
                        into=np.array([0.0, 0.0, -s]), pole=np.array([0.0, -0.5, s]))
        if pid == "elbow_on_pillow":
            return Hand(np.array([0.08, -0.46, 0.11 * s]), fingers=np.array([0.0, -0.3, -s]),
                        into=np.array([-1.0, 0.0, 0.0]), pole=np.array([0.6, -1.0, s]))
        if pid == "forearms_on_table" or pid == "forehead_on_cushions":
            return Hand(np.array([0.42, -0.31, 0.11 * s]), fingers=np.array([1.0, 0.0, -0.3 * s]),
                        pole=np.array([-0.3, -1.0, 0.5 * s]))
        if pid.startswith("head_in_"):
            contact = head.surface_point(scene, np.array([0.25, -0.35, s]))
            return Hand(contact, grip="palm", into=_unit(head.centre_now(scene) - contact),
                        fingers=np.array([0.0, 1.0, 0.0]), pole=np.array([0.25, -1.0, 0.15 * s]))
        return self._rest(limb, scene)

    def _tips(self, limb, landmark, side, scene, head) -> Hand:
        point = scene.landmark(landmark, side)
        out = self._outward(scene, head, point)
        s = 1.0 if limb.endswith("right") else -1.0
        start = shoulder_joint(scene, limb) if limb in ("left", "right") else point + out * 0.2 + [0, -0.15, 0]
        reach = _unit(point - start)
        below_the_neck = point[1] < scene.landmark("c7_spinous_process")[1] + 0.01
        if limb in ("left", "right") and out[0] < -0.3 and below_the_neck:
            # the upper back is reached over the shoulder from the front, fingers pointing down
            return Hand(point, grip="tips", into=-out, fingers=np.array([-0.5, -1.0, 0.0]),
                        pole=np.array([1.0, -0.2, 0.4 * s]))
        return Hand(point, grip="tips", into=-out, fingers=_unit(0.6 * reach + [0.0, 0.8, 0.0]),
                    pole=_unit(np.array([0.1, -0.5, s]) + 0.3 * out))

    def _ends_named(self) -> dict[str, tuple[str, str]]:
        """Lay name -> (landmark, side) of every end of the plan's muscles."""
        out = {}
        for p in self.plans:
            for end in ("origin", "insertion"):
                for a in p["attachments"][end]:
                    out.setdefault(place_name(self.kb, a["landmark"]), (a["landmark"], p["side"]))
        jp = self.t.get("jones_point")
        if jp and jp.get("landmark"):
            side = self.plans[0]["side"]
            out.setdefault(jp["where"], (jp["landmark"], side))
        return out

    def _where(self, text: str) -> tuple[str, str] | None:
        named = self._ends_named()
        hits = [(text.find(name), name) for name in named if name and name in text]
        if not hits:
            return None
        return named[min(hits)[1]]

    def hands(self, scene: Scene, head: Head):
        """(pieces, fingertip points (point, pressed landmark side), push contacts)."""
        pieces, tips = [], []
        arms = {}
        for limb in ("left", "right"):
            job = self.jobs.get(limb)
            layer = f"arm.{limb}"
            hand = None
            if job:
                what, text = job
                if what in _FINDS or what.startswith("presses ") or "tender point" in what:
                    where = self._where(what) or self._where(text)
                    if where:
                        hand = self._tips(limb, where[0], where[1], scene, head)
                        tips.append((hand.point, "presses" in what))
                        layer += ".press"
                elif what.startswith("stops the push"):
                    var = what[what.find("(") + 1:what.find(")")]
                    hand = self._stop(var, scene, head)
            if hand is None and limb in self.placements:
                pid, side = self.placements[limb]
                hand = self._placed(limb, pid, side, scene, head, arms)
                arms[limb] = pid
            if hand is None and self.support in self.cat.supports and limb in self.cat.supports[self.support].uses:
                if self.support.startswith("head_in_"):
                    hand = self._placed(limb, self.support, limb, scene, head, arms)
            if hand is None and self.push:
                for v, sign in self.push.items():
                    if VARIABLES[v].side == limb and VARIABLES[v].is_scapular and sign < 0:
                        hand = self._placed(limb, "push_elbow_down", limb, scene, head, arms)
                        arms[limb] = "push_elbow_down"
            if hand is None:
                hand = self._rest(limb, scene)
            got, _ = arm_pieces(scene, limb, hand, layer)
            pieces += got
        for limb in ("helper_left", "helper_right"):
            job = self.jobs.get(limb)
            if not job:
                continue
            what, text = job
            if "tender point" in what or what in _FINDS:
                where = self._where(text) or self._where(what)
                if not where and self.t.get("jones_point"):
                    where = (self.t["jones_point"]["landmark"], self.plans[0]["side"])
                if where:
                    hand = self._tips(limb, where[0], where[1], scene, head)
                    hand = Hand(hand.point, grip="tips", into=hand.into, fingers=-hand.into * 0.3 + [0, 1.0, 0],
                                pole=hand.pole, helper=True)
                    tips.append((hand.point, False))
                    pieces += helper_pieces(hand, limb)
            elif "head" in what or "neutral" in what:
                back = head.surface_point(scene, np.array([-1.0, 0.1, 0.0]) if self.stance == "lying_back"
                                          else np.array([-0.6, 0.2, 0.0]))
                hand = Hand(back, grip="palm", into=_unit(head.centre_now(scene) - back),
                            fingers=np.array([0.0, 1.0, 0.0]), helper=True)
                pieces += helper_pieces(hand, limb)
            elif "position" in what:
                side = self.plans[0]["side"]
                s = 1.0 if side == "right" else -1.0
                lateral = np.array([0.0, 0.0, s])
                if limb == "helper_left":  # on the shoulder blade's lower tip, the hand slid in from the side
                    spot = scene.landmark("inferior_angle", side) + lateral * 0.05
                    hand = Hand(spot, grip="palm", into=-lateral, fingers=np.array([-0.3, 0.3, 0.0]), helper=True)
                else:  # under the elbow, palm up
                    spot = shoulder_joint(scene, side) + [-0.03, -0.29, 0.05 * s]
                    hand = Hand(spot, grip="palm", into=np.array([1.0, 0.0, 0.0]) if self.stance == "lying_back"
                                else np.array([0.0, 1.0, 0.0]), fingers=-lateral, helper=True)
                pieces += helper_pieces(hand, limb)
        return pieces, tips, arms

    def _stop(self, variable: str, scene: Scene, head: Head) -> Hand | None:
        """A palm where the head pushes: on the side of the head the push goes toward."""
        if variable not in self.push or not VARIABLES[variable].is_neck:
            return None
        sign = self.push[variable]
        i = self.body.posture_variables.index(variable)
        before = scene.posture.copy()
        after = before.copy()
        after[i] += sign * 10.0
        moved = Scene(self.body, after)
        centre0, centre1 = head.centre_now(scene), head.centre_now(moved)
        nose0 = scene.fixed(head.carrier, [head.nasion + [0.02, -0.03, 0.0]])[0]
        nose1 = moved.fixed(head.carrier, [head.nasion + [0.02, -0.03, 0.0]])[0]
        if np.linalg.norm(centre1 - centre0) > 0.5 * np.linalg.norm(nose1 - nose0):
            u = _unit(centre1 - centre0)
            contact = head.surface_point(scene, u + [0.0, 0.15, 0.0])
        else:
            u = _unit(nose1 - nose0)
            contact = head.surface_point(scene, _unit(u + [0.5, 0.1, 0.0]))
        side = 1.0 if contact[2] >= 0 else -1.0
        return Hand(contact, grip="palm", into=-u, fingers=np.array([0.0, 1.0, 0.0]),
                    pole=_unit(np.array([0.2, -1.0, 0.6 * side])))

    # -- the picture

    def views(self) -> list[str]:
        side = self.plans[0]["side"]
        if self.stance == "lying_back":
            # seen from the side of the muscle, unless that arm lies out toward the viewer
            out = any(pid in ("arm_out_on_pillow", "arm_out_on_table") and limb == side
                      for limb, (pid, _) in self.placements.items())
            return ["lying_above", f"lying_{('left' if side == 'right' else 'right') if out else side}"]
        if self.stance.startswith("side_lying"):
            return [f"{self.stance}_front", f"{self.stance}_back"]
        from ._motion import _at_the_back

        active = {v for v, x in self.posture.items() if round(x)} | set(self.push)
        bases = {VARIABLES[v].base for v in active}
        back = _at_the_back(self.body, self.kb, self.targets) or any(VARIABLES[v].is_scapular for v in active) \
            or any(p.startswith(("hand_behind", "sit_on", "elbow_back")) for p, _ in self.placements.values())
        if self.push and any(VARIABLES[v].is_neck for v in self.push):
            # the hand that stops the head shows from the front; the muscle from behind
            return ["front", "back" if back else side]
        first = "back" if back else "front"
        if bases & {"neck_rotation"}:
            second = f"front_{side}"
        elif bases & {"neck_flexion", "head_nod", "thoracic_flexion"} or not bases:
            second = side
        else:
            second = side
        return [first, second]

    def build(self, title: str):
        body, kb = self.body, self.kb
        target = body.posture_array(self.posture)
        scene = Scene(body, target)
        head = Head(body)
        hand_pieces_, tips, arms = self.hands(scene, head)
        figure = props(self.stance, [self.support], arms, scene, head) + [_neck(scene)] + _trunk(scene) \
            + head.pieces(scene) + hand_pieces_
        shapes = skeleton(scene)
        moved_head = self._head_moves()
        rest_head = head.skull_points()
        rest_scene = Scene(body, np.zeros_like(target))
        kind = "stretch" if self.stretched else "shortening"
        colour = KINDS[kind].colours[0]
        muscles = []
        for p in self.plans:
            paths = body.muscle_paths(p["muscle"], p["side"], target[None, :])
            muscles.append((p, paths))
        pushers = []
        for q in self.t.get("pushed_by", []) if self.push else []:
            pushers.append((q, body.muscle_paths(q["muscle"], q["side"], target[None, :])))
        panels = []
        for key in self.views():
            view = VIEWS[key]
            panel = Panel(view)
            pts = np.vstack([x for _, paths in muscles for x in paths.values()])
            panel.prefer = "left" if view.project(pts)[:, 0].mean() < 0 else "right"
            draw_person(panel, figure)
            draw_faint_skeleton(panel, shapes)
            if moved_head:
                draw_outline(panel, rest_scene.fixed(head.carrier, rest_head))
            for p, paths in muscles:
                draw_muscle(panel, paths, TREATED_IN_PUSH if self.push else colour, slack=self.slack, width=4.2)
            for q, paths in pushers:
                draw_muscle(panel, paths, PUSHERS, width=3.4)
                mid = np.vstack(list(paths.values())).mean(axis=0)
                panel.callouts.append(Callout(view.project(mid), f"pushes: {q['side']} {muscle_name(kb, q['muscle'])}",
                                              PUSHERS))
            self._label_ends(panel, scene, colour if not self.push else TREATED_IN_PUSH)
            for point, pressed in tips:
                draw_spot(panel, point)
            if self.group == "press":
                self._press_arrows(panel, scene)
            for tracks, arrow_colour, label in arrows_for(body, target, self.push, view) if (self.posture or self.push) else []:
                best = best_track(view, tracks)
                if screen_length(view, best) >= max(MIN_TRAVEL, 0.4 * path_length(best)):
                    draw_arrow(panel, best, arrow_colour, label)
            panels.append(panel)
        return panels, title, self.caption()

    def _label_ends(self, panel: Panel, scene: Scene, colour: str) -> None:
        """Both ends of each muscle, a dot on every head, one label per end in plain words."""
        seen: list[tuple[np.ndarray, str]] = []
        pressed = set(self.t.get("pressed", [])) if self.group == "press" else set()
        for p in self.plans:
            for end in ("origin", "insertion"):
                heads = p["attachments"][end]
                points = [scene.landmark(a["landmark"], p["side"]) for a in heads]
                under = [q for a, q in zip(heads, points) if a["landmark"] in pressed]
                for point in points:
                    draw_end(panel, point, colour, origin=end == "origin", size=5)
                    if any(np.linalg.norm(point - q) <= FINGERTIP_REACH for q in under):
                        draw_spot(panel, point)  # every head of a pressed end under the fingertips
                for name, point in end_labels([place_name(self.kb, a["landmark"]) for a in heads], points):
                    screen = panel.view.project(point)
                    if any(n == name or np.linalg.norm(s - screen) < 0.01 for s, n in seen) or len(seen) >= 6:
                        continue
                    seen.append((screen, name))
                    panel.callouts.append(Callout(screen, name, INK))

    def _press_arrows(self, panel: Panel, scene: Scene) -> None:
        pressed = set(self.t.get("pressed", []))
        for p in self.plans:
            ends = {e: [scene.landmark(a["landmark"], p["side"]) for a in p["attachments"][e]] for e in ("origin", "insertion")}
            for end, other in (("origin", "insertion"), ("insertion", "origin")):
                if not any(a["landmark"] in pressed for a in p["attachments"][end]):
                    continue
                target = np.mean(ends[other], axis=0)
                point = np.mean(ends[end], axis=0)
                d = _unit(target - point)
                path = np.array([point + d * 0.012 + d * 0.035 * k for k in np.linspace(0, 1, 6)])
                draw_arrow(panel, path, PRESS, "press")

    def _head_moves(self) -> bool:
        return any(round(x) for v, x in self.posture.items() if v in NECK_VARIABLES)

    def caption(self) -> list[str]:
        lines = []
        if self.push:
            lines.append("orange: the muscles that make the push  ·  blue-grey: the treated muscle, which only lets go"
                         "  ·  arrow: the way of the gentle push (your hand or the armrest stops it: nothing moves)")
        elif self.stretched:
            lines.append("red: the muscle, stretched  ·  arrow: the way to move"
                         + ("  ·  grey dashes: where the head started" if self._head_moves() else ""))
        elif self.slack:
            lines.append("blue, wavy: the muscle on slack  ·  arrow: the way to move"
                         + ("  ·  grey dashes: where the head started" if self._head_moves() else ""))
        else:
            lines.append("blue: the muscle  ·  filled dot: where it starts  ·  open dot: where it ends")
        extra = []
        if self.group == "press":
            extra.append("green rings: fingertips on the pressed end; green arrow: press toward the other end")
        elif any(j in _FINDS or "tender point" in j for j, _ in self.jobs.values()):
            extra.append("green rings: where the fingertips go")
        pct = self.t.get("length_change_pct")
        if self.group in ("position", "press", "stretch") and isinstance(pct, (int, float)):
            change = abs(pct)
            extra.append(f"the muscle is about {change:.0f} % {'longer' if pct > 0 else 'shorter'} than upright")
        extra.append("drawn from the relieve model")
        lines.append("  ·  ".join(extra))
        return lines
