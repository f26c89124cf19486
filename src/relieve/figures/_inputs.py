"""Checking and naming what callers ask for: formats, muscles and groups, posture
variables, and the plain names of muscles and landmarks."""

from __future__ import annotations

import functools

from typing import Iterable

from ..errors import RelieveError, UnknownNameError
from ..vocabulary import POSTURE_VARIABLES, VARIABLES, PostureVariable
from .._input import shown
from ._style import FORMATS


def defaults(body, kb):
    """The project's own model and knowledge base unless others are given."""
    if body is None:
        from ..model import default_model

        body = default_model()
    if kb is None:
        from ..anatomy import knowledge_base

        kb = knowledge_base()
    return body, kb


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise RelieveError(f"unknown image format {shown(fmt)}; choose one of: {', '.join(FORMATS)}", field="figure")
    return fmt


def posture_variable(name: str) -> PostureVariable:
    """The facts of one posture variable (``vocabulary.VARIABLES``); an unknown name is
    refused as ``anatomy.postures.direction`` refuses it."""
    try:
        return VARIABLES[name]
    except (KeyError, TypeError):
        raise UnknownNameError(
            f"unknown posture variable {shown(name)}; known: {', '.join(POSTURE_VARIABLES)}", field="posture"
        ) from None


def variable_bases(*names: str) -> frozenset[str]:
    """Side-less posture variable names (``PostureVariable.base``), checked at import time."""
    known = {f.base for f in VARIABLES.values()}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"not posture variables: {unknown}")
    return frozenset(names)


def members(body, kb, muscle: str, side: str) -> tuple[str, ...]:
    """A muscle id gives itself, a group its members (``kb.expand``); checks the muscle
    and the side against the model."""
    try:
        names = kb.expand(muscle)
    except UnknownNameError:
        names = (muscle,)  # not in the knowledge base: the model names the problem
    for m in names:
        body.bundles(m, side)  # raises UnknownNameError naming the muscle or the side
    return tuple(names)


def muscle_name(kb, muscle: str) -> str:
    try:
        return kb.muscle(muscle).common_name
    except UnknownNameError:
        return muscle.replace("_", " ")  # a group


def place_name(kb, landmark: str) -> str:
    """A landmark's name in plain words (from the knowledge base, else from
    ``data/places.yaml``; an id nobody named falls back to its words)."""
    try:
        return kb.landmark(landmark).name
    except UnknownNameError:
        named = _places().get(landmark)
        if named:
            return named
        words = landmark.split("_")
        return " ".join(w.upper() if w[:1] in "ct" and w[1:].isdigit() else w for w in words)


def ends(body, muscles: Iterable[str], side: str) -> list[tuple[str, bool]]:
    """(landmark, is_origin) of the muscles' ends, without repeats, origins first."""
    out: dict[str, bool] = {}
    for m in muscles:
        a = body.attachments(m, side)
        for lid in a["origin"]:
            out.setdefault(lid, True)
        for lid in a["insertion"]:
            out.setdefault(lid, False)
    return sorted(out.items(), key=lambda kv: not kv[1])


@functools.lru_cache(maxsize=1)
def _places() -> dict:
    from .._data import packaged_yaml

    return packaged_yaml(__package__, "places.yaml") or {}
