"""The library's errors as HTTP answers, in FastAPI's own 422 shape: every bad field named.

``ValidationError.problems`` gives one entry per ``(path, message)``; any other
``RelieveError`` one entry for its ``field``. A path such as
``movements.rotation_left.pain`` or ``pain_regions[0].side`` becomes a ``loc`` list.

The models at the end describe these answers in the OpenAPI document, so a client (and
the schema test) knows every status a route can give and the shape of each.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from ..errors import ReferralRequired, RelieveError, ValidationError

_PART = re.compile(r"[^.\[\]]+|\[(\d+)\]")


def loc(where: str, path: str | None) -> list:
    out: list = [where]
    if not path or path == "$":
        return out
    for m in _PART.finditer(path.lstrip("$.")):
        out.append(int(m.group(1)) if m.group(1) is not None else m.group(0))
    return out


def problems(exc: RelieveError, where: str = "body") -> list[dict]:
    """FastAPI-style ``detail`` entries for a library error."""
    if isinstance(exc, ValidationError):
        return [{"loc": loc(where, f), "msg": m, "type": "value_error"} for f, m in exc.problems]
    field = exc.field.lstrip("-") if exc.field else None
    return [{"loc": loc(where, field), "msg": exc.message, "type": "value_error"}]


def error_body(exc: RelieveError, where: str = "body") -> tuple[int, dict]:
    if isinstance(exc, ReferralRequired):
        return 409, {"detail": "these findings need a health professional first: no technique is given",
                     "refer": exc.refer}
    if isinstance(exc, NotFound):
        return 404, {"detail": exc.message}
    return 422, {"detail": problems(exc, where)}


class NotFound(RelieveError):
    """What the URL names does not exist (a picture of a technique this muscle has not)."""


# --------------------------------------------------------------------------- documented answers


class FieldProblem(BaseModel):
    loc: list[str | int] = Field(description="where: body, query or path, then the field's path")
    msg: str
    type: str


class Problems(BaseModel):
    """422: every bad field, each named."""

    detail: list[FieldProblem]


class Missing(BaseModel):
    """404: what the URL names does not exist."""

    detail: str


class Referral(BaseModel):
    """409: the findings need a health professional first; no technique is given."""

    detail: str
    refer: dict = Field(description="the refer object of contract section 4 (urgency, reasons, advice)")


UNPROCESSABLE = {422: {"model": Problems, "description": "invalid input: each bad field named"}}
NOT_FOUND = {404: {"model": Missing, "description": "no such session (or picture)"}}
REFERRED = {409: {"model": Referral, "description": "the findings need a health professional: the refer "
                                                     "object, no technique"}}
