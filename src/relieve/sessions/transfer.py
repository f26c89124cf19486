"""Export and import of everything stored: JSON (one document) or CSV (one row per
session, step, phase, measure, card and answer). Both round-trip exactly; an import is
validated whole before anything is written, and written in one transaction."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from typing import Any

from ..errors import ValidationError

CSV_COLUMNS = ("record", "id", "session_id", "data")
RECORDS = ("session", "step", "phase", "measure", "card", "answer")


def export_document(store, clock) -> dict:
    from ..contract.session import EXPORT_FORMAT, EXPORT_VERSION

    sessions = list(reversed(store.history(phases=True)))  # oldest first: a stable, readable order
    cards = store.cards()
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "sessions": sessions,
        "measures": store.measures(),
        "practice": {
            "cards": [_card_out(c) for _, c in sorted(cards.items())],
            "answers": store.practice_log(),
        },
    }


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, as the store writes it (microseconds only when some)."""
    if moment is None:
        return None
    moment = moment.astimezone(timezone.utc)
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds" if moment.microsecond else "seconds") + "Z"


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def _card_out(row: dict) -> dict:
    return {"card": row["card"], "muscle": row["muscle"], "due_at": iso(row["due_at"]),
            "interval_days": row["interval_days"], "streak": row["streak"], "answered": row["answered"],
            "correct": row["correct"]}


def to_json(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False, sort_keys=False) + "\n"


def to_csv(doc: dict) -> str:
    """Each record a row: what it is, its id, its session, and its fields as JSON."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    w.writerow(["meta", "", "", _j({"format": doc["format"], "version": doc["version"]})])
    for s in doc["sessions"]:
        body = {k: v for k, v in s.items() if k not in ("steps", "phases", "id")}
        w.writerow(["session", s["id"], "", _j(body)])
        for x in s["steps"]:
            w.writerow(["step", "", s["id"], _j(x)])
        for x in s["phases"]:
            w.writerow(["phase", "", s["id"], _j(x)])
    for m in doc["measures"]:
        w.writerow(["measure", m["id"], m["session_id"] or "", _j({k: v for k, v in m.items() if k not in ("id", "session_id")})])
    for c in doc["practice"]["cards"]:
        w.writerow(["card", c["card"], "", _j({k: v for k, v in c.items() if k != "card"})])
    for a in doc["practice"]["answers"]:
        w.writerow(["answer", a["card"], "", _j({k: v for k, v in a.items() if k != "card"})])
    return out.getvalue()


def _j(value) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def from_csv(text: str) -> dict:
    """A CSV export back to the JSON document (then validated like one)."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or tuple(rows[0]) != CSV_COLUMNS:
        raise ValidationError([("line 1", "not a relieve CSV export: the header must be " + ",".join(CSV_COLUMNS))])
    doc: dict[str, Any] = {"sessions": [], "measures": [], "practice": {"cards": [], "answers": []}}
    by_id: dict[str, dict] = {}
    problems = []
    for n, row in enumerate(rows[1:], start=2):
        if len(row) != len(CSV_COLUMNS):
            problems.append((f"line {n}", f"expected {len(CSV_COLUMNS)} columns, got {len(row)}"))
            continue
        kind, rid, sid, data = row
        try:
            body = json.loads(data)
        except ValueError as exc:
            problems.append((f"line {n}.data", f"not JSON: {exc.msg}"))
            continue
        if not isinstance(body, dict):
            problems.append((f"line {n}.data", "expected a JSON object"))
            continue
        if kind == "meta":
            doc.update(body)
        elif kind == "session":
            s = {"id": rid, **body, "steps": [], "phases": []}
            by_id[rid] = s
            doc["sessions"].append(s)
        elif kind in ("step", "phase"):
            if sid not in by_id:
                problems.append((f"line {n}.session_id", f"{sid!r} is not a session above this line"))
                continue
            by_id[sid]["steps" if kind == "step" else "phases"].append(body)
        elif kind == "measure":
            doc["measures"].append({"id": rid, "session_id": sid or None, **body})
        elif kind == "card":
            doc["practice"]["cards"].append({"card": rid, **body})
        elif kind == "answer":
            doc["practice"]["answers"].append({"card": rid, **body})
        else:
            problems.append((f"line {n}.record", f"unknown record {kind!r}; valid: meta, " + ", ".join(RECORDS)))
    if problems:
        raise ValidationError(problems[:20])
    if "format" not in doc:
        raise ValidationError([("format", "no meta row: not a relieve CSV export")])
    return doc


def import_text(store, text: str, fmt: str | None = None) -> dict[str, int]:
    """Validate a whole export, then write it in one transaction (nothing on any error)."""
    from ..contract.session import parse_export

    fmt = fmt or ("csv" if text.startswith(",".join(CSV_COLUMNS)) else "json")
    doc = from_csv(text) if fmt == "csv" else text
    parsed = parse_export(doc)
    d = parsed.model_dump(mode="python")
    times = ("started_at", "ended_at", "updated_at", "taken_at", "due_at", "answered_at")

    def conv(x: dict) -> dict:
        return {k: (parse_iso(v) if k in times and v is not None else v) for k, v in x.items()}

    sessions = []
    for s in d["sessions"]:
        row = conv({k: v for k, v in s.items() if k not in ("steps", "phases")})
        row["steps"] = [conv(x) for x in s["steps"]]
        row["phases"] = [{**conv(x), "skipped": int(x["skipped"])} for x in s["phases"]]
        sessions.append(row)
    measures = [conv(m) for m in d["measures"]]
    cards = [conv(c) for c in d["practice"]["cards"]]
    answers = [{**conv(a), "correct": int(a["correct"])} for a in d["practice"]["answers"]]
    return store.import_all(sessions, measures, cards, answers)
