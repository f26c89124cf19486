"""``relieve history``, ``export``, ``import`` and ``db``: the stored sessions for people
(tables, a chart in the terminal, a PNG) and for programs (JSON, CSV)."""

from __future__ import annotations

from pathlib import Path

from ._common import console as make_console
from ._common import plain, print_json, read_text_arg, styled
from ._store import db_parent, open_db
from ..errors import RelieveError

# An export may hold years of sessions: a larger limit than a findings document.
MAX_IMPORT_BYTES = 256 * 1024 * 1024


def add_parsers(sub) -> None:
    h = sub.add_parser("history", parents=[db_parent()], help="your sessions, relief over time, outcome measures")
    h.add_argument("--json", action="store_true", help="print the sessions as JSON (contract §7), most recent first")
    h.add_argument("--plot", metavar="FILE", help="draw pain before/after over time into FILE.png")
    h.add_argument("--limit", type=int, default=None, metavar="N", help="only the N most recent sessions")
    h.set_defaults(func=cmd_history)

    e = sub.add_parser("export", parents=[db_parent()], help="everything stored, as JSON or CSV")
    e.add_argument("--format", choices=("json", "csv"), default="json")
    e.add_argument("--output", metavar="FILE", help="write to FILE (default: standard output)")
    e.set_defaults(func=cmd_export)

    i = sub.add_parser("import", parents=[db_parent()], help="read an export back (all or nothing)")
    i.add_argument("file", help="a file written by `relieve export` (JSON or CSV; - = standard input)")
    i.add_argument("--format", choices=("json", "csv"), default=None, help="default: from the file's content")
    i.set_defaults(func=cmd_import)

    d = sub.add_parser("db", help="the database: apply migrations, show the revision")
    dsub = d.add_subparsers(dest="db_command", metavar="SUBCOMMAND")
    up = dsub.add_parser("upgrade", parents=[db_parent()], help="apply every migration not yet applied")
    up.set_defaults(func=cmd_db_upgrade)
    cur = dsub.add_parser("current", parents=[db_parent()], help="the database's URL and revision")
    cur.set_defaults(func=cmd_db_current)
    d.set_defaults(func=lambda args: (d.print_help(), 0)[1])


def cmd_history(args) -> int:
    from ..sessions.measures import measure_changes
    from ..sessions.progress import summarize

    if args.limit is not None and args.limit < 1:
        raise RelieveError("must be at least 1", field="--limit")
    if args.plot and Path(args.plot).suffix.lower() != ".png":
        raise RelieveError(f"the plot must be a .png file, not {args.plot!r}", field="--plot")
    with open_db(args) as store:
        history = store.history(args.limit)
        measures = store.measures()
    if args.plot:
        _plot(history, Path(args.plot))
    if args.json:
        print_json(history)
        return 0
    c = make_console()
    if not history:
        c.print("No sessions yet. Start one with: relieve session")
        return 0
    from rich.table import Table

    table = Table(title="Sessions (most recent first)")
    for col in ("id", "started (UTC)", "status", "muscle", "techniques", "pain", "notes"):
        table.add_column(col)
    for r in history:
        pains = [r.get("pain_start")] + [s["pain_after"] for s in r["steps"]]
        pain = " -> ".join(f"{p:g}" for p in pains if p is not None)
        table.add_row(r["id"][:8], r["started_at"][:16].replace("T", " "), r["status"],
                      plain(f"{r['muscle'] or '-'} {r['side'] or ''}"), str(len(r["steps"])), pain,
                      plain((r["notes"] or "")[:40]))
    c.print(table)
    s = summarize(history)
    c.print("[bold]Pain at the start (#) and at the end (=) of each session, oldest first[/bold]")
    for row in s["timeline"][-20:]:
        a, b = row["pain_start"], row["pain_end"]
        if a is None:
            continue
        c.print(plain(f"{row['started_at'][:10]} {'#' * int(round(a * 2)):<20} {a:g}"))
        if b is not None:
            c.print(plain(f"{'':10} {'=' * int(round(b * 2)):<20} {b:g}"
                          + (f"   relief after {row['minutes_to_relief']:g} min" if row["minutes_to_relief"] is not None else "")))
    for title, key in (("Average relief per technique (points)", "relief_by_technique"),
                       ("Average relief per muscle (points)", "relief_by_muscle")):
        if s[key]:
            c.print(f"[bold]{title}[/bold]")
            for name, v in s[key].items():
                c.print(plain(f"  {name}: {v['mean_points']:+g} over {v['count']} time(s)"))
    if s["recurring_muscles"]:
        c.print("[bold]Muscles that keep coming back[/bold]")
        for r in s["recurring_muscles"]:
            c.print(plain(f"  {r['muscle']}: {r['sessions']} sessions"))
    changes = measure_changes(measures)
    if changes:
        c.print("[bold]Outcome measures[/bold] (NDI %: lower is better; PSFS 0-10: higher is better)")
        for name, v in changes.items():
            c.print(plain(f"  {name.upper()}: {v['first']:g} -> {v['latest']:g} ({v['change']:+g}) over {v['count']} time(s)"))
    if args.plot:
        c.print(styled("Chart written to ", args.plot))
    return 0


