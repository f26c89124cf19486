"""The ``relieve`` command line: a thin shell over the library.

Every command parses its arguments, calls one library function, and prints the
result (Rich tables for people, ``--json`` for programs). Any ``RelieveError`` —
bad input, unknown name, unreadable model — becomes a one-line message on stderr
and exit code 2; nothing here prints a traceback for a user's mistake.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Callable, Sequence

from .._version import __version__
from ._common import console, plain, print_json, styled
from .._input import ascii_number, one_line, shown
from ..errors import ModelError, RelieveError

DISCLAIMER = (
    "relieve informs and guides gentle self-care; it does not diagnose. "
    "If pain is severe, follows an injury, or comes with other symptoms, see a doctor."
)

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors raise instead of exiting, so main() reports them uniformly."""

    def error(self, message: str):  # type: ignore[override]
        raise RelieveError(message, field="arguments")


# --------------------------------------------------------------------------- helpers


def _parse_settings(items: Sequence[str] | None) -> dict[str, float]:
    """``--set name=value`` pairs into a dict; the value must be a finite number written
    in ASCII (``0.3``, ``-1.2e-2``; not "nan", "inf", "1_0" or other scripts' digits)."""
    values: dict[str, float] = {}
    for item in items or ():
        name, sep, raw = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise RelieveError(f"expected NAME=VALUE, got {shown(item)}", field="--set")
        value = ascii_number(raw.strip(), exponent=True)
        if value is None:
            raise RelieveError(f"{shown(name)}: {shown(raw)} is not a finite number", field="--set")
        if name in values:
            raise RelieveError(f"{shown(name)} is set twice", field="--set")
        values[name] = value
    return values


# --------------------------------------------------------------------------- model commands


def cmd_model_info(args) -> int:
    from ..model import load_model

    model = load_model(args.file)
    info = model_summary(model)
    if args.json:
        print_json(info)
        return 0
    from rich.table import Table

    # Names come from the file: printed as plain text (a name "[/x]" is not markup).
    out = console()
    out.print(styled((model.name, "bold"), f"  ({model.source})"))
    table = Table(title=f"{len(info['coordinates'])} independent coordinates")
    for col in ("coordinate", "default", "min", "max", "unit", "locked", "clamped"):
        table.add_column(col)
    for c in info["coordinates"]:
        table.add_row(
            plain(c["name"]), f"{c['default']:.4g}", f"{c['range'][0]:.4g}", f"{c['range'][1]:.4g}",
            c["unit"], "yes" if c["locked"] else "", "yes" if c["clamped"] else "",
        )
    out.print(table)
    if info["coupled_coordinates"]:
        out.print(plain(
            "Driven by couplers: "
            + ", ".join(f"{c['name']} <- {c['follows']}" for c in info["coupled_coordinates"])
        ))
    out.print(plain(f"Bodies ({len(info['bodies'])}): " + ", ".join(info["bodies"])))
    out.print(plain(f"Muscles ({len(info['muscles'])}): " + ", ".join(info["muscles"])))
    return 0


def model_summary(model) -> dict:
    """A JSON-ready description of a model: coordinates, bodies, muscles."""
    dependent = {c.dependent: c.independent for c in model.couplers}
    coords = []
    for name in model.coordinate_names:
        c = model.coordinate(name)
        coords.append(
            {
                "name": c.name,
                "default": c.default,
                "range": list(c.range),
                "unit": "rad" if c.motion == "rotational" else "m",
                "locked": c.locked,
                "clamped": c.clamped,
            }
        )
    return {
        "name": model.name,
        "coordinates": coords,
        "coupled_coordinates": [{"name": k, "follows": v} for k, v in dependent.items()],
        "bodies": list(model.body_names),
        "muscles": list(model.muscle_names),
    }


def cmd_model_lengths(args) -> int:
    from ..model import load_model

    model = load_model(args.file)
    settings = _parse_settings(args.set)
    q = model.q_from(settings)  # refuses values out of range, so what is reported is what is computed
    import numpy as np

    with np.errstate(over="ignore", invalid="ignore"):  # reported below, in one line
        lengths = model.muscle_lengths(q)[0]
    bad = [name for name, value in zip(model.muscle_names, lengths) if not math.isfinite(value)]
    if bad:
        raise ModelError(
            f"the length of {shown(bad[0])}{f' and {len(bad) - 1} more' if len(bad) > 1 else ''} is not a "
            "finite number: the model's numbers are out of range",
            field="path",
        )
    if args.json:
        print_json(
            {
                "coordinates": dict(zip(model.coordinate_names, map(float, q[0]))),
                "lengths_m": dict(zip(model.muscle_names, map(float, lengths))),
            }
        )
        return 0
    from rich.table import Table

    table = Table(title="Muscle–tendon lengths")
    table.add_column("muscle")
    table.add_column("length (mm)", justify="right")
    for name, value in zip(model.muscle_names, lengths):
        table.add_row(plain(name), f"{value * 1000:.2f}")
    console().print(table)
    return 0


# --------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="relieve",
        description=(
            "Relieve a neck or upper-back muscle spasm safely: screen for danger, find the "
            "muscle, and guide three gentle osteopathic techniques computed from a "
            "musculoskeletal model. " + DISCLAIMER
        ),
    )
    parser.add_argument("--version", action="version", version=f"relieve {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    model = sub.add_parser("model", help="inspect a musculoskeletal model (.osim or the project's own .yaml)")
    model_sub = model.add_subparsers(dest="model_command", metavar="SUBCOMMAND", parser_class=_Parser)
    info = model_sub.add_parser("info", help="coordinates with ranges and units, bodies, muscles")
    info.add_argument("file", help="model file (.osim or .yaml)")
    info.add_argument("--json", action="store_true", help="print JSON")
    info.set_defaults(func=cmd_model_info)
    lengths = model_sub.add_parser("lengths", help="every muscle's length in one posture")
    lengths.add_argument("file", help="model file (.osim or .yaml)")
    lengths.add_argument(
        "--set", action="append", metavar="COORD=VALUE",
        help="set a coordinate (radians or metres); repeat for several; others stay at their default",
    )
    lengths.add_argument("--json", action="store_true", help="print JSON")
    lengths.set_defaults(func=cmd_model_lengths)
    model.set_defaults(func=_help_for(model))

    from .assess import add_assess_parser
    from .plan import add_parsers as add_plan_parsers

    from .history import add_parsers as add_history_parsers
    from .practice import add_parsers as add_practice_parsers
    from .serve import add_parser as add_serve_parser
    from .session import add_parser as add_session_parser

    add_assess_parser(sub)
    add_plan_parsers(sub)
    add_session_parser(sub)
    add_history_parsers(sub)
    add_practice_parsers(sub)
    add_serve_parser(sub)
    return parser


def _help_for(parser: argparse.ArgumentParser) -> Callable:
    def show(_args) -> int:
        parser.print_help()
        return 0

    return show


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    if argv is None:
        argv = sys.argv[1:]
        # Plain `relieve` in a terminal starts a guided session (in a pipe: the help).
        if not argv and sys.stdin.isatty() and sys.stdout.isatty():
            argv = ["session"]
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 0
        return int(args.func(args) or 0)
    except RelieveError as exc:
        # The one place errors are printed: one line, control characters made visible
        # (a value echoed from the user can never carry terminal escape codes), bounded.
        sys.stderr.write(f"relieve: error: {one_line(str(exc))}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("relieve: interrupted\n")
        return 130
    except BrokenPipeError:
        return 0


__all__ = ["main", "build_parser", "DISCLAIMER"]
