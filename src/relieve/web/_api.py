"""The JSON API: the contract's documents over HTTP. Each route is a few lines over the
library; errors are answered by the handlers in ``_app`` (422 naming each bad field,
409 with the refer object)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..errors import RelieveError
from . import _service as service
from ._body import body_schema, read_json, validate_body

router = APIRouter(prefix="/api")

FIGURE_MEDIA = {"svg": "image/svg+xml", "png": "image/png"}
Fmt = Literal["svg", "png"]
SideName = Literal["left", "right"]
TechniqueKey = Literal["muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain"]


def _contract_models():
    import relieve

    return relieve.AssessmentDocument, relieve.PlanDocument


AssessmentDocument, PlanDocument = _contract_models()


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanRequest(_Body):
    targets: list[Annotated[str, Field(max_length=80)]] = Field(min_length=1, max_length=8,
                                                                  description="ID:SIDE, e.g. levator_scapulae:left")
    findings: dict[str, Any] | None = Field(None, description="a findings document (contract section 3)")


class SessionStart(_Body):
    findings: dict[str, Any] = Field(description="a findings document (contract section 3)")
    pain_start: float | None = Field(None, ge=0, le=10)
    time_scale: float | None = Field(None, gt=0, le=1000, description="multiplies every timer (default: the server's)")
    muscle: str | None = Field(None, max_length=40, description="treat this muscle (default: none chosen yet)")
    side: SideName | None = None
    techniques: list[TechniqueKey] | None = Field(None, max_length=4)


class SessionChoose(_Body):
    muscle: str = Field(max_length=40)
    side: SideName
    techniques: list[TechniqueKey] | None = Field(None, max_length=4)


class PhaseDone(_Body):
    technique: TechniqueKey
    phase_index: int = Field(ge=0, le=64)
    seconds: float = Field(ge=0, le=86400, description="how long the phase lasted")
    skipped: bool = False


class StepDone(_Body):
    technique: TechniqueKey
    pain_after: float | None = Field(None, ge=0, le=10)


class SessionFinish(_Body):
    status: Literal["completed", "stopped"] = "completed"
    notes: str | None = Field(None, max_length=2000)


class PsfsItem(_Body):
    activity: str = Field(min_length=1, max_length=200)
    score: float = Field(ge=0, le=10)


class MeasuresIn(_Body):
    ndi: list[Annotated[int, Field(ge=0, le=5)] | None] | None = Field(None, min_length=10, max_length=10)
    psfs: list[PsfsItem] | None = Field(None, min_length=3, max_length=5)
    session_id: str | None = Field(None, max_length=64, pattern="^[0-9a-f]+$")


def _findings_schema():
    import relieve

    return relieve.Findings


# --------------------------------------------------------------------------- assessment and plans


@router.post("/assess", summary="Assess findings: triage first, then the likely muscles (contract section 4)",
             responses={200: {"model": AssessmentDocument}}, openapi_extra=body_schema(_findings_schema()))
async def api_assess(request: Request):
    import relieve

    doc = await read_json(request)
    return JSONResponse(relieve.assess(doc).to_contract())


@router.post("/next-question", summary="The next question to ask for these findings, or null",
             openapi_extra=body_schema(_findings_schema()))
async def api_next_question(request: Request):
    import relieve

    doc = await read_json(request)
    q = relieve.next_question(doc)
    return JSONResponse(None if q is None else q.to_dict())


def _plan_document(p) -> dict:
    doc = p.to_contract()
    figures = service.technique_figures(p)
    return {**doc, "figures": figures} if figures else doc


@router.get("/plan", summary="The techniques for one or several muscles (contract section 5)",
            responses={200: {"model": PlanDocument}, 409: {"description": "the findings need a health professional: "
                                                                          "the refer object, no technique"}})
def api_plan(muscle: Annotated[list[Annotated[str, Field(max_length=80)]], Query(min_length=1, max_length=8,
                                                                                    description="ID or ID:SIDE; repeat for several")],
             side: Annotated[SideName | None, Query()] = None,
             findings: Annotated[str | None, Query(max_length=65536, description="findings JSON (contract section 3)")] = None):
    import relieve

    parsed = None
    if findings is not None:
        try:
            parsed = relieve.parse_findings(findings)
        except relieve.ValidationError as exc:
            raise _Located(exc, "query", "findings") from None
    targets = _query_targets(muscle, side)
    return JSONResponse(_plan_document(service.plan_for(targets, parsed)))


@router.post("/plan", summary="The same as GET /api/plan, with the findings in the body",
             responses={200: {"model": PlanDocument}, 409: {"description": "the refer object"}},
             openapi_extra=body_schema(PlanRequest))
async def api_plan_post(request: Request):
    import relieve

    data = await read_json(request)
    body = validate_body(PlanRequest, data, findings_key="findings")
    parsed = relieve.parse_findings(body.findings) if body.findings is not None else None
    targets = service.parse_targets(body.targets, None)
    p = await run_in_threadpool(service.plan_for, targets, parsed)
    return JSONResponse(_plan_document(p))


def _query_targets(muscle, side):
    try:
        return service.parse_targets(muscle, side)
    except RelieveError as exc:
        raise _Located(exc, "query") from None


class _Located(RelieveError):
    """A library error whose field lives in the query string, not the body."""

    def __init__(self, exc: RelieveError, where: str, prefix: str | None = None):
        super().__init__(exc.message, field=exc.field)
        self.inner, self.where, self.prefix = exc, where, prefix


@router.get("/muscles", summary="The muscles and groups relieve knows")
def api_muscles():
    import relieve

    return JSONResponse(relieve.muscles())


@router.get("/muscles/{muscle_id}", summary="One muscle's card (a group: one card per member)")
def api_muscle(muscle_id: Annotated[str, Path(max_length=40)], side: SideName = "left"):
    import relieve

    card = relieve.muscle_card(muscle_id, side)
    return JSONResponse({**card, "figure": f"/api/figures/muscles/{muscle_id}/{side}.svg"})


# --------------------------------------------------------------------------- figures


def _image(data: bytes, fmt: str) -> Response:
    return Response(data, media_type=FIGURE_MEDIA[fmt], headers={"cache-control": "public, max-age=86400"})


@router.get("/figures/muscles/{muscle_id}/{side}.{fmt}", summary="A muscle's card as a picture",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}})
def api_muscle_figure(muscle_id: Annotated[str, Path(max_length=40)], side: SideName, fmt: Fmt):
    return _image(service.figure("muscle", fmt, muscle_id, side), fmt)


@router.get("/figures/techniques/{muscle_id}/{side}/{technique}.{fmt}",
            summary="A technique's position for one muscle-side (no findings), as a picture",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}})
def api_technique_figure(muscle_id: Annotated[str, Path(max_length=40)], side: SideName,
                         technique: Literal["muscle_shortening", "repositioning", "strain_counterstrain",
                                            "jones_counterstrain", "strain_counterstrain_push"], fmt: Fmt):
    return _image(service.figure("technique", fmt, muscle_id, side, technique), fmt)


@router.get("/figures/movements/{code}.{fmt}", summary="A test movement as a picture",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}})
def api_movement_figure(code: Annotated[str, Path(max_length=40)], fmt: Fmt):
    return _image(service.figure("movement", fmt, code), fmt)


# --------------------------------------------------------------------------- sessions


def _store(request: Request):
    return request.app.state.relieve.store()


@router.post("/sessions", status_code=201, summary="Start a guided session (referring findings: stored as referred)",
             openapi_extra=body_schema(SessionStart))
async def api_session_start(request: Request):
    data = await read_json(request)
    body = validate_body(SessionStart, data, findings_key="findings")
    state = request.app.state.relieve
    return JSONResponse(await run_in_threadpool(_start_session, state, body), status_code=201)


def _start_session(state, body: SessionStart) -> dict:
    from ..sessions import GuidedSession

    store = state.store()
    session = GuidedSession.start(store, service.clock(), body.findings,
                                  time_scale=body.time_scale or state.time_scale, pain_start=body.pain_start)
    if not session.referred and body.muscle:
        if not body.side:
            raise RelieveError("give the side with the muscle", field="side")
        session.choose(body.muscle, body.side, body.techniques)
    return _session_view(session)


def _session_view(session) -> dict:
    record = session.reload()
    out = {**record, "refer": session.refer}
    if record["status"] == "in_progress":
        out["techniques_detail"] = service.session_techniques(session, record["time_scale"])
        out["next_technique"] = session.next_technique()
    return out


@router.get("/sessions", summary="Every session, most recent first (contract section 7)")
def api_sessions(request: Request, limit: Annotated[int, Query(ge=1, le=1000)] = 100):
    return JSONResponse(_store(request).history(limit))


@router.get("/sessions/{session_id}", summary="One session with its steps and timed phases")
def api_session(request: Request, session_id: Annotated[str, Path(max_length=64, pattern="^[0-9A-Fa-f]+$")]):
    return JSONResponse(_session_view(service.load_session(_store(request), session_id)))


@router.post("/sessions/{session_id}/choose", summary="Choose the muscle-side (and techniques) to treat")
def api_session_choose(request: Request, session_id: Annotated[str, Path(max_length=64, pattern="^[0-9A-Fa-f]+$")],
                       body: SessionChoose):
    session = service.load_session(_store(request), session_id)
    session.choose(body.muscle, body.side, body.techniques)
    return JSONResponse(_session_view(session))


@router.post("/sessions/{session_id}/phases", status_code=201, summary="Store one finished timed phase")
def api_session_phase(request: Request, session_id: Annotated[str, Path(max_length=64, pattern="^[0-9A-Fa-f]+$")],
                      body: PhaseDone):
    session = service.load_session(_store(request), session_id)
    return JSONResponse(service.record_phase(session, body.technique, body.phase_index, body.seconds, body.skipped),
                        status_code=201)


@router.post("/sessions/{session_id}/steps", status_code=201,
             summary="Store a finished technique with the pain after it; answers what to offer next")
def api_session_step(request: Request, session_id: Annotated[str, Path(max_length=64, pattern="^[0-9A-Fa-f]+$")],
                     body: StepDone):
    session = service.load_session(_store(request), session_id)
    return JSONResponse(service.record_step(session, body.technique, body.pain_after), status_code=201)


@router.post("/sessions/{session_id}/finish", summary="End the session: completed or stopped")
def api_session_finish(request: Request, session_id: Annotated[str, Path(max_length=64, pattern="^[0-9A-Fa-f]+$")],
                       body: SessionFinish):
    session = service.load_session(_store(request), session_id)
    session._require_open()
    return JSONResponse(session.finish(body.status, body.notes))


# --------------------------------------------------------------------------- measures and progress


@router.get("/measures", summary="Outcome measures stored, oldest first, with their change")
def api_measures(request: Request):
    from ..sessions.measures import measure_changes

    rows = _store(request).measures()
    return JSONResponse({"measures": rows, "changes": measure_changes(rows)})


@router.post("/measures", status_code=201, summary="Store NDI section scores (from your licensed copy) and/or PSFS")
def api_measures_add(request: Request, body: MeasuresIn):
    from ..sessions.measures import record_measures

    if body.ndi is None and body.psfs is None:
        raise RelieveError("give ndi, psfs or both", field="ndi")
    scores = record_measures(_store(request), service.clock(), ndi=body.ndi,
                             psfs=[a.model_dump() for a in body.psfs] if body.psfs is not None else None,
                             session_id=body.session_id)
    return JSONResponse(scores, status_code=201)


@router.get("/progress", summary="Relief per technique and per muscle, pain over time")
def api_progress(request: Request):
    from ..sessions.progress import summarize

    return JSONResponse(summarize(_store(request).history()))
