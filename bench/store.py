"""The store's speed: storing one finished step (a committed transaction, SQLite with
WAL and synchronous=FULL), and loading a history of 1,000 sessions (3 steps and 14
phases each). Targets: under 20 ms and under 200 ms."""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import table  # noqa: E402

STEP_TARGET_MS = 20
HISTORY_TARGET_MS = 200


def main() -> None:
    from relieve.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
        findings = {"age": 41, "pain_now": 6, "pain_regions": [{"region": "neck_shoulder_junction", "side": "left"}]}
        assessment = {"status": "ok", "refer": None, "candidates": [
            {"muscle": "levator_scapulae", "side": "left", "probability": 0.4, "why": ["a reason"] * 4}]}
        ids = []
        for n in range(1000):
            start = t0 + timedelta(hours=n)
            sid = store.create_session(started_at=start, findings=findings, assessment=assessment, status="in_progress",
                                       muscle="levator_scapulae", side="left", pain_start=6,
                                       techniques=["muscle_shortening", "repositioning", "strain_counterstrain"])
            ids.append(sid)
        # bulk-fill steps and phases for the history (not timed)
        from sqlalchemy import insert

        from relieve.store import _tables as t

        steps, phases = [], []
        for n, sid in enumerate(ids):
            start = t0 + timedelta(hours=n)
            for seq, key in enumerate(("muscle_shortening", "repositioning", "strain_counterstrain")):
                steps.append(dict(session_id=sid, seq=seq, technique=key, muscle="levator_scapulae", side="left",
                                  started_at=start, ended_at=start, pain_before=6 - seq, pain_after=5 - seq))
            for i in range(14):
                phases.append(dict(session_id=sid, step_seq=i // 5, phase_index=i % 5, technique="muscle_shortening",
                                   kind="hold", started_at=start, ended_at=start, skipped=0))
        with store.engine.begin() as conn:
            conn.execute(insert(t.steps), steps)
            conn.execute(insert(t.phases), phases)

        # one finished step, committed (as a session does), timed over 50 steps
        extra = store.create_session(started_at=t0, findings=findings, assessment=assessment, status="in_progress")
        times = []
        for i in range(50):
            s = time.perf_counter()
            store.add_phase(extra, step_seq=i, phase_index=0, technique="muscle_shortening", kind="hold",
                            started_at=t0, ended_at=t0)
            store.add_step(extra, seq=i, technique="muscle_shortening", muscle="levator_scapulae", side="left",
                           started_at=t0, ended_at=t0, pain_before=6, pain_after=4)
            times.append((time.perf_counter() - s) * 1000)
        times.sort()
        step_ms = times[len(times) // 2]

        loads = []
        for _ in range(5):
            s = time.perf_counter()
            h = store.history()
            loads.append((time.perf_counter() - s) * 1000)
        assert len(h) == 1001
        history_ms = min(loads)
        store.close()
    print(table(["measure", "ms", "target ms"], [
        ["store one finished step (phase + step, 2 commits; median of 50)", f"{step_ms:.1f}", STEP_TARGET_MS],
        ["load a history of 1,000 sessions (best of 5)", f"{history_ms:.1f}", HISTORY_TARGET_MS],
    ], title="Store (SQLite, WAL, synchronous=FULL)"))
    print(f"store a step: {step_ms:.1f} ms (target < {STEP_TARGET_MS}); "
          f"history of 1,000 sessions: {history_ms:.0f} ms (target < {HISTORY_TARGET_MS})")


if __name__ == "__main__":
    main()
