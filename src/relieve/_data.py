"""Reading YAML: the data files the package ships (anatomy, rules, weights, phrases)
and the project's own model file.

One strict loader for all of them: PyYAML's safe loader, except that a key given twice
in one mapping is refused (the safe loader silently keeps the last one, so a
duplicated entry would be lost without a word).
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

from ._input import shown
from .errors import ModelError


# libyaml's parser when PyYAML was built with it (about five times faster: the knowledge
# base loads in about 20 ms instead of 105), else the pure-Python one; the same results.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class StrictLoader(_SafeBase):
    """A safe YAML loader that refuses a key given twice in one mapping."""


def _construct_mapping(loader: StrictLoader, node: yaml.MappingNode, deep: bool = False):
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        try:
            first = seen.get(key)
        except TypeError:  # a list or mapping used as a key
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from None
        if first is not None:
            raise ModelError(
                f"{shown(key)} is given twice (lines {first.start_mark.line + 1} and {key_node.start_mark.line + 1})"
            )
        seen[key] = key_node
    return yaml.SafeLoader.construct_mapping(loader, node, deep=deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_strict(text: str) -> Any:
    """Parse YAML text with ``StrictLoader``. A duplicate key raises ``ModelError``; any
    other problem ``yaml.YAMLError`` - also what PyYAML would raise as something else
    (an integer of 5,000 digits, a date like 2024-13-45, nesting thousands deep)."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except (yaml.YAMLError, ModelError):
        raise
    except (ValueError, OverflowError, TypeError) as exc:
        raise yaml.YAMLError(f"a value cannot be read: {exc}") from None
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text strictly; every problem is a ``ModelError`` naming the file."""
    try:
        return load_strict(text)
    except ModelError as exc:
        raise ModelError(exc.message, field=name) from None
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML: {exc}", field=name) from None


def packaged_yaml(package: str, name: str) -> Any:
    """``data/<name>`` of ``package``, parsed; a missing or broken file names itself."""
    try:
        text = resources.files(package).joinpath("data", name).read_text(encoding="utf-8")
    except OSError as exc:
        raise ModelError(f"cannot read packaged data: {exc}", field=name) from exc
    return parse_yaml(text, name)
