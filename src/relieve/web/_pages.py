"""The pages: server-rendered (Jinja2, autoescaped), one step of the questionnaire per
page, its wording from ``assessment/data/questions.yaml``. The findings typed so far
travel in a hidden field and are validated by the library at every step; forms carry a
CSRF token; the guided session's timers run in the browser (``static/session.js``)
and store each finished phase and technique through the JSON API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ..errors import ReferralRequired, RelieveError, ValidationError
from . import _security
from . import _service as service

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

SIDES_WORDS = {"left": "left", "right": "right", "both": "both sides", "midline": "in the middle"}


def render(request: Request, name: str, status: int = 200, **context) -> HTMLResponse:
    token = request.cookies.get(_security.CSRF_COOKIE) or _security.new_token()
    from .._version import __version__

    response = templates.TemplateResponse(request, name, {"csrf": token, "version": __version__, **context},
                                          status_code=status)
    if request.cookies.get(_security.CSRF_COOKIE) != token:
        response.set_cookie(_security.CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    response.headers["cache-control"] = "no-store"
    return response


def page_error(request: Request, exc: RelieveError) -> HTMLResponse:
    if isinstance(exc, ReferralRequired):
        return render(request, "referral.html", refer=exc.refer)
    status = 404 if getattr(exc, "field", None) == "session" else 422
    problems = exc.problems if isinstance(exc, ValidationError) else [(exc.field or "", exc.message)]
    return render(request, "error.html", status=status, problems=problems)


async def form_of(request: Request, many: tuple[str, ...] = ()) -> dict[str, Any]:
    """The form's fields: those named in ``many`` (checkbox lists) always as lists, the
    others as one value (a list only when sent more than once). Per form, since a name
    means different things on different pages ("pain": the body map's places, or a test
    movement's 0-10 rating)."""
    form = await request.form()
    if not _security.tokens_match(request.cookies.get(_security.CSRF_COOKIE), form.get(_security.CSRF_FIELD)):
        raise _CsrfError()
    out: dict[str, Any] = {}
    for key in form.keys():
        values = form.getlist(key)
        out[key] = values if len(values) > 1 or key in many else values[0]
    return out


class _CsrfError(RelieveError):
    def __init__(self):
        super().__init__("the form expired or came from another site: please go back, reload the page and try again",
                         field="csrf_token")


def _draft(form: dict) -> dict:
    raw = form.get("findings") or "{}"
    from .._input import decode_json

    doc = decode_json(str(raw), field="findings")
    if not isinstance(doc, dict):
        raise ValidationError([("findings", "expected an object")])
    return doc


def _questions():
    from ..assessment.questions import questionnaire

    return questionnaire()


def _number(text, field: str, whole: bool = False):
    from .._input import ascii_number

    text = str(text or "").strip()
    if not text:
        return None
    value = ascii_number(text)
    if value is None:
        raise ValidationError([(field, f"expected a number, got {text[:40]!r}")])
    return int(value) if whole or value.is_integer() else value


# --------------------------------------------------------------------------- pages


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request):
    return render(request, "start.html", q=_questions())


@router.get("/check", response_class=HTMLResponse)
def safety_page(request: Request):
    return render(request, "safety.html", q=_questions(), values={}, problems=[])


@router.post("/check", response_class=HTMLResponse)
async def safety_answers(request: Request):
    form = await form_of(request, many=("history", "symptoms"))
    doc: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for field, whole in (("age", True), ("duration_days", False), ("pain_now", False)):
        try:
            v = _number(form.get(field), field, whole)
        except ValidationError as exc:
            problems += exc.problems
            continue
        if v is not None:
            doc[field] = v
    if form.get("onset"):
        doc["onset"] = form["onset"]
    for field in ("history", "symptoms"):
        if form.get(field):
            doc[field] = list(form[field])
    if "age" not in doc and not any(p == "age" for p, _ in problems):
        problems.append(("age", "please give your age"))
    if not problems:
        import relieve

        try:
            relieve.parse_findings(doc)
        except ValidationError as exc:
            problems += exc.problems
    if problems:
        return render(request, "safety.html", status=422, q=_questions(), values=form, problems=problems)
    return _after_safety(request, doc)


