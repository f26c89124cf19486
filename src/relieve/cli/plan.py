"""CLI commands over the anatomy, the planner and the contract: ``muscles``, ``muscle``,
``plan``, ``schema``."""

from __future__ import annotations

from pathlib import Path

from ._common import console, plain, print_json, read_text_arg, styled
from ..errors import RelieveError

TECHNIQUE_TITLES = {
    "muscle_shortening": "1. Muscle shortening (position of ease + fingertip pressure)",
    "repositioning": "2. Repositioning (slacken it by moving the shoulder girdle, not the neck)",
    "strain_counterstrain": "3. Strain-counterstrain (gentle push, then stretch)",
    "jones_counterstrain": "Variant: Jones' counterstrain at his tender point (passive, with a helper)",
}


def read_findings(path: str | None):
    """Parse a findings file (``-`` = standard input); None when no file is given."""
    if path is None:
        return None
    from ..assessment import parse_findings

    return parse_findings(read_text_arg(path, "--findings"))


def parse_targets(muscles: list[str], side: str | None) -> list[tuple[str, str]]:
    """``--muscle ID`` (with ``--side``) or ``--muscle ID:SIDE``, several allowed."""
    out = []
    for item in muscles:
        muscle, _, own_side = item.partition(":")
        chosen = own_side or side
        if not chosen:
            raise RelieveError(f"give --side left|right (or --muscle {muscle}:left)", field="--side")
        out.append((muscle.strip(), chosen.strip()))
    return out


# --------------------------------------------------------------------------- muscles


def cmd_muscles(args) -> int:
    from ..card import muscles

    listing = muscles()
    rows = listing["muscles"]
    if args.json:
        print_json(listing)
        return 0
    from rich.table import Table

    table = Table(title="Muscles relieve knows (each on the left and the right)")
    for col in ("id", "name", "Latin", "group", "region"):
        table.add_column(col)
    for r in rows:
        table.add_row(r["muscle"], r["common_name"], r["latin_name"], r["group"] or "", r["region"])
    console().print(table)
    return 0


def cmd_muscle(args) -> int:
    from ..card import muscle_card

    card = muscle_card(args.muscle, args.side)
    if args.figure:
        from ..figures import muscle_card_figure

        _write_figure(Path(args.figure), lambda fmt: muscle_card_figure(args.muscle, args.side, fmt=fmt))
    if args.json:
        print_json(card)
        return 0
    for one in card.get("muscles", [card]):
        _render_card(one)
    if args.figure:
        console().print(styled("Picture written to ", args.figure))
    return 0


def _render_card(card: dict) -> None:
    from rich.panel import Panel

    c = console()
    c.print(Panel.fit(styled((card["common_name"], "bold"), f" ({card['side']})  —  {card['latin_name']}")))
    for end in ("origin", "insertion"):
        for a in card["attachments"][end]:
            c.print(styled((end.capitalize(), "bold"), f": {a['name']} — {a['description']}"))
            c.print(styled(f"  How to find it: {a['find_it']}"))
    c.print("[bold]What shortens it (from the model)[/bold]")
    for a in card["actions_from_model"]:
        c.print(styled(f"  • {a['text']}"))
    c.print(styled(("Nerve", "bold"), f": {card['innervation']}"))
    c.print(styled(("Where it hurts", "bold"), f": {card['pain']['description']}"))
    c.print(styled(("Tender points", "bold"), f": {card['tender_points']}"))
    c.print(styled(("Typical causes", "bold"), f": {card['causes']}"))
    for text in card["cautions"]:
        c.print(styled(("Caution", "bold red"), f": {text}"))


# --------------------------------------------------------------------------- plan


def cmd_plan(args) -> int:
    from ..errors import ReferralRequired
    from ..techniques import plan

    findings = read_findings(args.findings)
    try:
        result = plan(parse_targets(args.muscle, args.side), findings=findings)
    except ReferralRequired as referral:
        if args.json:
            print_json(referral.refer)
        raise
    document = result.to_contract()
    if args.figure:
        written = write_plan_figures(result, Path(args.figure))
        document = {**document, "figures": [str(p) for p in written]}
    if args.json:
        print_json(document)
        return 0
    render_plan(result)
    if args.figure:
        console().print(styled("Pictures written to ", f"{args.figure}/"))
    return 0


def show_plan(muscle: str, side: str, findings=None) -> None:
    """Print the plan for one muscle-side (used by the assessment's last step)."""
    from ..techniques import plan

    render_plan(plan([(muscle, side)], findings=findings))


