"""Reading YAML: the data files the package ships (anatomy, rules, weights, phrases)
and the project's own model file.

One strict loader for all of them: PyYAML's safe loader, except that a key given twice
in one mapping is refused (the safe loader silently keeps the last one, so a
duplicated entry would be lost without a word).
"""

from __future__ import annotations

import functools
import hashlib
import sys
from importlib import resources
from typing import Any

from . import _filecache
from ._input import shown
from ._version import __version__
from .errors import ModelError

# PyYAML is imported only when a file has to be parsed: a packaged file read before,
# by this version of the package, comes back from the cache directory (see
# ``packaged_yaml``), which saves a short command the import and the parse.


@functools.cache
def _strict_loader() -> type:
    """A safe YAML loader that refuses a key given twice in one mapping: libyaml's
    parser when PyYAML was built with it (about five times faster: the knowledge base
    parses in about 20 ms instead of 105), else the pure-Python one; the same results."""
    import yaml

    class StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        pass

    def construct_mapping(loader, node, deep: bool = False):
        loader.flatten_mapping(node)
        seen: dict[Any, Any] = {}
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

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def load_strict(text: str) -> Any:
    """Parse YAML text strictly (a key given twice in one mapping is refused: the safe
    loader would silently keep the last one). A duplicate key raises ``ModelError``; any
    other problem ``yaml.YAMLError`` - also what PyYAML would raise as something else
    (an integer of 5,000 digits, a date like 2024-13-45, nesting thousands deep)."""
    import yaml

    try:
        return yaml.load(text, Loader=_strict_loader())
    except (yaml.YAMLError, ModelError):
        raise
    except (ValueError, OverflowError, TypeError) as exc:
        raise yaml.YAMLError(f"a value cannot be read: {exc}") from None
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML text strictly; every problem is a ``ModelError`` naming the file."""
    import yaml

    try:
        return load_strict(text)
    except ModelError as exc:
        raise ModelError(exc.message, field=name) from None
    except yaml.YAMLError as exc:
        raise ModelError(f"not valid YAML: {exc}", field=name) from None


_MAGIC = b"relieve packaged data 1\n"


@functools.cache
def _reader_digest() -> bytes:
    """This package's version, this reader's own source and the Python that pickles."""
    digest = hashlib.sha256(f"relieve {__version__}|python {sys.version_info[:3]}|".encode())
    try:
        digest.update(resources.files(__package__).joinpath("_data.py").read_bytes())
    except OSError:
        digest.update(b"reader source missing")
    return digest.digest()


def _parsed_key(source: bytes) -> str:
    """What a parse of ``source`` depends on: its bytes and ``_reader_digest``."""
    digest = hashlib.sha256(source)
    digest.update(_reader_digest())
    return digest.hexdigest()


def packaged_yaml(package: str, name: str) -> Any:
    """``data/<name>`` of ``package``, parsed; a missing or broken file names itself.

    A parse is kept in the cache directory (``relieve._filecache``) under the file's
    content, so the next process reads it back instead of parsing again; a file that
    does not parse is never stored, and each call returns a new object."""
    try:
        source = resources.files(package).joinpath("data", name).read_bytes()
    except OSError as exc:
        raise ModelError(f"cannot read packaged data: {exc}", field=name) from exc

    def parse() -> Any:
        try:
            text = source.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ModelError(f"cannot read packaged data: {exc}", field=name) from exc
        return parse_yaml(text, name)

    value, _ = _filecache.load_or_build(f"{package}.{name}.parsed", _MAGIC, _parsed_key(source), parse)
    return value