def _after_safety(request: Request, doc: dict) -> HTMLResponse:
    """Follow-up questions first; then the gate: a referral, or the body map."""
    import relieve

    q = relieve.next_question(doc)
    if q is not None and q.kind == "qualifier":
        return render(request, "followup.html", question=q, texts=_questions().follow_up, findings=doc)
    result = relieve.assess(doc)
    if result.status == "refer":
        return render(request, "referral.html", refer=result.to_contract()["refer"],
                      stop=_questions()["safety_gate"].text("stop"))
    from ._bodymap import OUTLINE, regions, spots

    qs = _questions()
    return render(request, "where.html", findings=doc, spots=spots(), outline=OUTLINE, regions=regions(),
                  pain_q=qs["pain_regions"], tender_q=qs["tender_points"], head_q=qs["resting_head_posture"])


@router.post("/followup", response_class=HTMLResponse)
async def followup_answer(request: Request):
    form = await form_of(request)
    doc = _draft(form)
    code = str(form.get("code", ""))
    answer = {"yes": True, "no": False}.get(str(form.get("answer", "")))
    doc.setdefault("qualifiers", {})[code] = answer
    import relieve

    relieve.parse_findings(doc)
    if doc.get("movements") is not None or form.get("stage") == "movements":
        return _next_movement(request, doc)
    return _after_safety(request, doc)


def _regions_from(values, field: str) -> list[dict]:
    out, seen = [], set()
    for v in values or []:
        region, _, side = str(v).partition(":")
        if (region, side) not in seen:  # a set: a form posted with many values stays linear
            seen.add((region, side))
            out.append({"region": region, "side": side} if side else {"region": region})
    return out


@router.post("/where", response_class=HTMLResponse)
async def where_answers(request: Request):
    form = await form_of(request, many=("pain", "tender"))
    doc = _draft(form)
    pain = _regions_from(form.get("pain"), "pain_regions")
    tender = _regions_from(form.get("tender"), "tender_points")
    if pain:
        doc["pain_regions"] = pain
    if tender:
        doc["tender_points"] = tender
    tilt, turn, fwd = form.get("tilt") or None, form.get("turn") or None, form.get("forward")
    forward = {"yes": True, "no": False}.get(str(fwd)) if fwd else None
    if tilt or turn or forward is not None:
        doc["resting_head_posture"] = {"tilt": tilt, "turn": turn, "forward_head": forward}
    import relieve

    relieve.parse_findings(doc)
    doc["movements"] = {}
    return _next_movement(request, doc)


def _next_movement(request: Request, doc: dict, number: int | None = None) -> HTMLResponse:
    import relieve

    q = relieve.next_question(doc)
    if q is not None and q.kind == "qualifier":
        return render(request, "followup.html", question=q, texts=_questions().follow_up, findings=doc,
                      stage="movements")
    if q is None:
        return _result(request, doc)
    mq = _questions()["movements"]
    done = len(doc.get("movements", {}))
    return render(request, "movement.html", question=q, mq=mq, number=done + 1, findings=doc,
                  figure=f"/api/figures/movements/{q.code}.svg")


@router.post("/move", response_class=HTMLResponse)
async def movement_answer(request: Request):
    form = await form_of(request)
    doc = _draft(form)
    moves = doc.setdefault("movements", {})
    code = str(form.get("code", ""))
    action = form.get("action", "answer")
    if action == "stop":
        return _result(request, doc)
    entry: dict[str, Any] = {}
    if action == "answer":
        pain = _number(form.get("pain"), f"movements.{code}.pain")
        if pain is not None:
            entry["pain"] = pain
            limited = form.get("limited")
            if limited in ("yes", "no"):
                entry["limited"] = limited == "yes"
            if form.get("pain_side") and (pain > 0 or entry.get("limited")):
                entry["pain_side"] = form["pain_side"]
    moves[code] = entry
    import relieve

    relieve.parse_findings(doc)
    return _next_movement(request, doc)


