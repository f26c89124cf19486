"""Reading the YAML data files the package ships (anatomy, rules, weights, phrases)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from .errors import ModelError


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text; a syntax error is a ``ModelError`` naming the file."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML: {exc}", field=name) from exc


def packaged_yaml(package: str, name: str) -> Any:
    """``data/<name>`` of ``package``, parsed; a missing or broken file names itself."""
    try:
        text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read packaged data: {exc}", field=name) from exc
    return parse_yaml(text, name)
