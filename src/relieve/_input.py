"""Bounded, strict reading of what users and files give us, and plain-text output of it.

Every front end (CLI, session, web app) reads documents through these, so the same
limits hold everywhere:

- a document larger than ``MAX_DOCUMENT_BYTES`` or nested deeper than ``MAX_NESTING``
  is refused before it is decoded, with a message naming the limit;
- JSON is strict: duplicate keys, NaN and the infinities are refused;
- a file or standard input is read in bytes, at most one byte past the limit, so an
  endless input (``/dev/zero``) is refused instead of filling the memory;
- numbers typed by a person are plain ASCII digits (Python's ``int``/``float`` and
  ``str.isdigit`` also take "²", "٣" or full-width digits);
- "did you mean" only looks at short values and a bounded list, so its time is bounded;
- anything echoed back is shortened and its control characters are made visible, so it
  can never be taken as terminal escape codes (``visible``, ``one_line``); front ends
  print it as plain text, never as markup.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, BinaryIO, Iterable

from .errors import ValidationError

# A findings or session document is a few kilobytes; 1 MiB leaves room for long notes.
MAX_DOCUMENT_BYTES = 1_048_576
# The deepest contract document nests four levels (findings.movements.X.pain); 32 is generous.
MAX_NESTING = 32
# Values longer than this are never near-misses of a code (codes are under 40 characters).
MAX_SUGGEST_LENGTH = 64
# How much of a user's value is echoed in a message.
MAX_ECHO = 40
# An OpenSim model file: the largest real one we know (NeckAndShoulder.osim) is about
# 1 MB; the XML parser reads 64 MiB in seconds.
MAX_MODEL_BYTES = 64 * 1_048_576
# The project's own model file (YAML) is 43 kB; the YAML parser reads about 0.5 MB/s,
# so 4 MiB (a hundred times the real one) is the most that still loads in seconds.
MAX_YAML_MODEL_BYTES = 4 * 1_048_576
# "did you mean" compares against at most this many candidates (a model may have thousands).
MAX_SUGGEST_CANDIDATES = 500
# How many valid names a message lists before "and N more".
MAX_LISTED = 40
# An error message is one line of at most this many characters.
MAX_MESSAGE = 2000


def check_size(data: str | bytes, field: str = "$", limit: int = MAX_DOCUMENT_BYTES) -> None:
    size = len(data.encode("utf-8", "surrogatepass")) if isinstance(data, str) else len(data)
    if size > limit:
        raise ValidationError([(field, f"the document is too large ({size:,} bytes; the limit is {limit:,} bytes)")])


def read_limited(stream: BinaryIO, limit: int = MAX_DOCUMENT_BYTES) -> bytes:
    """At most ``limit + 1`` bytes of a binary stream: enough to tell that it is too
    large without reading an endless stream to its end."""
    chunks: list[bytes] = []
    size = 0
    while size <= limit:
        chunk = stream.read(limit + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def size_words(limit: int) -> str:
    """``1,048,576 bytes (1 MiB)``: a limit as a person reads it."""
    mib = limit / 1_048_576
    return f"{limit:,} bytes ({mib:g} MiB)" if mib >= 1 else f"{limit:,} bytes"


def _check_nesting(text: str, field: str) -> None:
    """Refuse deep nesting before json.loads recurses into it (a cheap bracket count
    that ignores brackets inside strings)."""
    if text.count("[") + text.count("{") <= MAX_NESTING:
        return  # no deeper than the brackets it has at all: the usual document, at C speed
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > MAX_NESTING:
                raise ValidationError([(field, f"the document is nested too deeply (the limit is {MAX_NESTING} levels)")])
        elif ch in "]}":
            depth -= 1


def decode_json(data: str | bytes, field: str = "$") -> Any:
    """Strict, bounded JSON decoding; every problem is a ``ValidationError``."""
    check_size(data, field)
    if isinstance(data, (bytes, bytearray)):
        try:
            data = bytes(data).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError([(field, f"not UTF-8 text: {exc.reason}")]) from None
    _check_nesting(data, field)
    duplicates: list[str] = []

    def no_duplicates(pairs):
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen and key not in duplicates:
                duplicates.append(key)
            seen[key] = value
        return seen

    def no_constants(name):
        # NaN and Infinity are not JSON; Python's decoder would accept them.
        raise ValueError(f"{name} is not valid JSON")

    try:
        doc = json.loads(data, object_pairs_hook=no_duplicates, parse_constant=no_constants)
    except json.JSONDecodeError as exc:
        raise ValidationError([(field, f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")]) from None
    except (ValueError, RecursionError) as exc:
        raise ValidationError([(field, f"malformed JSON: {exc}")]) from None
    if duplicates:
        raise ValidationError(
            [(field, f"key {shown(k)} appears more than once in the same object") for k in duplicates[:10]]
        )
    return doc


def shown(value: Any, limit: int = MAX_ECHO) -> str:
    """A user's value as it may be echoed in a message: quoted, shortened, and with
    control characters (terminal escape codes among them) made visible."""
    if isinstance(value, str):
        text = value
    else:
        try:
            text = str(value)
        except (ValueError, RecursionError):
            # An integer past Python's 4,300-digit conversion limit, or a self-containing value.
            text = f"<a {type(value).__name__} too large to show>"
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


# Inside ``suggestions_at_most(n)``: how many more searches ``did_you_mean`` may run.
_SUGGESTIONS_LEFT: ContextVar[list[int] | None] = ContextVar("relieve_suggestions_left", default=None)


@contextmanager
def suggestions_at_most(n: int):
    """Within the block only the first ``n`` searches of ``did_you_mean`` run; the rest
    answer None. A document with 100,000 misspelt codes is answered with its first
    problems only (``contract._base.MAX_PROBLEMS``): their suggestions are the ones
    worth the time (each search takes a fraction of a millisecond)."""
    token = _SUGGESTIONS_LEFT.set([n])
    try:
        yield
    finally:
        _SUGGESTIONS_LEFT.reset(token)


def did_you_mean(value: Any, valid: Iterable[Any]) -> str | None:
    """The closest valid code to ``value``, or None; bounded in time: long values are
    never near-misses, only the first ``MAX_SUGGEST_CANDIDATES`` short candidates are
    compared, and inside ``suggestions_at_most`` only so many searches run."""
    if not isinstance(value, str) or not value or len(value) > MAX_SUGGEST_LENGTH:
        return None
    left = _SUGGESTIONS_LEFT.get()
    if left is not None:
        if left[0] <= 0:
            return None
        left[0] -= 1
    candidates = []
    for v in valid:
        if isinstance(v, str) and len(v) <= MAX_SUGGEST_LENGTH:
            candidates.append(v)
            if len(candidates) >= MAX_SUGGEST_CANDIDATES:
                break
    close = difflib.get_close_matches(value, candidates, n=1)
    return close[0] if close else None


def listing(names: Iterable[Any], limit: int = MAX_LISTED) -> str:
    """``a, b, c`` - or the first ``limit`` names and ``(and N more)``."""
    names = list(names)
    shown_names = ", ".join(visible(str(n)) for n in names[:limit])
    return shown_names + (f" (and {len(names) - limit:,} more)" if len(names) > limit else "")


# --------------------------------------------------------------------------- numbers typed by people

_INTEGER = re.compile(r"[0-9]{1,9}")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_SCIENTIFIC = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
_MAX_NUMBER_TEXT = 64


def ascii_int(text: str) -> int | None:
    """A whole number written with ASCII digits only (at most nine), else None.

    ``str.isdigit`` is true for "²" (which ``int`` then refuses) and ``int`` reads
    "٣" or full-width digits; a person's answer is taken only in plain digits."""
    if not isinstance(text, str) or not _INTEGER.fullmatch(text):
        return None
    return int(text)