def _result(request: Request, doc: dict) -> HTMLResponse:
    import relieve

    if not doc.get("movements"):
        doc.pop("movements", None)
    result = relieve.assess(doc)
    contract = result.to_contract()
    if result.status == "refer":
        return render(request, "referral.html", refer=contract["refer"])
    names = {m["muscle"]: m["common_name"] for m in relieve.muscles()["muscles"]}
    return render(request, "result.html", result=result.to_dict(), candidates=contract["candidates"],
                  names=names, findings=doc)


@router.post("/plan", response_class=HTMLResponse)
async def plan_page(request: Request):
    import relieve

    form = await form_of(request)
    doc = _draft(form)
    targets = service.parse_targets([str(form.get("muscle", ""))], str(form.get("side", "")))
    findings = relieve.parse_findings(doc) if doc else None
    p = service.plan_for(targets, findings)
    return render(request, "plan.html", plan=p, titles=service.TITLES, figures=service.technique_figures(p),
                  findings=doc, muscle=targets[0][0], side=targets[0][1])


@router.post("/session")
async def session_start(request: Request):
    from fastapi.concurrency import run_in_threadpool

    form = await form_of(request)
    doc = _draft(form)
    muscle, side = str(form.get("muscle", "")), str(form.get("side", ""))
    state = request.app.state.relieve
    pain = _number(form.get("pain_start"), "pain_start")

    def start():
        from ..sessions import GuidedSession

        session = GuidedSession.start(state.store(), service.clock(), doc, time_scale=state.time_scale,
                                      pain_start=pain)
        if not session.referred:
            session.choose(muscle, side)
        return session.id

    session_id = await run_in_threadpool(start)
    return RedirectResponse(f"/session/{session_id}", status_code=303)


@router.get("/session/{session_id}", response_class=HTMLResponse)
def session_page(request: Request, session_id: str):
    session = service.load_session(request.app.state.relieve.store(), session_id)
    if session.referred:
        return render(request, "referral.html", refer=session.refer)
    techniques = service.session_techniques(session, session.record["time_scale"])
    muscle, side = session.muscle or (session.record["muscle"], session.record["side"])
    return render(request, "session.html", session=session.record, techniques=techniques, muscle=muscle, side=side)


@router.get("/history", response_class=HTMLResponse)
def history_page(request: Request):
    from ..sessions.measures import measure_changes, measures_due, ndi_terms
    from ..sessions.progress import summarize
    from ._chart import pain_chart

    store = request.app.state.relieve.store()
    history = store.history(200)
    summary = summarize(history)
    measures = store.measures()
    return render(request, "history.html", history=history, summary=summary, chart=pain_chart(summary["timeline"]),
                  measures=measures, changes=measure_changes(measures), titles=service.TITLES,
                  due=measures_due(measures, service.clock().now()), ndi_terms=ndi_terms())


@router.post("/measures")
async def measures_post(request: Request):
    from ..sessions.measures import record_measures

    form = await form_of(request)
    ndi = []
    for i in range(10):
        v = _number(form.get(f"ndi{i}"), f"ndi[{i}]", whole=True)
        ndi.append(v)
    psfs = []
    for i in range(5):
        name = str(form.get(f"psfs{i}_activity", "")).strip()
        if name:
            psfs.append({"activity": name[:200], "score": _number(form.get(f"psfs{i}_score"), f"psfs[{i}].score")})
    store = request.app.state.relieve.store()
    record_measures(store, service.clock(), ndi=ndi if any(v is not None for v in ndi) else None,
                    psfs=psfs or None)
    return RedirectResponse("/history#measures", status_code=303)


@router.get("/docs", response_class=HTMLResponse)
def docs_page(request: Request):
    schema = request.app.openapi()
    ops = [(method.upper(), path, op.get("summary", "")) for path, item in schema["paths"].items()
           for method, op in item.items()]
    return render(request, "docs.html", ops=ops)


def dumps(doc: dict) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=True)


templates.env.filters["dumps"] = dumps
templates.env.globals["SIDES_WORDS"] = SIDES_WORDS
