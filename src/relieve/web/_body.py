"""Request bodies: read bounded, decoded strictly by the library (duplicate keys, NaN,
nesting and size refused), then checked by a model whose every bad field is named.

Every JSON body goes through ``read_body``, never through FastAPI's own body parameter:
that one reads the whole body into memory whatever its size and decodes it with
Python's lenient ``json`` (NaN, Infinity and repeated keys pass).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from pydantic import WithJsonSchema

from .._input import MAX_DOCUMENT_BYTES, decode_json, size_words
from ..errors import ValidationError

# Models whose schemas the OpenAPI document lists under components (see _app.openapi).
COMPONENTS: dict[str, type] = {}


def body_schema(model) -> dict:
    """``openapi_extra`` for a route that reads its JSON body itself."""
    COMPONENTS[model.__name__] = model
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}}}}


def findings_schema(nullable: bool = False) -> WithJsonSchema:
    """A body field kept as a plain dict (the library parses it, naming its own fields),
    described in the OpenAPI document as the contract's Findings."""
    # pydantic cannot resolve a reference to a model it does not see; the OpenAPI builder
    # (``with_contract_refs``) turns this marker into the reference.
    ref = {CONTRACT_MARK: "Findings"}
    return WithJsonSchema({"anyOf": [ref, {"type": "null"}]} if nullable else ref)


CONTRACT_MARK = "x-relieve-contract"


def with_contract_refs(node):
    """``node`` with every ``{CONTRACT_MARK: name}`` replaced by a components reference."""
    if isinstance(node, dict):
        if CONTRACT_MARK in node:
            return {"$ref": f"#/components/schemas/{node[CONTRACT_MARK]}"}
        return {k: with_contract_refs(v) for k, v in node.items()}
    if isinstance(node, list):
        return [with_contract_refs(v) for v in node]
    return node


async def read_body(request: Request, model, findings_key: str | None = None):
    """The body, read bounded and strictly, as ``model`` (every bad field named)."""
    return validate_body(model, await read_json(request), findings_key)


async def read_json(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_DOCUMENT_BYTES:
        raise ValidationError([("$", f"the body is larger than the limit of {size_words(MAX_DOCUMENT_BYTES)}")])
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ValidationError([("$", f"the body is larger than the limit of {size_words(MAX_DOCUMENT_BYTES)}")])
    if not data.strip():
        raise ValidationError([("$", "expected a JSON document, got an empty body")])
    return decode_json(bytes(data))


def path_of(loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "$"


def validate_body(model, data: Any, findings_key: str | None = None):
    """``model`` from a decoded body; the findings inside (when any) by the library first,
    so their problems carry the library's words and paths (``findings.movements...``)."""
    import pydantic

    if not isinstance(data, dict):
        raise ValidationError([("$", f"expected a JSON object, got {type(data).__name__}")])
    problems: list[tuple[str, str]] = []
    if findings_key and data.get(findings_key) is not None:
        from ..contract import parse_findings

        try:
            parse_findings(data[findings_key])
        except ValidationError as exc:
            problems += [(f"{findings_key}.{p}" if p not in ("$", "") else findings_key, m) for p, m in exc.problems]
    try:
        # strict: a JSON string is not a number, nor a number a boolean
        body = model.model_validate(data, strict=True)
    except pydantic.ValidationError as exc:
        seen = {p for p, _ in problems}
        for e in exc.errors():
            p = path_of(e["loc"])
            if findings_key and p.startswith(findings_key) and any(s.startswith(findings_key) for s in seen):
                continue
            problems.append((p, e["msg"]))
        body = None
    if problems:
        raise ValidationError(problems)
    return body
