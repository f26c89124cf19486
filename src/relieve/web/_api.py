"""The JSON API: the contract's documents over HTTP. Each route is a few lines over the
library; errors are answered by the handlers in ``_app`` (422 naming each bad field,
409 with the refer object)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema

from ..errors import ReferralRequired, RelieveError
from ..vocabulary import GROUPS, MOVEMENT_CODES, MUSCLE_IDS, SIDES
from . import _service as service
from ._body import body_schema, findings_schema, read_json, read_body
from ._errors import NOT_FOUND, REFERRED, UNPROCESSABLE, NotFound

router = APIRouter(prefix="/api", responses=UNPROCESSABLE)

FIGURE_MEDIA = {"svg": "image/svg+xml", "png": "image/png"}
Fmt = Literal["svg", "png"]
SideName = Literal["left", "right"]
TechniqueKey = Literal["muscle_shortening", "repositioning", "strain_counterstrain", "jones_counterstrain"]

# The OpenAPI document lists the names the library knows (its vocabulary), so a client sees
# them; the library still checks every name (an unknown one: 422 naming the field).
MUSCLE_NAMES = [*MUSCLE_IDS, *GROUPS]
MuscleName = Annotated[str, Field(max_length=40, json_schema_extra={"enum": MUSCLE_NAMES})]
MusclePath = Annotated[str, Path(max_length=40, json_schema_extra={"enum": MUSCLE_NAMES})]
MovementPath = Annotated[str, Path(max_length=40, json_schema_extra={"enum": list(MOVEMENT_CODES)})]
SessionId = Annotated[str, Path(max_length=64, pattern="^[0-9A-Fa-f]+$")]


def _contract_models():
    import relieve

    return relieve.AssessmentDocument, relieve.PlanDocument


AssessmentDocument, PlanDocument = _contract_models()


def _whole(value: Any) -> Any:
    # JSON Schema counts 26.0 as an integer; pydantic's strict mode would not.
    return int(value) if isinstance(value, float) and value.is_integer() else value


def whole_number(low: int, high: int):
    """An integer in [low, high]; 26.0 counts as 26 (the schema is stated explicitly:
    pydantic's own, with a before-validator, would lose the bounds)."""
    return Annotated[int, BeforeValidator(_whole), Field(ge=low, le=high),
                     WithJsonSchema({"type": "integer", "minimum": low, "maximum": high})]


class MuscleSide(BaseModel):
    muscle: str
    side: SideName


class SeveralPlans(BaseModel):
    """The answer for several muscle-sides (or a group): each one's plan (contract
    section 5) and the techniques that suit them together."""

    muscles: list[MuscleSide]
    plans: list[PlanDocument]
    combined: dict[str, Any]
    notice: str


PlanAnswer = PlanDocument | SeveralPlans
SIDED_TARGETS = [f"{m}:{s}" for m in MUSCLE_NAMES for s in SIDES]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PlanRequest(_Body):
    targets: list[Annotated[str, Field(max_length=80, json_schema_extra={"enum": SIDED_TARGETS})]] = Field(
        min_length=1, max_length=8, description="ID:SIDE, e.g. levator_scapulae:left")
    findings: Annotated[dict[str, Any] | None, findings_schema(nullable=True)] = Field(
        None, description="a findings document (contract section 3)")


class SessionStart(_Body):
    findings: Annotated[dict[str, Any], findings_schema()] = Field(description="a findings document (contract section 3)")
    pain_start: float | None = Field(None, ge=0, le=10)
    time_scale: float | None = Field(None, gt=0, le=1000, description="multiplies every timer (default: the server's)")
    muscle: MuscleName | None = Field(None, description="treat this muscle (default: none chosen yet); "
                                                         "give the side with it")
    side: SideName | None = None
    techniques: list[TechniqueKey] | None = Field(None, max_length=4)

    # a muscle needs its side
    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "if": {"properties": {"muscle": {"type": "string"}}, "required": ["muscle"]},
        "then": {"properties": {"side": {"type": "string"}}, "required": ["side"]}})


class SessionChoose(_Body):
    muscle: MuscleName
    side: SideName
    techniques: list[TechniqueKey] | None = Field(None, max_length=4)


class PhaseDone(_Body):
    technique: TechniqueKey
    phase_index: whole_number(0, 64)
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
    ndi: list[whole_number(0, 5) | None] | None = Field(None, min_length=10, max_length=10)
    psfs: list[PsfsItem] | None = Field(None, min_length=3, max_length=5)
    session_id: str | None = Field(None, max_length=64, pattern="^[0-9a-f]+$")

    # ndi, psfs or both (the library refuses neither).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["ndi"], "properties": {"ndi": {"type": "array"}}},
        {"required": ["psfs"], "properties": {"psfs": {"type": "array"}}}]})


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


