"""The guided session as a state machine: pure, with a clock and a store passed in.

    start (findings) -> referred (stored, ends)            | assessed
    assessed -> choose(muscle, side) -> techniques in order
    technique: begin -> phase done (each stored when it ends) ... -> finish(pain after)
        -> relief >= threshold: done | else: next technique, then next candidate
    finish(completed | stopped)

Nothing lives only in memory: every transition is written through the store when it
happens, and ``GuidedSession.resume`` rebuilds the state from the store alone (a
killed process, another worker). The store is anything with the ``relieve.store.Store``
methods used here; the clock has ``now()`` and ``sleep(seconds)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..errors import RelieveError, ReferralRequired
from ._settings import settings
from .timeline import Phase, phases_for

RECOMMENDED_ORDER = ("muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain")


@dataclass(frozen=True)
class Decision:
    """After a technique: how much relief, and what to offer next."""

    pain_start: float | None
    pain_after: float | None
    relief_points: float | None
    relief_pct: float | None
    relieved: bool
    offer: str  # "done", "next_technique", "next_candidate", "nothing_left"
    next_technique: str | None = None
    next_candidate: tuple[str, str] | None = None


@dataclass
class TechniqueRun:
    seq: int
    key: str
    muscle: str
    side: str
    phases: list[Phase]
    pain_before: float | None
    done: set[int] = field(default_factory=set)   # phase indexes already stored
    started_at: datetime | None = None

    @property
    def next_phase(self) -> int | None:
        for i in range(len(self.phases)):
            if i not in self.done:
                return i
        return None


def relief_decision(pain_start: float | None, pain_after: float | None) -> tuple[float | None, float | None, bool]:
    """Points and percent of relief from the session's start, and whether it counts
    (``data/sessions.yaml``: two points or 30 %, Farrar 2001; Salaffi 2004)."""
    if pain_start is None or pain_after is None:
        return None, None, False
    rule = settings()["relief"]
    points = pain_start - pain_after
    pct = 100.0 * points / pain_start if pain_start > 0 else None
    relieved = points >= rule["points"] or (pct is not None and pct >= rule["percent"])
    return points, pct, relieved


class GuidedSession:
    def __init__(self, store, clock, record: dict):
        self.store, self.clock = store, clock
        self.id: str = record["id"]
        self.record = record
        self._plans: dict[tuple[str, str], Any] = {}

    # ------------------------------------------------------------------ start and resume

    @classmethod
    def start(cls, store, clock, findings, *, time_scale: float = 1.0, pain_start: float | None = None) -> "GuidedSession":
        """Validate the findings and assess them (triage first). Referring findings end the
        session at once: stored with status ``referred`` and no steps."""
        from ..assessment import assess, parse_findings

        parsed = parse_findings(findings)
        result = assess(parsed)
        doc = parsed.model_dump(mode="json", exclude_none=True) if hasattr(parsed, "model_dump") else dict(findings)
        now = clock.now()
        if pain_start is None:
            pain_start = getattr(parsed, "pain_now", None)
        referred = result.status == "refer"
        session_id = store.create_session(
            started_at=now, ended_at=now if referred else None, findings=doc, assessment=result.to_contract(),
            status="referred" if referred else "in_progress", pain_start=pain_start, time_scale=time_scale,
        )
        session = cls(store, clock, store.session(session_id))
        session._findings = parsed
        return session

    @classmethod
    def resume(cls, store, clock, ref: str | None = None) -> "GuidedSession":
        session_id = store.find_session(ref, resumable=True)
        record = store.session(session_id)
        if record["status"] != "in_progress":
            raise RelieveError(f"session {session_id[:8]} is {record['status']}; only an unfinished one can be resumed",
                               field="--resume")
        return cls(store, clock, record)

    def reload(self) -> dict:
        self.record = self.store.session(self.id)
        return self.record

    # ------------------------------------------------------------------ what we know

    @property
    def status(self) -> str:
        return self.record["status"]

    @property
    def referred(self) -> bool:
        return self.status == "referred"

    @property
    def refer(self) -> dict | None:
        return self.record["assessment"].get("refer")

    @property
    def candidates(self) -> list[tuple[str, str]]:
        return [(c["muscle"], c["side"]) for c in self.record["assessment"].get("candidates", [])]

    @property
    def findings(self):
        if getattr(self, "_findings", None) is None:
            from ..assessment import parse_findings

            self._findings = parse_findings(self.record["findings"])
        return self._findings

    @property
    def pain_start(self) -> float | None:
        return self.record["pain_start"]

    @property
    def current_pain(self) -> float | None:
        steps = self.record["steps"]
        for s in reversed(steps):
            if s["pain_after"] is not None:
                return s["pain_after"]
        return self.pain_start

    @property
    def muscle(self) -> tuple[str, str] | None:
        """The muscle-side being treated now: the one last chosen (stored with the
        session), else - sessions stored before that was kept - the last step's, or the
        one chosen at the start."""
        if self.record.get("current_muscle"):
            return self.record["current_muscle"], self.record["current_side"]
        if self.record["phases"]:
            last = self.record["phases"][-1]
            for s in self.record["steps"]:
                if s["seq"] == last["step_seq"]:
                    return s["muscle"], s["side"]
        if self.record["steps"]:
            return self.record["steps"][-1]["muscle"], self.record["steps"][-1]["side"]
        if self.record["muscle"]:
            return self.record["muscle"], self.record["side"]
        return None

    def plan_for(self, muscle: str, side: str):
        """The plan (relieve.plan: the safety gate runs inside it) for a muscle-side."""
        from ..techniques import plan

        key = (muscle, side)
        if key not in self._plans:
            try:
                self._plans[key] = plan([key], findings=self.findings)
            except ReferralRequired:
                self._refer_now()
                raise
        return self._plans[key]

    def _refer_now(self) -> None:
        now = self.clock.now()
        self.store.update_session(self.id, at=now, status="referred", ended_at=now)
        self.reload()

    # ------------------------------------------------------------------ choosing

    def choose(self, muscle: str, side: str, techniques: list[str] | None = None) -> list[str]:
        """Treat ``muscle`` on ``side`` with ``techniques`` (default: every available one in
        the recommended order). Returns the order; an unavailable technique is refused."""
        self._require_open()
        p = self.plan_for(muscle, side)
        if techniques is None:
            order = _available(p)
        else:
            for i, key in enumerate(techniques):
                t = p.techniques.get(key)
                if t is None or t.get("available") is False:
                    reason = (t or {}).get("reason", "it is not part of this plan")
                    raise RelieveError(f"{key} is not available for the {side} {muscle}: {reason}",
                                       field=f"techniques[{i}]")
            order = list(techniques)
        chosen = p.plans[0]["muscle"]
        # stored, not kept in memory: the next request may reach another worker
        fields: dict[str, Any] = {"current_muscle": chosen, "current_side": side,
                                  "orders": {**self.record["orders"], f"{chosen}:{side}": order}}
        if not self.record["techniques"]:
            fields["techniques"] = order
        if not self.record["muscle"]:
            fields.update(muscle=chosen, side=side)
        self.store.update_session(self.id, at=self.clock.now(), **fields)
        self.reload()
        return order

    def order_for(self, muscle: str, side: str) -> list[str]:
        """The technique order for a muscle-side: the one chosen for it, else the
        recommended order of its available techniques."""
        known = self.record["orders"].get(f"{muscle}:{side}")
        if known is not None:
            return list(known)
        if self.record["muscle"] == muscle and self.record["side"] == side and self.record["techniques"]:
            return list(self.record["techniques"])
        return _available(self.plan_for(muscle, side))

    def done_techniques(self, muscle: str, side: str) -> list[str]:
        return [s["technique"] for s in self.record["steps"] if s["muscle"] == muscle and s["side"] == side]

    def next_technique(self, muscle: str | None = None, side: str | None = None) -> str | None:
        if muscle is None:
            current = self.muscle
            if current is None:
                return None
            muscle, side = current
        done = set(self.done_techniques(muscle, side))
        for key in self.order_for(muscle, side):
            if key not in done:
                return key
        return None

    def next_candidate(self) -> tuple[str, str] | None:
        treated = {(s["muscle"], s["side"]) for s in self.record["steps"]}
        current = self.muscle
        for c in self.candidates:
            if c not in treated and c != current:
                return c
        return None

    # ------------------------------------------------------------------ a technique

    def in_progress(self) -> TechniqueRun | None:
        """The technique interrupted part-way (phases stored, no step yet), if any."""
        seq = len(self.record["steps"])
        stored = [p for p in self.record["phases"] if p["step_seq"] == seq]
        if not stored:
            return None
        key = stored[0]["technique"]
        muscle, side = self.muscle
        run = self._run(seq, key, muscle, side, self.current_pain)
        run.done = {p["phase_index"] for p in stored}
        run.started_at = min(_time(p["started_at"]) for p in stored)
        return run

    def begin(self, key: str, muscle: str | None = None, side: str | None = None,
              pain_before: float | None = None) -> TechniqueRun:
        self._require_open()
        interrupted = self.in_progress()
        if interrupted is not None:
            if interrupted.key != key:
                raise RelieveError(f"{interrupted.key} was interrupted and must be finished first", field="technique")
            return interrupted
        if muscle is None:
            muscle, side = self.muscle
        return self._run(len(self.record["steps"]), key, muscle, side,
                         pain_before if pain_before is not None else self.current_pain)

    def run_in_order(self, key: str) -> TechniqueRun:
        """The run to record ``key`` into, for a front end that follows the recommended
        order: the interrupted run of ``key``, or a new one when ``key`` is the next
        technique; anything else is refused, naming the technique expected."""
        self._require_open()
        interrupted = self.in_progress()
        if interrupted is not None:
            if interrupted.key != key:
                raise RelieveError(f"{interrupted.key} was started and must be finished first", field="technique")
            return interrupted
        expected = self.next_technique()
        if expected is None:
            raise RelieveError("every technique of this session is done", field="technique")
        if key != expected:
            raise RelieveError(f"the next technique is {expected}, not {key}", field="technique")
        return self.begin(key)

    def _run(self, seq, key, muscle, side, pain_before) -> TechniqueRun:
        technique = self.plan_for(muscle, side).techniques[key]
        return TechniqueRun(seq, key, muscle, side, phases_for(key, technique), pain_before)

    def phase_done(self, run: TechniqueRun, index: int, started_at: datetime, ended_at: datetime,
                   skipped: bool = False) -> None:
        """Store one finished phase (committed before this returns)."""
        self.store.add_phase(self.id, step_seq=run.seq, phase_index=index, technique=run.key,
                             kind=run.phases[index].kind, started_at=started_at, ended_at=ended_at, skipped=skipped)
        run.done.add(index)
        if run.started_at is None:
            run.started_at = started_at
        self.record["phases"].append({"step_seq": run.seq, "phase_index": index, "technique": run.key,
                                      "kind": run.phases[index].kind, "started_at": None, "ended_at": None,
                                      "skipped": skipped})

    def finish_technique(self, run: TechniqueRun, pain_after: float | None) -> Decision:
        """Store the technique as a step (with pain before and after) and decide what next."""
        now = self.clock.now()
        self.store.add_step(self.id, seq=run.seq, technique=run.key, muscle=run.muscle, side=run.side,
                            started_at=run.started_at or now, ended_at=now,
                            pain_before=run.pain_before, pain_after=pain_after)
        self.reload()
        return self.decide()

    def decide(self) -> Decision:
        baseline = self.pain_start
        if baseline is None and self.record["steps"]:
            baseline = self.record["steps"][0]["pain_before"]
        after = self.current_pain if self.record["steps"] else None
        points, pct, relieved = relief_decision(baseline, after)
        if relieved:
            return Decision(baseline, after, points, pct, True, "done")
        nxt = self.next_technique()
        if nxt is not None:
            return Decision(baseline, after, points, pct, False, "next_technique", next_technique=nxt)
        cand = self.next_candidate()
        if cand is not None:
            return Decision(baseline, after, points, pct, False, "next_candidate", next_candidate=cand)
        return Decision(baseline, after, points, pct, False, "nothing_left")

    # ------------------------------------------------------------------ the end

    def finish(self, status: str = "completed", notes: str | None = None) -> dict:
        if status not in ("completed", "stopped"):
            raise ValueError(status)
        self._require_open()
        now = self.clock.now()
        fields: dict[str, Any] = {"status": status, "ended_at": now}
        if notes:
            fields["notes"] = notes
        self.store.update_session(self.id, at=now, **fields)
        return self.reload()

    def _require_open(self) -> None:
        if self.status != "in_progress":
            raise RelieveError(f"session {self.id[:8]} is {self.status}", field="session")


def _time(text):
    from datetime import datetime as _dt

    return _dt.fromisoformat(text.replace("Z", "+00:00"))


def _available(p) -> list[str]:
    """A plan's available techniques in the recommended order."""
    return [k for k in RECOMMENDED_ORDER if k in p.techniques and p.techniques[k].get("available", True) is not False]
