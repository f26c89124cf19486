"""Repository functions: everything the sessions, the history and the practice read and
write. Each write is its own short transaction, committed before it returns, so a
finished step is on disk the moment it finishes and another process sees it."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, func, insert, select, update

from . import _tables as t
from ._engine import StoreError, default_url, ensure_ready, make_engine
from ._types import iso

STATUSES = ("in_progress", "completed", "stopped", "referred")


def new_id() -> str:
    return uuid.uuid4().hex


class Store:
    """One database. Holds no session state: everything lives in the tables, so any
    number of processes (a session, ``relieve history``, a web worker) share it."""

    def __init__(self, engine, url: str):
        self.engine = engine
        self.url = url

    # ------------------------------------------------------------------ plumbing

    @contextmanager
    def _write(self):
        with self.engine.connect().execution_options(write=True) as conn:
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self):
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------------ sessions

    def create_session(self, *, started_at: datetime, findings: dict, assessment: dict, status: str,
                       muscle: str | None = None, side: str | None = None, pain_start: float | None = None,
                       techniques: Iterable[str] = (), time_scale: float = 1.0, notes: str = "",
                       ended_at: datetime | None = None, session_id: str | None = None) -> str:
        session_id = session_id or new_id()
        with self._write() as conn:
            conn.execute(insert(t.sessions).values(
                id=session_id, started_at=started_at, ended_at=ended_at, updated_at=ended_at or started_at,
                status=status, findings=findings, assessment=assessment, muscle=muscle, side=side,
                pain_start=pain_start, techniques=list(techniques), time_scale=time_scale, notes=notes,
            ))
        return session_id

    def update_session(self, session_id: str, *, at: datetime, **fields: Any) -> None:
        allowed = {"status", "ended_at", "muscle", "side", "notes", "techniques", "pain_start",
                   "current_muscle", "current_side", "orders"}
        unknown = set(fields) - allowed
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        with self._write() as conn:
            conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(updated_at=at, **fields))

    def add_phase(self, session_id: str, *, step_seq: int, phase_index: int, technique: str, kind: str,
                  started_at: datetime, ended_at: datetime, skipped: bool = False) -> None:
        with self._write() as conn:
            conn.execute(insert(t.phases).values(
                session_id=session_id, step_seq=step_seq, phase_index=phase_index, technique=technique,
                kind=kind, started_at=started_at, ended_at=ended_at, skipped=int(skipped)))
            conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(updated_at=ended_at))

    def add_step(self, session_id: str, *, seq: int, technique: str, muscle: str, side: str,
                 started_at: datetime, ended_at: datetime, pain_before: float | None,
                 pain_after: float | None) -> None:
        with self._write() as conn:
            conn.execute(insert(t.steps).values(
                session_id=session_id, seq=seq, technique=technique, muscle=muscle, side=side,
                started_at=started_at, ended_at=ended_at, pain_before=pain_before, pain_after=pain_after))
            conn.execute(update(t.sessions).where(t.sessions.c.id == session_id).values(updated_at=ended_at))

    def find_session(self, ref: str | None = None, *, resumable: bool = False) -> str:
        """A session's full id from an id or a unique prefix; with no ``ref``, the most recent
        (the most recent unfinished one when ``resumable``)."""
        query = select(t.sessions.c.id, t.sessions.c.status).order_by(t.sessions.c.started_at.desc())
        if ref:
            if not ref.isalnum():
                raise StoreError(f"not a session id: {ref!r}", field="--resume")
            query = query.where(t.sessions.c.id.startswith(ref.lower()))
        elif resumable:
            query = query.where(t.sessions.c.status == "in_progress")
        with self._read() as conn:
            rows = conn.execute(query.limit(2)).all()
        if not rows:
            what = f"no session {ref!r}" if ref else ("no unfinished session to resume" if resumable else "no session yet")
            raise StoreError(what, field="--resume" if resumable or ref else "session")
        if ref and len(rows) > 1:
            raise StoreError(f"{ref!r} matches several sessions; give more of the id", field="--resume")
        return rows[0].id

    def session(self, session_id: str) -> dict:
        records = self._records(select(t.sessions).where(t.sessions.c.id == session_id))
        if not records:
            raise StoreError(f"no session {session_id!r}", field="session")
        return records[0]

    def history(self, limit: int | None = None, *, phases: bool = False) -> list[dict]:
        """Every session as the contract's history object (§7), most recent first; with
        ``phases``, each timed phase too (exports carry them; a listing does not need them)."""
        query = select(t.sessions).order_by(t.sessions.c.started_at.desc(), t.sessions.c.id)
        if limit is not None:
            query = query.limit(limit)
        return self._records(query, with_phases=phases)

    def _records(self, query, with_phases: bool = True) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
            ids = [r["id"] for r in rows]
            by_session: dict[str, list] = {i: [] for i in ids}
            phases: dict[str, list] = {i: [] for i in ids}
            if ids:
                step_q = select(t.steps).order_by(t.steps.c.session_id, t.steps.c.seq)
                phase_q = select(t.phases).order_by(t.phases.c.session_id, t.phases.c.step_seq, t.phases.c.phase_index)
                if len(ids) < 500:
                    step_q = step_q.where(t.steps.c.session_id.in_(ids))
                    phase_q = phase_q.where(t.phases.c.session_id.in_(ids))
                for s in conn.execute(step_q).mappings():
                    if s["session_id"] in by_session:
                        by_session[s["session_id"]].append(s)
                if with_phases:
                    for p in conn.execute(phase_q).mappings():
                        if p["session_id"] in phases:
                            phases[p["session_id"]].append(p)
        return [_record(r, by_session[r["id"]], phases[r["id"]] if with_phases else None) for r in rows]

    def count_sessions(self) -> int:
        with self._read() as conn:
            return conn.execute(select(func.count()).select_from(t.sessions)).scalar_one()

    # ------------------------------------------------------------------ measures

    def add_measure(self, *, instrument: str, taken_at: datetime, answers: Any, score: float,
                    session_id: str | None = None, measure_id: str | None = None) -> str:
        measure_id = measure_id or new_id()
        with self._write() as conn:
            conn.execute(insert(t.measures).values(id=measure_id, session_id=session_id, taken_at=taken_at,
                                                   instrument=instrument, answers=answers, score=score))
        return measure_id

    def measures(self) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(select(t.measures).order_by(t.measures.c.taken_at, t.measures.c.id)).mappings().all()
        return [_measure(r) for r in rows]

    # ------------------------------------------------------------------ practice

    def cards(self) -> dict[str, dict]:
        with self._read() as conn:
            rows = conn.execute(select(t.practice_cards)).mappings().all()
        return {r["card"]: dict(r) for r in rows}

    def record_answer(self, card: str, *, muscle: str, answered_at: datetime, correct: bool, due_at: datetime,
                      interval_days: float, streak: int) -> None:
        with self._write() as conn:
            row = conn.execute(select(t.practice_cards).where(t.practice_cards.c.card == card)).mappings().first()
            if row is None:
                conn.execute(insert(t.practice_cards).values(card=card, muscle=muscle, due_at=due_at,
                                                             interval_days=interval_days, streak=streak,
                                                             answered=1, correct=int(correct)))
            else:
                conn.execute(update(t.practice_cards).where(t.practice_cards.c.card == card).values(
                    due_at=due_at, interval_days=interval_days, streak=streak,
                    answered=row["answered"] + 1, correct=row["correct"] + int(correct)))
            conn.execute(insert(t.practice_answers).values(card=card, answered_at=answered_at, correct=int(correct)))

    def practice_log(self) -> list[dict]:
        with self._read() as conn:
            rows = conn.execute(select(t.practice_answers).order_by(t.practice_answers.c.id)).mappings().all()
        return [{"card": r["card"], "answered_at": iso(r["answered_at"]), "correct": bool(r["correct"])} for r in rows]

    # ------------------------------------------------------------------ import

    def import_all(self, sessions: list[dict], measures: list[dict], cards: list[dict],
                   answers: list[dict]) -> dict[str, int]:
        """Insert already-validated records in ONE transaction: all or nothing. Sessions and
        measures already present (same id) are skipped, so importing twice changes nothing."""
        counts = {"sessions": 0, "skipped": 0, "measures": 0, "cards": 0}
        with self._write() as conn:
            present = set(conn.execute(select(t.sessions.c.id)).scalars())
            for s in sessions:
                if s["id"] in present:
                    counts["skipped"] += 1
                    continue
                conn.execute(insert(t.sessions).values({k: v for k, v in s.items() if k not in ("steps", "phases")}))
                if s["steps"]:
                    conn.execute(insert(t.steps), [{**x, "session_id": s["id"]} for x in s["steps"]])
                if s["phases"]:
                    conn.execute(insert(t.phases), [{**x, "session_id": s["id"]} for x in s["phases"]])
                counts["sessions"] += 1
            have_measures = set(conn.execute(select(t.measures.c.id)).scalars())
            for m in measures:
                if m["id"] not in have_measures:
                    conn.execute(insert(t.measures).values(m))
                    counts["measures"] += 1
            have_cards = set(conn.execute(select(t.practice_cards.c.card)).scalars())
            new_cards = [c for c in cards if c["card"] not in have_cards]
            if new_cards:
                conn.execute(insert(t.practice_cards), new_cards)
                fresh = {c["card"] for c in new_cards}
                rows = [a for a in answers if a["card"] in fresh]
                if rows:
                    conn.execute(insert(t.practice_answers), rows)
                counts["cards"] = len(new_cards)
        return counts

    def delete_session(self, session_id: str) -> None:
        with self._write() as conn:
            conn.execute(delete(t.sessions).where(t.sessions.c.id == session_id))


def _record(row, steps, phases) -> dict:
    return {
        "id": row["id"],
        "started_at": iso(row["started_at"]),
        "ended_at": iso(row["ended_at"]),
        "status": row["status"],
        "findings": row["findings"],
        "assessment": row["assessment"],
        "muscle": row["muscle"],
        "side": row["side"],
        "steps": [
            {"technique": s["technique"], "started_at": iso(s["started_at"]), "ended_at": iso(s["ended_at"]),
             "pain_before": _num(s["pain_before"]), "pain_after": _num(s["pain_after"]),
             "muscle": s["muscle"], "side": s["side"], "seq": s["seq"]}
            for s in steps
        ],
        "notes": row["notes"],
        "updated_at": iso(row["updated_at"]),
        "pain_start": _num(row["pain_start"]),
        "techniques": list(row["techniques"] or []),
        "time_scale": row["time_scale"],
        "current_muscle": row["current_muscle"],
        "current_side": row["current_side"],
        "orders": dict(row["orders"] or {}),
        **({} if phases is None else {"phases": [
            {"step_seq": p["step_seq"], "phase_index": p["phase_index"], "technique": p["technique"],
             "kind": p["kind"], "started_at": iso(p["started_at"]), "ended_at": iso(p["ended_at"]),
             "skipped": bool(p["skipped"])}
            for p in phases
        ]}),
    }


def _measure(row) -> dict:
    return {"id": row["id"], "session_id": row["session_id"], "taken_at": iso(row["taken_at"]),
            "instrument": row["instrument"], "answers": row["answers"], "score": row["score"]}


def _num(value):
    """Pain ratings come back as the numbers they were (6, not 6.0)."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def open_store(url: str | None = None, *, migrate_new: bool = True) -> Store:
    """Open the database at ``url`` (default: ``RELIEVE_DATABASE_URL`` or the user's data
    directory), creating its tables when it is new."""
    url = url or default_url()
    engine = make_engine(url)
    ensure_ready(engine, migrate_new=migrate_new)
    return Store(engine, url)
