"""The FastAPI app: routes, error answers, security headers, static files, OpenAPI."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from .._version import __version__
from ..errors import RelieveError
from . import _security
from ._errors import error_body, problems
from ._state import AppState

HERE = Path(__file__).resolve().parent


class SecurityMiddleware:
    """Pure ASGI (cheap): the security headers on every answer, and a cross-site
    unsafe request (its Origin names another site) refused before it reaches a route."""

    def __init__(self, app):
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in _security.HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        if scope["method"] not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(scope["headers"])
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            if not _security.same_origin(origin, host):
                response = JSONResponse({"detail": "cross-site request refused"}, status_code=403)
                return await response(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + self.headers
            await send(message)

        return await self.app(scope, receive, send_with_headers)


def _allowed_methods(app, scope) -> list[str]:
    """The methods some route answers at this path (each asked as the router asks it)."""
    from starlette.routing import Match

    return [method for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
            if any(route.matches({**scope, "method": method})[0] == Match.FULL for route in app.router.routes)]


def _settle_the_heap() -> None:
    """Load what every assessment reads (the knowledge base, triage rules, questions),
    then move everything alive into the collector's permanent generation: a full
    collection then scans only what requests create (measured in-process: 25 ms -> 0.4
    ms), instead of pausing every request in flight for tens of milliseconds."""
    import gc

    import relieve

    relieve.muscles()
    relieve.assess({"age": 40, "pain_now": 3})
    gc.collect()
    gc.freeze()


def create_app(database_url: str | None = None, time_scale: float = 1.0) -> FastAPI:
    """The app on ``database_url`` (default: ``RELIEVE_DATABASE_URL`` or the user's data
    directory, as the CLI); ``time_scale`` multiplies every session timer (tests: 0.01)."""
    import os

    if database_url is None:
        database_url = os.environ.get("RELIEVE_DATABASE_URL") or None
    scale_env = os.environ.get("RELIEVE_WEB_TIME_SCALE")
    if scale_env:
        time_scale = float(scale_env)
    from contextlib import asynccontextmanager

    @asynccontextmanager
    async def lifespan(app):
        _settle_the_heap()
        yield
        app.state.relieve.close()

    app = FastAPI(
        lifespan=lifespan,
        title="relieve",
        version=__version__,
        description="Gentle, model-based self-care for neck and upper-back muscle spasm. It informs and guides; "
                    "it does not diagnose. Invalid input: 422 naming each bad field; referring findings on a "
                    "plan: 409 with the refer object.",
        docs_url=None, redoc_url=None,
    )
    app.state.relieve = AppState(database_url=database_url, time_scale=time_scale)

    from ._api import _Located, router as api_router
    from ._pages import router as pages_router, page_error

    app.include_router(api_router)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(GZipMiddleware, minimum_size=800)
    app.add_middleware(SecurityMiddleware)

    @app.exception_handler(RelieveError)
    async def relieve_error(request: Request, exc: RelieveError):
        from ..store import StoreError

        if not request.url.path.startswith("/api/"):
            return page_error(request, exc)
        if isinstance(exc, StoreError) and exc.field in ("session", "--resume"):
            return JSONResponse({"detail": exc.message}, status_code=404)
        if isinstance(exc, _Located):
            detail = problems(exc.inner, exc.where)
            for d in detail:
                if exc.prefix:
                    d["loc"] = [d["loc"][0], exc.prefix, *d["loc"][1:]]
                elif len(d["loc"]) > 1:
                    d["loc"][1] = exc.names.get(d["loc"][1], d["loc"][1])
            return JSONResponse({"detail": detail}, status_code=422)
        where = "body" if request.method == "POST" else "query"
        status, body = error_body(exc, where)
        return JSONResponse(body, status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names only the methods of the first route that matches the path;
            # a path served by several routes (GET and POST /api/plan) allows all of theirs.
            headers["Allow"] = ", ".join(_allowed_methods(app, request.scope))
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError):
        detail = [{"loc": list(e.get("loc", [])), "msg": e.get("msg", ""), "type": e.get("type", "")}
                  for e in exc.errors()]
        if not request.url.path.startswith("/api/"):
            return page_error(request, RelieveError("; ".join(f"{'.'.join(map(str, d['loc'][1:]))}: {d['msg']}"
                                                              for d in detail)))
        return JSONResponse({"detail": detail}, status_code=422)

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        from ._body import COMPONENTS, with_contract_refs

        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, model in COMPONENTS.items():
            one = model.model_json_schema(ref_template="#/components/schemas/{model}")
            for def_name, definition in one.pop("$defs", {}).items():
                components.setdefault(def_name, definition)
            components[name] = one
        schema = with_contract_refs(schema)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi

    return app