def render_plan(result) -> None:
    from rich.panel import Panel

    c = console()
    plans = result.plans
    for p in plans:
        c.print(Panel.fit(styled((p["common_name"], "bold"), f", {p['side']} side")))
        for end in ("origin", "insertion"):
            names = ", ".join(a["name"] for a in p["attachments"][end])
            c.print(styled((end.capitalize(), "bold"), f": {names}"))
    techniques = result.techniques
    held_back = result.held_back
    if result.combined is not None:
        c.print("[bold]One set of positions for all of these muscles together:[/bold]")
    for key, title in TECHNIQUE_TITLES.items():
        t = techniques[key]
        c.print()
        if t.get("available") is False:
            c.print(styled((title, "bold cyan"), "  ", ("not available here", "italic")))
            c.print(styled(f"  {t['reason']}"))
            continue
        c.print(styled((title, "bold cyan"), f"  (model: {t['length_change_pct']:+.1f} % muscle length)"))
        for i, step in enumerate(t["steps"], 1):
            c.print(styled(f"  {i}. {step}"))
        if key == "repositioning" and t.get("helper_steps"):
            c.print("  [italic]With a helper:[/italic]")
            for i, step in enumerate(t["helper_steps"], 1):
                c.print(styled(f"  {i}. {step}"))
        for m in t.get("by_muscle", []):
            barely = "  (barely slackened: not pressed here)" if m.get("barely_slackened") else ""
            c.print(styled(f"     {m['muscle']} ({m['side']}): {m['length_change_pct']:+.1f} %{barely}"))
    for note in held_back:
        c.print(styled(("Held back:", "yellow"), f" {note}"))
    for p in plans:
        for text in p["cautions"]:
            c.print(styled(("Caution", "bold red"), f": {text}"))
    c.print()
    c.print(styled(("If it hurts", "bold"), f": {techniques['muscle_shortening']['if_it_hurts']}"))
    c.print(plain(result.notice, style="dim"))


def write_plan_figures(result, directory: Path) -> list[Path]:
    """The plan's pictures (``relieve.figures.plan_figures``: one per group of steps,
    numbered like the steps) into ``directory``: each as SVG, PNG and a small PNG, with
    short names however many muscles the plan has."""
    from ..figures import plan_figures

    written = []
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for picture in plan_figures(result):
            for name, data in picture.files().items():
                path = directory / name
                path.write_bytes(data)
                written.append(path)
    except OSError as exc:
        raise RelieveError(f"cannot write to {directory}: {exc.strerror}", field="--figure") from None
    return written


def _write_figure(path: Path, render) -> None:
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise RelieveError(f"the picture must be .svg or .png, not {path.name!r}", field="--figure")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(fmt))
    except OSError as exc:
        raise RelieveError(f"cannot write {path}: {exc.strerror}", field="--figure") from None


def cmd_schema(args) -> int:
    from ..contract import schema

    print_json(schema(args.document))
    return 0


def add_parsers(sub) -> None:
    muscles = sub.add_parser("muscles", help="list the muscles (and groups) relieve knows")
    muscles.add_argument("--json", action="store_true", help="print JSON")
    muscles.set_defaults(func=cmd_muscles)

    muscle = sub.add_parser("muscle", help="one muscle's card: ends and how to find them, actions, pain, cautions")
    muscle.add_argument("muscle", help="muscle id, e.g. levator_scapulae (see `relieve muscles`)")
    muscle.add_argument("--side", required=True, help="left or right")
    muscle.add_argument("--figure", metavar="FILE", help="also draw it: FILE.svg or FILE.png")
    muscle.add_argument("--json", action="store_true", help="print JSON")
    muscle.set_defaults(func=cmd_muscle)

    p = sub.add_parser("plan", help="the three techniques for a muscle (or several), computed from the model")
    p.add_argument("--muscle", action="append", required=True, metavar="ID[:SIDE]",
                   help="muscle or group id; repeat for several (one posture will serve them all)")
    p.add_argument("--side", help="left or right (for every --muscle without its own :SIDE)")
    p.add_argument("--findings", metavar="FILE", help="findings JSON (contract section 3; - = standard input)")
    p.add_argument("--figure", metavar="DIR", help="write the pictures (one per group of steps; SVG and PNG) into DIR")
    p.add_argument("--json", action="store_true", help="print the contract JSON")
    p.set_defaults(func=cmd_plan)

    s = sub.add_parser("schema", help="the JSON schema of a contract document (findings, assessment, plan)")
    s.add_argument("document", help="findings, assessment or plan")
    s.set_defaults(func=cmd_schema)
