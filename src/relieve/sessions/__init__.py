"""Guided sessions, outcome measures, practice and break reminders: the library under
``relieve session``, ``history``, ``practice`` and ``remind``.

Pure: a clock and a store are passed in (``relieve.store.Store`` or anything with its
methods), so the same code runs in the CLI, a web worker, or a test with a fake clock.
"""

from .clock import FakeClock, SystemClock
from .driver import ScriptAnswers, run_session
from .machine import Decision, GuidedSession, TechniqueRun, relief_decision
from .timeline import Phase, PhaseTimer, phases_for

__all__ = [
    "Decision", "FakeClock", "GuidedSession", "Phase", "PhaseTimer", "ScriptAnswers", "SystemClock",
    "TechniqueRun", "phases_for", "relief_decision", "run_session",
]
