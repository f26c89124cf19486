"""The few functions both the JSON API and the pages call: each a thin layer over the
library, the session state machine and the store (so a page and the API can never
disagree)."""

from __future__ import annotations

import json
from typing import Any

from ..errors import RelieveError, UnknownNameError
from ._errors import NotFound
from ._state import Memo, findings_key

TITLES = {
    "muscle_shortening": "Muscle shortening",
    "repositioning": "Repositioning",
    "strain_counterstrain": "Strain-counterstrain",
    "jones_counterstrain": "Jones' counterstrain (with a helper)",
}
# Which picture each technique gets, and which posture it shows (as the CLI draws them).
FIGURE_KINDS = {
    "muscle_shortening": ("shortening", "posture"),
    "repositioning": ("repositioning", "posture"),
    "strain_counterstrain": ("stretch", "stretch_posture"),
    "jones_counterstrain": ("jones", "posture"),
}
PHASE_WORDS = {"settle": "Get ready", "hold": "Hold", "push": "Push gently", "relax": "Relax",
               "stretch": "Stretch", "return": "Come back", "rest": "Rest"}

_plans = Memo(256)
_figures = Memo(96)


def parse_targets(muscles: list[str], side: str | None) -> list[tuple[str, str]]:
    """``muscle=ID`` with ``side=``, or ``muscle=ID:SIDE``; several allowed."""
    if not muscles:
        raise RelieveError("give at least one muscle", field="muscle")
    out = []
    for i, item in enumerate(muscles):
        muscle, _, own = str(item).partition(":")
        chosen = (own or side or "").strip()
        if not chosen:
            raise RelieveError(f"give side=left|right (or muscle={muscle}:left)", field="side")
        out.append((muscle.strip(), chosen))
    return out


def plan_for(targets: list[tuple[str, str]], findings=None):
    """``relieve.plan`` (the safety gate inside), remembered for the same inputs."""
    import relieve

    key = (tuple(targets), findings_key(findings))
    return _plans.get(key, lambda: relieve.plan(targets, findings=findings))


def plan_json(targets: list[tuple[str, str]], findings=None) -> bytes:
    """The plan document (with its picture URLs) as JSON bytes, serialized once per input:
    a repeated GET /api/plan neither plans nor serializes again."""
    key = _json_key(targets, findings)
    return _plans.get(key, lambda: _to_json(plan_document(plan_for(targets, findings))))


def remembered_plan_json(targets: list[tuple[str, str]], findings=None) -> bytes | None:
    """``plan_json`` when it is already remembered, else None (nothing computed)."""
    return _plans.peek(_json_key(targets, findings))


def _json_key(targets, findings) -> tuple:
    return ("json", tuple(targets), findings_key(findings))


def plan_document(p) -> dict:
    doc = p.to_contract()
    figures = technique_figures(p)
    return {**doc, "figures": figures} if figures else doc


