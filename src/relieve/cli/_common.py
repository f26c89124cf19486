"""Small pieces every CLI module shares: the console, JSON output, reading an input file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .errors import RelieveError


def console():
    from rich.console import Console

    return Console(highlight=False)


def print_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def read_text_arg(path: str, option: str) -> str:
    """The text of a file named on the command line (``-`` = standard input)."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise RelieveError(f"cannot read {path}: {exc.strerror or exc}", field=option) from None
    except UnicodeDecodeError as exc:
        raise RelieveError(f"{path} is not UTF-8 text: {exc.reason}", field=option) from None