@router.get("/plan", summary="The techniques for one or several muscles (contract section 5)",
            responses={200: {"model": PlanAnswer}, **REFERRED})
async def api_plan(muscle: Annotated[list[Annotated[str, Field(max_length=80, json_schema_extra={"enum": [*MUSCLE_NAMES, *SIDED_TARGETS]})]],
                               Query(min_length=1, max_length=8, description="ID or ID:SIDE; repeat for several")],
             side: Annotated[SideName | None, Query(description="the side of every ID given without one")] = None,
             findings: Annotated[str | None, Query(max_length=65536, description="findings JSON (contract section 3)")] = None):
    import relieve

    parsed = None
    if findings is not None:
        try:
            parsed = relieve.parse_findings(findings)
        except relieve.ValidationError as exc:
            raise _Located(exc, "query", "findings") from None
    targets = _query_targets(muscle, side)
    # A remembered plan is answered on the event loop; a new one is computed in a thread.
    data = service.remembered_plan_json(targets, parsed)
    if data is None:
        data = await run_in_threadpool(service.plan_json, targets, parsed)
    return Response(data, media_type="application/json")


@router.post("/plan", summary="The same as GET /api/plan, with the findings in the body",
             responses={200: {"model": PlanAnswer}, **REFERRED}, openapi_extra=body_schema(PlanRequest))
async def api_plan_post(request: Request):
    import relieve

    body = await read_body(request, PlanRequest, findings_key="findings")
    parsed = relieve.parse_findings(body.findings) if body.findings is not None else None
    targets = service.parse_targets(body.targets, None)
    return Response(await run_in_threadpool(service.plan_json, targets, parsed), media_type="application/json")


def _query_targets(muscle, side):
    try:
        return service.parse_targets(muscle, side)
    except RelieveError as exc:
        raise _Located(exc, "query") from None


class _Located(RelieveError):
    """A library error whose field lives in the query string or the path, not the body;
    ``names`` renames the library's field to the parameter's name (muscle -> muscle_id)."""

    def __init__(self, exc: RelieveError, where: str, prefix: str | None = None, names: dict | None = None):
        super().__init__(exc.message, field=exc.field)
        self.inner, self.where, self.prefix, self.names = exc, where, prefix, names or {}


@contextmanager
def _path_fields(**names: str):
    """A library error raised inside names the path parameter it came from."""
    try:
        yield
    except (ReferralRequired, NotFound):
        raise
    except RelieveError as exc:
        raise _Located(exc, "path", names=names) from None


@router.get("/muscles", summary="The muscles and groups relieve knows")
def api_muscles():
    import relieve

    return JSONResponse(relieve.muscles())


@router.get("/muscles/{muscle_id}", summary="One muscle's card (a group: one card per member)")
def api_muscle(muscle_id: MusclePath, side: SideName = "left"):
    import relieve

    with _path_fields(muscle="muscle_id"):
        card = relieve.muscle_card(muscle_id, side)
    return JSONResponse({**card, "figure": f"/api/figures/muscles/{muscle_id}/{side}.svg"})


# --------------------------------------------------------------------------- figures


def _image(data: bytes, fmt: str) -> Response:
    return Response(data, media_type=FIGURE_MEDIA[fmt], headers={"cache-control": "public, max-age=86400"})


@router.get("/figures/muscles/{muscle_id}/{side}.{fmt}", summary="A muscle's card as a picture",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}})
def api_muscle_figure(muscle_id: MusclePath, side: SideName, fmt: Fmt):
    with _path_fields(muscle="muscle_id"):
        return _image(service.figure("muscle", fmt, muscle_id, side), fmt)


@router.get("/figures/techniques/{muscle_id}/{side}/{technique}.{fmt}",
            summary="A technique's position for one muscle-side (no findings), as a picture",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}, **NOT_FOUND})
def api_technique_figure(muscle_id: MusclePath, side: SideName,
                         technique: Literal["muscle_shortening", "repositioning", "strain_counterstrain",
                                            "jones_counterstrain", "strain_counterstrain_push"], fmt: Fmt):
    with _path_fields(muscle="muscle_id"):
        return _image(service.figure("technique", fmt, muscle_id, side, technique), fmt)


@router.get("/figures/movements/{code}.{fmt}", summary="A test movement as a picture",
            response_class=Response, responses={200: {"content": {"image/svg+xml": {}, "image/png": {}}}})
