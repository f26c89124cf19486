"""Break reminders for sustained postures: when they fall (outside quiet hours) and
which 30-second micro-movement each one suggests, chosen for the person's recurring
muscles from their history and computed from the model (half the plan's stretch)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from ..errors import RelieveError
from ._settings import value

_DURATION = re.compile(r"^\s*(?:(\d{1,3})\s*h)?\s*(?:(\d{1,4})\s*m)?\s*(?:(\d{1,5})\s*s)?\s*$")


def parse_duration(text: str, field: str) -> timedelta:
    """``30m``, ``1h30m``, ``8h``, ``45s`` -> a positive timedelta."""
    m = _DURATION.match(text or "")
    if not m or not any(m.groups()):
        raise RelieveError(f"expected a duration like 30m, 1h30m or 8h, got {text!r}", field=field)
    h, mi, s = (int(g or 0) for g in m.groups())
    out = timedelta(hours=h, minutes=mi, seconds=s)
    if out <= timedelta(0):
        raise RelieveError("the duration must be more than zero", field=field)
    return out


def parse_quiet(text: str | None) -> tuple[time, time] | None:
    """``22:00-07:00`` -> (22:00, 07:00); quiet hours may run past midnight."""
    if not text:
        return None
    m = re.fullmatch(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", text)
    if not m:
        raise RelieveError(f"expected quiet hours like 22:00-07:00, got {text!r}", field="--quiet")
    a, b, c, d = map(int, m.groups())
    if a > 23 or c > 23 or b > 59 or d > 59:
        raise RelieveError(f"not a time of day in {text!r}", field="--quiet")
    return time(a, b), time(c, d)


def is_quiet(moment: datetime, quiet: tuple[time, time] | None) -> bool:
    if quiet is None:
        return False
    start, end = quiet
    t = moment.timetz().replace(tzinfo=None)
    return start <= t < end if start <= end else (t >= start or t < end)


def reminder_times(start: datetime, every: timedelta, duration: timedelta | None,
                   quiet: tuple[time, time] | None, local) -> list[datetime] | None:
    """The moments reminders fall, ``every`` apart from ``start`` until ``duration``
    (None: endless, returns None), skipping quiet hours (in local time: ``local(dt)``)."""
    if duration is None:
        return None
    out, t = [], start + every
    while t <= start + duration:
        if not is_quiet(local(t), quiet):
            out.append(t)
        t += every
    return out


@dataclass(frozen=True)
class MicroMovement:
    muscle: str
    side: str
    text: str
    seconds: int


def micro_movement(muscle: str, side: str) -> MicroMovement:
    """A gentle movement toward the muscle's stretch, half as far (the plan's stretch
    posture, from the model), e.g. an opposite side-bend for a left levator scapulae."""
    from ..anatomy.postures import describe
    from ..techniques import plan

    technique = plan([(muscle, side)]).techniques["strain_counterstrain"]
    share = value("reminders", "share_of_stretch")
    posture = {k: v * share for k, v in (technique.get("stretch_posture") or {}).items() if abs(v * share) >= 2}
    seconds = int(value("reminders", "micro_movement_seconds"))
    if not posture:
        text = "roll your shoulders back slowly and sit tall"
    else:
        parts = [describe(k, v) for k, v in sorted(posture.items(), key=lambda kv: -abs(kv[1]))[:2]]
        text = "; ".join(parts)
    name = muscle.replace("_", " ")
    return MicroMovement(muscle, side, f"For your {side} {name}: {text}. Hold gently, breathing slowly, "
                                       f"{seconds} s, then come back slowly.", seconds)


def default_targets() -> list[tuple[str, str]]:
    return [tuple(x) for x in value("reminders", "default_muscles")]


def run_reminders(clock, every: timedelta, duration: timedelta | None, quiet, targets, notify,
                  local=lambda dt: dt.astimezone()) -> int:
    """Sleep on ``clock`` until each reminder, then ``notify(moment, movement)``; returns
    how many were given. Ctrl-C (KeyboardInterrupt in ``clock.sleep``) ends it cleanly."""
    targets = list(targets) or default_targets()
    movements = [micro_movement(m, s) for m, s in targets]
    start = clock.now()
    end = start + duration if duration is not None else None
    given = 0
    nxt = start + every
    try:
        while end is None or nxt <= end:
            wait = (nxt - clock.now()).total_seconds()
            clock.sleep(max(0.0, wait))
            if not is_quiet(local(nxt), quiet):
                notify(nxt, movements[given % len(movements)])
                given += 1
            nxt += every
    except KeyboardInterrupt:
        pass
    return given