def ascii_number(text: str, *, exponent: bool = False) -> float | None:
    """A finite decimal number in ASCII (``-1.5``, ``.25``; ``2e-3`` with ``exponent``),
    else None. Refuses what ``float`` also reads: "nan", "inf", "1_000", "٣", "３"."""
    if not isinstance(text, str) or len(text) > _MAX_NUMBER_TEXT:
        return None
    if not (_SCIENTIFIC if exponent else _DECIMAL).fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None  # "1e999" is inf


# --------------------------------------------------------------------------- plain text out

_NOT_PLAIN_ASCII = re.compile(r"[^\x20-\x7e]")
# Control, format (bidirectional overrides, zero-width), surrogate, line/paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _visible_char(match: re.Match) -> str:
    ch = match.group()
    if unicodedata.category(ch) in _HIDDEN_CATEGORIES:
        return ch.encode("unicode_escape").decode("ascii")
    return ch


def visible(text: str) -> str:
    """``text`` with every control character (escape codes, newlines, bidirectional
    overrides, lone surrogates) written as its escape (``\\x1b``), so it prints as
    plain characters on one line."""
    return _NOT_PLAIN_ASCII.sub(_visible_char, text)


def field_name(name: Any) -> str:
    """A user's key as the ``field`` of an error: without quotes, control characters
    made visible, and shortened like ``shown`` (a 100,000-character key is no name)."""
    text = name if isinstance(name, str) else str(name)
    return visible(text if len(text) <= MAX_ECHO else text[: MAX_ECHO - 3] + "...")


def one_line(text: str, limit: int = MAX_MESSAGE) -> str:
    """A message as it may be printed: control characters made visible, at most
    ``limit`` characters (the end cut, saying how much)."""
    if len(text) > limit:
        text = text[:limit] + f"... ({len(text) - limit:,} more characters)"
    return visible(text)


__all__ = [
    "MAX_DOCUMENT_BYTES",
    "MAX_MODEL_BYTES",
    "MAX_YAML_MODEL_BYTES",
    "MAX_NESTING",
    "ascii_int",
    "ascii_number",
    "check_size",
    "decode_json",
    "did_you_mean",
    "listing",
    "one_line",
    "read_limited",
    "shown",
    "size_words",
    "visible",
]
