"""Progress from the history: relief per technique and per muscle, time to relief,
muscles that keep coming back. Plain functions of the history records (contract §7)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from statistics import mean

from .machine import relief_decision


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def session_relief(record: dict) -> dict:
    """Pain at the start and at the end, and when relief (by the cited threshold) came."""
    steps = record["steps"]
    start = record.get("pain_start")
    if start is None and steps:
        start = steps[0]["pain_before"]
    end = next((s["pain_after"] for s in reversed(steps) if s["pain_after"] is not None), None)
    minutes = None
    for s in steps:
        if relief_decision(start, s["pain_after"])[2]:
            minutes = round((_t(s["ended_at"]) - _t(record["started_at"])).total_seconds() / 60, 2)
            break
    return {"pain_start": start, "pain_end": end, "minutes_to_relief": minutes}


def summarize(history: list[dict]) -> dict:
    by_technique: dict[str, list[float]] = defaultdict(list)
    by_muscle: dict[str, list[float]] = defaultdict(list)
    for r in history:
        for s in r["steps"]:
            if s["pain_before"] is not None and s["pain_after"] is not None:
                drop = s["pain_before"] - s["pain_after"]
                by_technique[s["technique"]].append(drop)
                by_muscle[f"{s['muscle']} ({s['side']})"].append(drop)
    recurring = Counter(f"{r['muscle']} ({r['side']})" for r in history if r["muscle"])
    timeline = []
    for r in sorted(history, key=lambda r: r["started_at"]):
        if r["status"] == "referred":
            continue
        timeline.append({"id": r["id"], "started_at": r["started_at"], **session_relief(r)})
    return {
        "sessions": len(history),
        "relief_by_technique": {k: {"mean_points": round(mean(v), 2), "count": len(v)} for k, v in sorted(by_technique.items())},
        "relief_by_muscle": {k: {"mean_points": round(mean(v), 2), "count": len(v)} for k, v in sorted(by_muscle.items())},
        "recurring_muscles": [{"muscle": k, "sessions": n} for k, n in recurring.most_common() if n >= 2],
        "timeline": timeline,
    }


def recurring_targets(history: list[dict], limit: int = 2) -> list[tuple[str, str]]:
    """The muscle-sides treated most often (most recent first among equals)."""
    counts = Counter((r["muscle"], r["side"]) for r in history if r["muscle"] and r["side"])
    return [k for k, _ in counts.most_common(limit)]