def api_movement_figure(code: MovementPath, fmt: Fmt):
    with _path_fields():
        return _image(service.figure("movement", fmt, code), fmt)


# --------------------------------------------------------------------------- sessions


def _store(request: Request):
    return request.app.state.relieve.store()


@router.post("/sessions", status_code=201, summary="Start a guided session (referring findings: stored as referred)",
             openapi_extra=body_schema(SessionStart))
async def api_session_start(request: Request):
    body = await read_body(request, SessionStart, findings_key="findings")
    state = request.app.state.relieve
    return JSONResponse(await run_in_threadpool(_start_session, state, body), status_code=201)


def _start_session(state, body: SessionStart) -> dict:
    from ..sessions import GuidedSession

    store = state.store()
    if body.muscle:
        # checked before anything is stored: a refused request leaves no session behind
        if not body.side:
            raise RelieveError("give the side with the muscle", field="side")
        from ..anatomy import knowledge_base

        knowledge_base().expand(body.muscle)
    session = GuidedSession.start(store, service.clock(), body.findings,
                                  time_scale=body.time_scale or state.time_scale, pain_start=body.pain_start)
    if not session.referred and body.muscle:
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


@router.get("/sessions/{session_id}", summary="One session with its steps and timed phases", responses=NOT_FOUND)
def api_session(request: Request, session_id: SessionId):
    return JSONResponse(_session_view(service.load_session(_store(request), session_id)))


async def _on_session(request: Request, session_id: str, model, action, status_code: int = 200) -> JSONResponse:
    """Read the body strictly, then, in a worker thread, load the stored session (no
    session lives in this process's memory) and do ``action(session, body)``."""
    body = await read_body(request, model)
    store = _store(request)

    def run():
        return action(service.load_session(store, session_id), body)

    return JSONResponse(await run_in_threadpool(run), status_code=status_code)


@router.post("/sessions/{session_id}/choose", summary="Choose the muscle-side (and techniques) to treat",
             responses=NOT_FOUND, openapi_extra=body_schema(SessionChoose))
async def api_session_choose(request: Request, session_id: SessionId):
    def choose(session, body: SessionChoose) -> dict:
        session.choose(body.muscle, body.side, body.techniques)
        return _session_view(session)

    return await _on_session(request, session_id, SessionChoose, choose)


@router.post("/sessions/{session_id}/phases", status_code=201, summary="Store one finished timed phase",
             responses=NOT_FOUND, openapi_extra=body_schema(PhaseDone))
async def api_session_phase(request: Request, session_id: SessionId):
    return await _on_session(request, session_id, PhaseDone, lambda session, body: service.record_phase(
        session, body.technique, body.phase_index, body.seconds, body.skipped), status_code=201)


@router.post("/sessions/{session_id}/steps", status_code=201,
             summary="Store a finished technique with the pain after it; answers what to offer next",
             responses=NOT_FOUND, openapi_extra=body_schema(StepDone))
async def api_session_step(request: Request, session_id: SessionId):
    return await _on_session(request, session_id, StepDone, lambda session, body: service.record_step(
        session, body.technique, body.pain_after), status_code=201)


@router.post("/sessions/{session_id}/finish", summary="End the session: completed or stopped",
             responses=NOT_FOUND, openapi_extra=body_schema(SessionFinish))
async def api_session_finish(request: Request, session_id: SessionId):
    return await _on_session(request, session_id, SessionFinish,
                             lambda session, body: session.finish(body.status, body.notes))


# --------------------------------------------------------------------------- measures and progress


@router.get("/measures", summary="Outcome measures stored, oldest first, with their change")
def api_measures(request: Request):
    from ..sessions.measures import measure_changes

    rows = _store(request).measures()
    return JSONResponse({"measures": rows, "changes": measure_changes(rows)})


@router.post("/measures", status_code=201, summary="Store NDI section scores (from your licensed copy) and/or PSFS",
             openapi_extra=body_schema(MeasuresIn))
async def api_measures_add(request: Request):
    body = await read_body(request, MeasuresIn)
    return JSONResponse(await run_in_threadpool(_measures, _store(request), body), status_code=201)


def _measures(store, body: MeasuresIn) -> dict:
    from ..sessions.measures import record_measures

    return record_measures(store, service.clock(), ndi=body.ndi,
                           psfs=[a.model_dump() for a in body.psfs] if body.psfs is not None else None,
                           session_id=body.session_id)


@router.get("/progress", summary="Relief per technique and per muscle, pain over time")
def api_progress(request: Request):
    from ..sessions.progress import summarize

    return JSONResponse(summarize(_store(request).history()))