def _plot(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..sessions.progress import summarize

    rows = [r for r in summarize(history)["timeline"] if r["pain_start"] is not None]
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    x = list(range(1, len(rows) + 1))
    ax1.plot(x, [r["pain_start"] for r in rows], "o-", label="pain at the start")
    ax1.plot(x, [r["pain_end"] if r["pain_end"] is not None else float("nan") for r in rows], "o-", label="pain at the end")
    ax1.set_ylim(0, 10)
    ax1.set_ylabel("pain (0-10)")
    ax1.legend()
    ax2.plot(x, [r["minutes_to_relief"] if r["minutes_to_relief"] is not None else float("nan") for r in rows], "s-")
    ax2.set_ylabel("minutes to relief")
    ax2.set_xlabel("session")
    fig.tight_layout()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png")
    except OSError as exc:
        raise RelieveError(f"cannot write {path}: {exc.strerror}", field="--plot") from None
    finally:
        plt.close(fig)


def cmd_export(args) -> int:
    import sys

    from ..sessions.clock import SystemClock
    from ..sessions.transfer import export_document, to_csv, to_json

    with open_db(args) as store:
        doc = export_document(store, SystemClock())
    text = to_json(doc) if args.format == "json" else to_csv(doc)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8", newline="")
        except OSError as exc:
            raise RelieveError(f"cannot write {args.output}: {exc.strerror}", field="--output") from None
        make_console().print(plain(f"{len(doc['sessions'])} sessions written to {args.output}"), highlight=False)
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args) -> int:
    from ..sessions.transfer import import_text

    text = read_text_arg(args.file, "file", limit=MAX_IMPORT_BYTES)
    with open_db(args) as store:
        counts = import_text(store, text, args.format)
    make_console().print(plain(f"Imported {counts['sessions']} sessions ({counts['skipped']} already present), "
                               f"{counts['measures']} measures, {counts['cards']} practice cards."))
    return 0


def cmd_db_upgrade(args) -> int:
    from ..store import current_revision, default_url, make_engine, upgrade

    url = args.db or default_url()
    engine = make_engine(url)
    try:
        before = current_revision(engine)
        after = upgrade(engine)
    finally:
        engine.dispose()
    make_console().print(plain(f"database {_safe(url)}: revision {before or 'none'} -> {after}"))
    return 0


def cmd_db_current(args) -> int:
    from ..store import current_revision, default_url, make_engine

    url = args.db or default_url()
    engine = make_engine(url)
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    make_console().print(plain(f"database {_safe(url)}: revision {rev or 'none (new)'}"))
    return 0


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
