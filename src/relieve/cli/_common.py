"""Small pieces every CLI module shares: the console, plain text, JSON output, reading an input file.

Text that comes from a user or a file (a name, a path, a value) is printed through
``plain``: a Rich ``Text``, never parsed as markup (``[/x]`` prints as ``[/x]``) nor
as emoji codes, with control characters made visible.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .._input import MAX_DOCUMENT_BYTES, read_limited, size_words, visible
from ..errors import RelieveError


def console():
    from rich.console import Console

    # No highlighting and no ":emoji:" codes: what we print is exactly what was given.
    return Console(highlight=False, emoji=False)


def plain(value, style: str = ""):
    """Text from a user or a file as a Rich ``Text``: printed as is, never as markup or
    emoji codes; line breaks are kept, every other control character made visible."""
    from rich.text import Text

    return Text("\n".join(visible(line) for line in str(value).split("\n")), style=style)


def styled(*parts):
    """One line of plain pieces: a ``str`` is printed as ``plain`` text, a
    ``(text, style)`` pair as plain text in that style (``"bold"``, ``"yellow"``...)."""
    from rich.text import Text

    line = Text()
    for part in parts:
        text, style = part if isinstance(part, tuple) else (part, "")
        line.append_text(plain(text, style=style))
    return line


def print_json(data) -> None:
    """JSON on standard output; never NaN or Infinity (they are not JSON)."""
    try:
        text = json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)
    except ValueError as exc:
        raise RelieveError(f"the result is not finite ({exc}); no JSON was written", field="output") from None
    try:
        text.encode(sys.stdout.encoding or "utf-8")
    except (UnicodeEncodeError, LookupError):
        # A name with a character the terminal cannot take (a lone surrogate from an
        # undecodable file name): \u escapes are the same JSON.
        text = json.dumps(data, indent=2, ensure_ascii=True, allow_nan=False)
    sys.stdout.write(text + "\n")


def read_text_arg(path: str, option: str, limit: int = MAX_DOCUMENT_BYTES) -> str:
    """The text of a file named on the command line (``-`` = standard input).

    At most ``limit + 1`` bytes are read, so an endless input (``/dev/zero``, a
    stream that never ends) is refused, naming the option and the limit."""
    where = "standard input" if path == "-" else path
    try:
        if path == "-":
            data = _read_stdin(limit, option)
        else:
            with Path(path).open("rb") as handle:
                data = read_limited(handle, limit)
    except OSError as exc:
        raise RelieveError(f"cannot read {where}: {exc.strerror or exc}", field=option) from None
    if len(data) > limit:
        raise RelieveError(f"{where} is larger than the limit of {size_words(limit)}", field=option)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RelieveError(f"{where} is not UTF-8 text: {exc.reason} at byte {exc.start:,}", field=option) from None


def _read_stdin(limit: int, option: str) -> bytes:
    stream = sys.stdin
    if stream is None or getattr(stream, "closed", False):
        raise RelieveError("standard input is closed", field=option)
    binary = getattr(stream, "buffer", None)
    if binary is not None:
        return read_limited(binary, limit)
    # A text stream (tests, embedding): read limit + 1 characters, at least as many bytes.
    text = stream.read(limit + 1)
    return text.encode("utf-8", "surrogateescape") if isinstance(text, str) else bytes(text)
