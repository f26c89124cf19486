"""``relieve practice`` (drills with spaced repetition) and ``relieve remind`` (break
reminders with a micro-movement for your recurring muscles)."""

from __future__ import annotations

import shutil
import subprocess
import sys

from ._common import console as make_console
from ._common import plain, styled
from ._store import db_parent, open_db
from .._input import ascii_int
from ..errors import RelieveError

# The clock ``remind`` sleeps on; tests replace it with a fake one.
CLOCK_FACTORY = None


def _clock():
    if CLOCK_FACTORY is not None:
        return CLOCK_FACTORY()
    from ..sessions.clock import SystemClock

    return SystemClock()


def add_parsers(sub) -> None:
    p = sub.add_parser("practice", parents=[db_parent()],
                       help="drills on the muscles' ends and movements, spaced by your past answers")
    p.add_argument("--muscle", action="append", metavar="ID:SIDE", help="drill these muscles (default: yours)")
    p.add_argument("--count", type=int, default=5, help="how many cards (default 5)")
    p.add_argument("--status", action="store_true", help="show proficiency per muscle and stop")
    p.add_argument("--seed", type=int, default=None, help=argparse_suppress())
    p.set_defaults(func=cmd_practice)

    r = sub.add_parser("remind", parents=[db_parent()],
                       help="break reminders with a 30-second micro-movement for your recurring muscles")
    r.add_argument("--every", required=True, metavar="DURATION", help="e.g. 30m, 1h")
    r.add_argument("--for", dest="duration", metavar="DURATION", help="stop after this long, e.g. 8h (default: Ctrl-C)")
    r.add_argument("--quiet", metavar="HH:MM-HH:MM", help="no reminders in these hours (local time), e.g. 22:00-07:00")
    r.set_defaults(func=cmd_remind)


def argparse_suppress():
    import argparse

    return argparse.SUPPRESS


def _targets(items, field: str):
    from .plan import parse_targets

    targets = parse_targets(items, None) if items else []
    for i, (m, s) in enumerate(targets):
        from ..vocabulary import MUSCLE_IDS

        if m not in MUSCLE_IDS:
            raise RelieveError(f"unknown muscle id {m!r} (see `relieve muscles`)", field=f"{field}[{i}]")
        if s not in ("left", "right"):
            raise RelieveError(f"side must be left or right, got {s!r}", field=f"{field}[{i}]")
    return targets


def cmd_practice(args) -> int:
    import random

    from ..sessions.practice import answer, drill, due_cards, proficiency
    from ..sessions.progress import recurring_targets

    if not 1 <= args.count <= 100:
        raise RelieveError("must be 1 to 100", field="--count")
    targets = _targets(args.muscle, "--muscle")
    c = make_console()
    clock = _clock()
    with open_db(args) as store:
        if args.status:
            _show_proficiency(c, proficiency(store.cards()))
            return 0
        if not targets:
            targets = [t for t in recurring_targets(store.history(200)) if t[0]] or None
        keys = due_cards(store.cards(), clock.now(), targets, args.count)
        rng = random.Random(args.seed)
        right = 0
        for n, key in enumerate(keys, 1):
            d = drill(key, rng)
            c.print(styled((f"{n}. ", "bold"), d.question))
            for i, option in enumerate(d.options, 1):
                c.print(styled(f"   {i}) {option}"))
            choice = _ask_choice(c, len(d.options))
            if choice is None:
                break
            ok = answer(store, clock, d, choice - 1)
            right += ok
            c.print(plain("   Right." if ok else f"   Not quite: {d.options[d.answer]}", style="green" if ok else "yellow"))
        c.print(plain(f"{right} of {len(keys)} right."))
        _show_proficiency(c, proficiency(store.cards()))
    return 0


def _ask_choice(c, n: int) -> int | None:
    while True:
        line = sys.stdin.readline(64)
        if not line:
            return None
        v = ascii_int(line.strip())
        if v is not None and 1 <= v <= n:
            return v
        c.print(f"   Please type a number from 1 to {n}.")


def _show_proficiency(c, prof: dict[str, float]) -> None:
    if not prof:
        c.print("No practice yet.")
        return
    c.print("[bold]Proficiency per muscle[/bold] (share of its cards known: three right in a row)")
    for m, v in prof.items():
        c.print(plain(f"  {m:<32} {'#' * int(round(v * 20)):<20} {v:.0%}"))


def cmd_remind(args) -> int:
    from ..sessions.progress import recurring_targets
    from ..sessions.remind import parse_duration, parse_quiet, run_reminders

    every = parse_duration(args.every, "--every")
    duration = parse_duration(args.duration, "--for") if args.duration else None
    quiet = parse_quiet(args.quiet)
    with open_db(args) as store:
        targets = recurring_targets(store.history(200))
    c = make_console()
    notifier = shutil.which("notify-send")

    def notify(moment, movement):
        local = moment.astimezone().strftime("%H:%M")
        c.print(styled((f"{local} Time for a break. ", "bold"), movement.text))
        if notifier:
            try:
                subprocess.run([notifier, "relieve: time for a break", movement.text], timeout=5,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                pass

    c.print(plain(f"Reminders every {args.every}" + (f" for {args.duration}" if duration else " until Ctrl-C")
                  + (f", quiet {args.quiet}" if quiet else "") + "."))
    given = run_reminders(_clock(), every, duration, quiet, targets, notify)
    c.print(plain(f"{given} reminder(s) given. Stopped."))
    return 0
