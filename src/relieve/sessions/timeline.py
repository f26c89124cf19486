"""A technique as timed phases, each with its cue, derived from the plan's numbers.

The plan says how long each hold, push and stretch lasts (techniques/data/doses.yaml);
the few timings it leaves to the person's pace (settling in, coming back, resting)
come from ``data/sessions.yaml``. ``time_scale`` multiplies every timer (0.01 in tests).
"""

from __future__ import annotations

from dataclasses import dataclass

from ._settings import settings, value


@dataclass(frozen=True)
class Phase:
    kind: str          # settle, hold, push, relax, stretch, return, rest
    seconds: float     # at time scale 1
    cue: str
    repetition: int = 0  # 1..n for the pushes and the rests between them


def _pick(bound, which: str) -> float:
    if isinstance(bound, (list, tuple)):
        return float(bound[0] if which == "low" else bound[-1])
    return float(bound)


def phases_for(key: str, technique: dict) -> list[Phase]:
    """The timed phases of one technique of a plan (``plan.techniques[key]``)."""
    if technique.get("available") is False:
        return []
    timing = settings()["timing"]
    cues = settings()["cues"]
    settle = Phase("settle", value("timing", "settle_seconds"), cues["settle"][key])
    back = Phase("return", value("timing", "return_seconds"), cues["return"])
    rest = Phase("rest", value("timing", "rest_seconds"), cues["rest"])
    if key == "strain_counterstrain":
        push_s = _pick(technique["push_seconds"], timing["push_from_range"])
        stretch_s = _pick(technique["stretch_hold_seconds"], timing["stretch_from_range"])
        effort = technique.get("push_effort_pct")
        effort_words = f"{effort[0]}-{effort[-1]} %" if isinstance(effort, (list, tuple)) else f"{effort} %"
        out = [settle]
        for i in range(1, int(technique["repetitions"]) + 1):
            out.append(Phase("push", push_s, cues["push"].format(effort=effort_words), i))
            out.append(Phase("relax", value("timing", "push_rest_seconds"), cues["relax"], i))
        return out + [Phase("stretch", stretch_s, cues["stretch"]), back, rest]
    # A position of ease where no end can be pressed (none can be felt, no hand is free,
    # or the body rests on them: the plan's steps say which) is held without pressing.
    hold = "without_pressure" if key == "muscle_shortening" and not technique.get("pressed") else key
    return [settle, Phase("hold", float(technique["hold_seconds"]), cues["hold"][hold]), back, rest]


class PhaseTimer:
    """Runs one phase against a clock; interrupted (Ctrl-C inside ``clock.sleep``), a second
    ``run`` goes on with the time that was left."""

    def __init__(self, phase: Phase, clock, time_scale: float, tick: float = 0.1):
        self.phase, self.clock = phase, clock
        self.total = phase.seconds * time_scale
        self.elapsed = 0.0
        self.tick = tick

    # Clocks count in microseconds: a remainder below a millisecond is done.
    EPSILON = 0.001

    @property
    def remaining(self) -> float:
        left = self.total - self.elapsed
        return left if left > self.EPSILON else 0.0

    def run(self, on_tick=None) -> None:
        while self.remaining > 0:
            if on_tick:
                on_tick(self)
            before = self.clock.now()
            try:
                self.clock.sleep(min(self.tick, self.remaining))
            finally:
                self.elapsed += (self.clock.now() - before).total_seconds()
        if on_tick:
            on_tick(self)
