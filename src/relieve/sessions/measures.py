"""Outcome measures: the Neck Disability Index (scores only, see below) and the
Patient-Specific Functional Scale. Terms of use and sources: ``data/sessions.yaml``.

The NDI's questions are licensed (Vernon & Mior 1991; Mapi Research Trust), so relieve
carries none of its wording: the person enters the ten section scores (0-5) from their
own copy, and relieve scores them over the sections answered, as the authors allow.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..errors import RelieveError
from ._settings import settings, value


def ndi_terms() -> str:
    return settings()["measures"]["ndi"]["terms_of_use"]


def score_ndi(sections: list[int | None]) -> float | None:
    """Percent disability (0-100) over the sections answered; None (no score) when fewer
    than the minimum are answered. Each section 0-5; null = not answered."""
    rule = settings()["measures"]["ndi"]
    if len(sections) != rule["sections"]:
        raise RelieveError(f"expected {rule['sections']} section scores, got {len(sections)}", field="ndi")
    answered = []
    for i, s in enumerate(sections):
        if s is None:
            continue
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= rule["section_max"]:
            raise RelieveError(f"section {i + 1}: expected a whole number 0-{rule['section_max']}, got {s!r}",
                               field=f"ndi[{i}]")
        answered.append(s)
    if len(answered) < rule["min_sections_answered"]:
        return None
    return round(100.0 * sum(answered) / (rule["section_max"] * len(answered)), 1)


def score_psfs(activities: list[dict[str, Any]]) -> float:
    """The mean rating of the activities (each 0-10), 3 to 5 of them."""
    rule = settings()["measures"]["psfs"]
    if not rule["min_activities"] <= len(activities) <= rule["max_activities"]:
        raise RelieveError(f"name {rule['min_activities']} to {rule['max_activities']} activities, got {len(activities)}",
                           field="psfs")
    low, high = rule["scale"]
    for i, a in enumerate(activities):
        if not str(a.get("activity", "")).strip():
            raise RelieveError("name the activity", field=f"psfs[{i}].activity")
        s = a.get("score")
        if isinstance(s, bool) or not isinstance(s, (int, float)) or not low <= s <= high:
            raise RelieveError(f"expected a rating {low}-{high}, got {s!r}", field=f"psfs[{i}].score")
    return round(sum(a["score"] for a in activities) / len(activities), 2)


def record_measures(store, clock, *, ndi=None, psfs=None, session_id: str | None = None) -> dict[str, float | None]:
    """Score and store whichever measures are given (at least one); returns the scores.
    ``session_id``, when given, must name a stored session."""
    if ndi is None and psfs is None:
        raise RelieveError("give ndi, psfs or both", field="ndi")
    if session_id is not None:
        # A measure that names no stored session would break the link (and the database's
        # foreign key); say so, naming the field. (The store names its own field
        # "session" when none is stored; any other store error passes through.)
        try:
            store.session(session_id)
        except RelieveError as exc:
            if exc.field != "session":
                raise
            raise RelieveError(f"no session {session_id[:64]!r}", field="session_id") from None
    out: dict[str, float | None] = {}
    now = clock.now()
    if ndi is not None:
        score = score_ndi(list(ndi))
        if score is not None:
            store.add_measure(instrument="ndi", taken_at=now, answers=list(ndi), score=score, session_id=session_id)
        out["ndi"] = score
    if psfs is not None:
        activities = [dict(a) for a in psfs]
        score = score_psfs(activities)
        store.add_measure(instrument="psfs", taken_at=now, answers=activities, score=score, session_id=session_id)
        out["psfs"] = score
    return out


def measures_due(measures: list[dict], now: datetime) -> bool:
    """At the first session, then once the last measure is a week old (the issue's weekly offer)."""
    if not measures:
        return True
    last = max(m["taken_at"] for m in measures)
    last_at = datetime.fromisoformat(last.replace("Z", "+00:00"))
    return now - last_at >= timedelta(days=value("measures", "offer_every_days"))


def measure_changes(measures: list[dict]) -> dict[str, dict]:
    """Per instrument: first and latest score and their change (NDI: lower is better;
    PSFS: higher is better)."""
    out: dict[str, dict] = {}
    for m in measures:
        entry = out.setdefault(m["instrument"], {"first": m["score"], "first_at": m["taken_at"], "count": 0})
        entry.update(latest=m["score"], latest_at=m["taken_at"], count=entry["count"] + 1)
        entry["change"] = round(entry["latest"] - entry["first"], 2)
    return out
