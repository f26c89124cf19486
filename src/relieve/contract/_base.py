"""What every contract model shares: strictness, readable messages, field paths.

Pydantic does the validating; this module makes its answers read like the rest of
``relieve``: every problem named by its path (``movements.rotation_left.pain``,
``pain_regions[2].region``), unknown codes quoted with a bounded "did you mean" and
the valid codes listed once, and the whole list raised as one
``relieve.ValidationError`` (the CLI's exit code 2, the web app's HTTP 422).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Callable, TypeVar

import pydantic
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

from .._input import decode_json, did_you_mean, shown, suggestions_at_most
from ..errors import ValidationError


class ContractModel(pydantic.BaseModel):
    """Immutable, and unknown fields are refused (a typo must not pass silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --------------------------------------------------------------------------- words


def describe(value: Any) -> str:
    """A value as a message shows it: its JSON kind, and the value when short."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        return f"{shown(value)} (a string)"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def unknown_code(value: str, valid, what: str) -> str:
    message = f"unknown {what} {shown(value)}"
    close = did_you_mean(value, valid)
    if close:
        message += f" (did you mean {close!r}?)"
    return message + "; valid: " + ", ".join(valid)


def unknown_field(key: Any, allowed) -> str:
    message = "unknown field"
    close = did_you_mean(str(key), allowed)
    if close:
        message += f" (did you mean {close!r}?)"
    return message + "; expected: " + ", ".join(allowed)


def problem(message: str) -> PydanticCustomError:
    """A validation failure whose message is ours, word for word."""
    return PydanticCustomError("relieve", "{message}", {"message": message})


# --------------------------------------------------------------------------- field types


def Code(valid: tuple[str, ...], what: str):
    """A string that must be one of ``valid`` (published as an enum in the schema)."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise problem(f"expected a {what} (a string), got {describe(value)}")
        if value not in valid:
            raise problem(unknown_code(value, valid, what))
        return value

    return Annotated[str, BeforeValidator(check), WithJsonSchema({"type": "string", "enum": list(valid)})]


def Number(low: float, high: float | None = None, unit: str = ""):
    """A finite JSON number (``true`` is not one) within ``[low, high]``."""

    suffix = f" {unit}" if unit else ""

    def check(value: Any):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise problem(f"expected a number, got {describe(value)}")
        if not math.isfinite(value):
            raise problem(f"expected a finite number, got {value!r}")
        if high is None and value < low:
            raise problem(f"must be at least {low}{suffix}, got {value!r}")
        if high is not None and not (low <= value <= high):
            raise problem(f"must be between {low} and {high}{suffix}, got {value!r}")
        return value

    schema: dict[str, Any] = {"type": "number", "minimum": low}
    if high is not None:
        schema["maximum"] = high
    return Annotated[int | float, BeforeValidator(check), WithJsonSchema(schema)]


def _check_bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise problem(f"expected true or false, got {describe(value)}")
    return value


Flag = Annotated[bool, BeforeValidator(_check_bool)]


def list_of(what: str):
    """A field validator body: null means empty; anything but a list is refused."""

    def check(cls, value: Any):
        if value is None:
            return ()
        if not isinstance(value, list):
            raise problem(f"expected a list of {what}, got {describe(value)}")
        return value

    return check


def keyed_by(what: str):
    """A field validator body: null means empty; anything but an object keyed by
    ``what`` is refused."""

    def check(cls, value: Any):
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise problem(f"expected an object keyed by {what}, got {describe(value)}")
        return value

    return check


def null_means_empty(schema: dict) -> None:
    """``json_schema_extra`` of a field that ``list_of``/``keyed_by`` (or its model) reads:
    null is taken as "not given", so the published schema allows it too. A typed schema
    keeps its shape (``"type": ["array", "null"]``: the other keywords apply to arrays
    only), so a reader of ``properties.movements.propertyNames`` still finds it."""
    if isinstance(schema.get("type"), str):
        schema["type"] = [schema["type"], "null"]
        return
    given = {k: schema.pop(k) for k in list(schema) if k not in ("title", "description", "default")}
    schema["anyOf"] = [given, {"type": "null"}]


def unique_or_null(schema: dict) -> None:
    """``null_means_empty`` for a list that refuses an entry given twice (the schema's
    ``uniqueItems`` is the part of that rule JSON Schema can state)."""
    schema["uniqueItems"] = True
    null_means_empty(schema)


def null_values_too(schema: dict) -> None:
    """``json_schema_extra`` of an object field whose values may each be null ("not given")."""
    values = schema.get("additionalProperties")
    if isinstance(values, dict):
        schema["additionalProperties"] = {"anyOf": [values, {"type": "null"}]}
    null_means_empty(schema)


def object_of(shape: str):
    """A model validator body: the value must be a JSON object of ``shape``."""

    def check(cls, value: Any):
        if isinstance(value, pydantic.BaseModel):
            return value
        if not isinstance(value, dict):
            raise problem(f"expected an object {shape}, got {describe(value)}")
        return value

    return check


# --------------------------------------------------------------------------- errors


def field_path(loc: tuple) -> str:
    """Pydantic's location tuple as a path: ``movements.flexion.pain``, ``history[1]``."""
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "$"


def _message(error: dict, model: type[pydantic.BaseModel]) -> str:
    kind = error["type"]
    if kind == "relieve":
        return error["ctx"]["message"]
    if kind == "missing":
        return "required" + _required_hint(error["loc"], model)
    if kind == "extra_forbidden":
        return unknown_field(error["loc"][-1], _allowed_fields(error["loc"][:-1], model))
    return error["msg"]


def _required_hint(loc: tuple, model) -> str:
    target = _model_at(loc[:-1], model)
    field = target.model_fields.get(str(loc[-1])) if target is not None else None
    return f": {field.description}" if field is not None and field.description else ""


def _allowed_fields(loc: tuple, model) -> tuple[str, ...]:
    target = _model_at(loc, model)
    return tuple(target.model_fields) if target is not None else ()


def _model_at(loc: tuple, model):
    """The model class that validates the object at ``loc`` (for field names and hints)."""
    current = model
    for part in loc:
        if current is None:
            return None
        if isinstance(part, int) or part == "[key]":
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            # a dict keyed by codes: the key is followed by the value's model
            continue
        current = _inner_model(field.annotation)
    return current


def _inner_model(annotation):
    import typing

    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


# A document with thousands of bad items gets the first ones and a count, not megabytes.
MAX_PROBLEMS = 20


def _bounded(problems: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """At most ``MAX_PROBLEMS`` problems, and each list of valid codes shown once."""
    out: list[tuple[str, str]] = []
    listed: set[str] = set()
    for field, message in problems[:MAX_PROBLEMS]:
        head, sep, valid = message.partition("; valid: ")
        if sep and valid in listed:
            message = head + "; valid: as listed above"
        elif sep:
            listed.add(valid)
        out.append((field, message))
    if len(problems) > MAX_PROBLEMS:
        out.append(("$", f"and {len(problems) - MAX_PROBLEMS} more problems not shown"))
    return out


M = TypeVar("M", bound=pydantic.BaseModel)


def validate(model: type[M], doc: Any, *, what: str, extra: Callable[[dict], list[tuple[str, str]]] | None = None) -> M:
    """Validate a document (a dict, JSON text or bytes) against ``model``.

    Every problem is reported at once, unknown fields first, then in the model's
    field order, as one ``ValidationError`` of ``(path, message)`` pairs.
    ``extra(doc)`` adds problems found by checks pydantic cannot express per item.
    """
    if isinstance(doc, (str, bytes, bytearray)):
        doc = decode_json(doc)
    if not isinstance(doc, dict):
        raise ValidationError([("$", f"expected a JSON object of {what}, got {describe(doc)}")])
    with suggestions_at_most(MAX_PROBLEMS):
        try:
            result = model.model_validate(doc)
            errors: list[dict] = []
        except pydantic.ValidationError as exc:
            result = None
            errors = exc.errors(include_url=False, include_input=False)
        problems = [(field_path(e["loc"]), _message(e, model)) for e in errors] + (extra(doc) if extra else [])
    if problems:
        order = {name: i for i, name in enumerate(model.model_fields)}

        def rank(item):
            path = item[0]
            top = path.split(".")[0].split("[")[0]
            return -1 if top not in order else order[top]

        problems.sort(key=rank)
        raise ValidationError(_bounded(list(dict.fromkeys(problems))))
    return result