def _to_json(doc) -> bytes:
    # as Starlette's JSONResponse renders it
    return json.dumps(doc, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode("utf-8")


def figure(kind: str, fmt: str, *args) -> bytes:
    return _figures.get((kind, fmt, *args), lambda: _draw(kind, fmt, *args))


def _draw(kind: str, fmt: str, *args) -> bytes:
    from ..figures import muscle_card_figure, technique_figure

    if kind == "muscle":
        muscle, side = args
        return muscle_card_figure(muscle, side, fmt=fmt)
    if kind == "movement":
        from ..anatomy.movements import movements

        (code,) = args
        known = movements()
        if code not in known:
            raise UnknownNameError(f"no test movement {code!r}", field="code")
        return technique_figure([], dict(known[code].posture), kind="stretch", title=code.replace("_", " "), fmt=fmt)
    muscle, side, technique = args
    p = plan_for([(muscle, side)])
    if technique == "strain_counterstrain_push":
        push = p.techniques["strain_counterstrain"]["resist_direction"]
        return technique_figure([(muscle, side)], {}, kind="resist", arrows=push,
                                title="The gentle push (against your hand)", fmt=fmt)
    if technique not in FIGURE_KINDS:
        raise UnknownNameError(f"no technique {technique!r}; known: {', '.join([*FIGURE_KINDS, 'strain_counterstrain_push'])}",
                               field="technique")
    t = p.techniques[technique]
    if t.get("available") is False:
        # the request is well formed; there is no such picture
        raise NotFound(f"{technique} is not available for the {side} {muscle}: {t.get('reason', '')}",
                       field="technique")
    figure_kind, posture_key = FIGURE_KINDS[technique]
    fingers = []
    if technique in ("muscle_shortening", "jones_counterstrain"):
        fingers = [(a["landmark"], p2["side"]) for p2 in p.plans for end in ("origin", "insertion")
                   for a in p2["attachments"][end][:1]]
    return technique_figure([(muscle, side)], t[posture_key], kind=figure_kind, finger_spots=fingers,
                            title=TITLES[technique], fmt=fmt)


def technique_figures(plan) -> dict[str, str]:
    """Stable picture URLs of a one-muscle plan's techniques (SVG)."""
    if len(plan.plans) != 1:
        return {}
    m, s = plan.plans[0]["muscle"], plan.plans[0]["side"]
    out = {}
    for key in FIGURE_KINDS:
        t = plan.techniques.get(key)
        if t is not None and t.get("available") is not False:
            out[key] = f"/api/figures/techniques/{m}/{s}/{key}.svg"
    if plan.techniques["strain_counterstrain"].get("resist_direction"):
        out["strain_counterstrain_push"] = f"/api/figures/techniques/{m}/{s}/strain_counterstrain_push.svg"
    return out


# --------------------------------------------------------------------------- sessions


def clock():
    from ..sessions import SystemClock

    return SystemClock()


def load_session(store, session_id: str):
    from ..sessions import GuidedSession
    from ..store import StoreError

    if not (isinstance(session_id, str) and session_id.isalnum() and len(session_id) <= 64):
        raise StoreError("not a session id", field="session_id")
    return GuidedSession(store, clock(), store.session(session_id.lower()))


def session_techniques(session, time_scale: float) -> list[dict[str, Any]]:
    """The chosen muscle's techniques in order, each with its steps, its timed phases
    (seconds already multiplied by the session's time scale) and what is done."""
    from ..sessions import phases_for

    current = session.muscle
    if current is None:
        return []
    muscle, side = current
    p = session.plan_for(muscle, side)
    done = set(session.done_techniques(muscle, side))
    interrupted = session.in_progress()
    figures = technique_figures(p)
    out = []
    for key in session.order_for(muscle, side):
        t = p.techniques[key]
        phases = phases_for(key, t)
        stored = interrupted.done if interrupted is not None and interrupted.key == key else set()
        out.append({
            "technique": key, "title": TITLES[key], "muscle": muscle, "side": side,
            "steps": list(t.get("steps", [])), "figure": figures.get(key),
            "done": key in done,
            "phases": [{"index": i, "kind": ph.kind, "label": PHASE_WORDS.get(ph.kind, ph.kind),
                        "seconds": round(ph.seconds * time_scale, 3), "cue": ph.cue, "repetition": ph.repetition,
                        "done": i in stored}
                       for i, ph in enumerate(phases)],
        })
    return out


def record_phase(session, technique: str, index: int, seconds: float, skipped: bool) -> dict:
    """Store one finished phase: its end is now, its start ``seconds`` before."""
    from datetime import timedelta

    run = session.run_in_order(technique)
    if not 0 <= index < len(run.phases):
        raise RelieveError(f"{technique} has phases 0-{len(run.phases) - 1}, not {index}", field="phase_index")
    if index in run.done:
        return {"stored": False, "phase_index": index}
    now = session.clock.now()
    session.phase_done(run, index, now - timedelta(seconds=seconds), now, skipped=skipped)
    return {"stored": True, "phase_index": index}


def record_step(session, technique: str, pain_after: float | None) -> dict:
    from dataclasses import asdict

    run = session.run_in_order(technique)
    decision = session.finish_technique(run, pain_after)
    out = asdict(decision)
    out["next_technique_title"] = TITLES.get(decision.next_technique or "", None)
    return out
