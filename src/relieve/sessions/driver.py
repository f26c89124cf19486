"""Running a guided session: the loop over techniques and phases, with the questions
put to a ``ui`` (the CLI's terminal screens, or ``ScriptAnswers`` for ``--script``).

The ``ui`` answers:
  choose(session) -> (muscle, side, techniques or None) or None to stop
  technique_start(session, run)
  run_phase(run, index, timer) -> "done" | "skip" | "stop"    (runs the timer, shows it)
  pain_after(run) -> 0-10 or None
  next_step(session, decision) -> "next" | ("candidate", muscle, side) | "finish"
  referred(refer), summary(record, decision)
"""

from __future__ import annotations

from .machine import Decision, GuidedSession
from .timeline import PhaseTimer


def run_session(session: GuidedSession, ui, clock, time_scale: float, tick: float = 0.1) -> dict:
    if session.referred:
        ui.referred(session.refer)
        return session.record
    if session.muscle is None:
        choice = ui.choose(session)
        if choice is None:
            record = session.finish("stopped")
            ui.summary(record, None)
            return record
        muscle, side, techniques = choice
        session.choose(muscle, side, techniques)
    pending = session.in_progress()
    decision: Decision | None = None
    while True:
        key = pending.key if pending is not None else session.next_technique()
        if key is None:
            break
        run = pending if pending is not None else session.begin(key)
        pending = None
        ui.technique_start(session, run)
        for index, phase in enumerate(run.phases):
            if index in run.done:
                continue
            started = clock.now()
            outcome = ui.run_phase(run, index, PhaseTimer(phase, clock, time_scale, tick))
            if outcome == "stop":
                record = session.finish("stopped", getattr(ui, "notes", None))
                ui.summary(record, session.decide())
                return record
            session.phase_done(run, index, started, clock.now(), skipped=outcome == "skip")
        decision = session.finish_technique(run, ui.pain_after(run))
        answer = ui.next_step(session, decision)
        if answer == "finish":
            break
        if isinstance(answer, tuple) and answer[0] == "candidate":
            session.choose(answer[1], answer[2])
            if session.next_technique(answer[1], answer[2]) is None:
                break
    record = session.finish("completed", getattr(ui, "notes", None))
    ui.summary(record, decision)
    return record


class ScriptAnswers:
    """The answers of a ``--script`` document (contract §7) to the session's questions.
    ``show`` receives what a person would see, one event at a time (for printing)."""

    def __init__(self, script, show=None):
        self.script = script
        self.notes = script.notes or None
        self.show = show or (lambda kind, **data: None)

    def choose(self, session):
        if self.script.choose is not None:
            return self.script.choose.muscle, self.script.choose.side, self.script.techniques
        if not session.candidates:
            self.show("no_candidate")
            return None
        muscle, side = session.candidates[0]
        return muscle, side, self.script.techniques

    def technique_start(self, session, run):
        self.show("technique", session=session, run=run)

    def run_phase(self, run, index, timer):
        self.show("phase", run=run, index=index, timer=timer)
        timer.run(lambda t: self.show("tick", run=run, index=index, timer=t))
        return "done"

    def pain_after(self, run):
        ratings = self.script.pain_after
        return ratings[run.seq] if run.seq < len(ratings) else None

    def next_step(self, session, decision):
        self.show("decision", decision=decision)
        if self.script.techniques is not None:
            return "next" if session.next_technique() is not None else "finish"
        if decision.relieved or decision.next_technique is None:
            return "finish"
        return "next"

    def referred(self, refer):
        self.show("referred", refer=refer)

    def summary(self, record, decision):
        self.show("summary", record=record, decision=decision)
