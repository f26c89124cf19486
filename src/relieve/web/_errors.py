"""The library's errors as HTTP answers, in FastAPI's own 422 shape: every bad field named.

``ValidationError.problems`` gives one entry per ``(path, message)``; any other
``RelieveError`` one entry for its ``field``. A path such as
``movements.rotation_left.pain`` or ``pain_regions[0].side`` becomes a ``loc`` list.
"""

from __future__ import annotations

import re

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
    return 422, {"detail": problems(exc, where)}
