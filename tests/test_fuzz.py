"""Property-based fuzzing of the readers: whatever they are given, they return a valid
result or raise a ``RelieveError`` (which front ends turn into a one-line message),
never any other exception.

- ``parse_findings`` on arbitrary JSON-like values, on text and bytes, and on mutated
  valid findings documents (the vignettes);
- ``load_model`` on mutated copies of ``tests/data/two_links_v3.osim`` (numbers made
  nan, inf, huge or words; elements deleted or duplicated; names emptied or doubled),
  also through ``relieve model lengths --json``, whose output must be valid JSON or
  nothing;
- the project's own model reader on mutated YAML text: a small model of the same
  format, and a few mutations of the real ``upper_body.yaml``.

Run time is bounded by fixed example counts, not by timing (``deadline=None``).
"""

from __future__ import annotations

import contextlib
import copy
import io
import json
import math
import re
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relieve.assessment import parse_findings
from relieve.cli import main
from relieve.errors import RelieveError
from relieve.model import Model, load_model, load_own_model

from conftest import DATA, REPO

V3_TEXT = (DATA / "two_links_v3.osim").read_text(encoding="utf-8")
OWN_TEXT = (REPO / "src" / "relieve" / "model" / "data" / "upper_body.yaml").read_text(encoding="utf-8")
VIGNETTES = yaml.safe_load((Path(__file__).parent / "vignettes" / "identification.yaml").read_text())
FINDINGS = [v["findings"] for v in VIGNETTES]



def fuzz(examples: int) -> settings:
    """A fixed number of examples, no deadline (a busy machine), the same examples each run."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# Words that are not numbers, or numbers no model means, for a number's place.
ODD_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "1e308", "-1e308", "1e-320",
               "0", "-0", "abc", "", "1,5", "0x10", "٣", "３", "1_000", "1" * 400, "[1]", "&amp;"]
ODD_TEXT = ["", " ", "[/x]", "[bold]", "\u202e", "a" * 300, "&lt;&gt;", "q1", "ground", "/", "..", "upper"]


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


def _valid_or_refused(call, *args):
    """The call's result, or None when it raised a RelieveError; anything else propagates."""
    try:
        return call(*args)
    except RelieveError as exc:
        assert str(exc)
        return None


# --------------------------------------------------------------------------- findings

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["left", "right", "both", "midline", "sudden", "neck_shoulder_junction", "flexion",
                     "slept_awkwardly", "fever", "car_accident", "pain", "limited", "[/x]", "\x1b[2J"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=5),
                            st.dictionaries(st.one_of(st.text(max_size=12), st.sampled_from(list(FINDINGS[0]))),
                                            inner, max_size=6)),
    max_leaves=20,
)


@fuzz(150)
@given(json_values)
def test_parse_findings_takes_any_json_value(value):
    _valid_or_refused(parse_findings, value)


@fuzz(80)
@given(st.one_of(st.text(max_size=200), st.binary(max_size=200)))
def test_parse_findings_takes_any_text(text):
    _valid_or_refused(parse_findings, text)


def _paths(node, prefix=()):
    """Every (path, value) in a nested document."""
    yield prefix, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, prefix + (i,))


def _mutate_document(data, doc):
    """One to three edits: replace a value, delete an entry, add a key, duplicate an item."""
    doc = copy.deepcopy(doc)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p, _ in _paths(doc)]
        path = data.draw(st.sampled_from(paths))
        if not path:
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        action = data.draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if action == "replace":
            parent[key] = data.draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "add" and isinstance(parent, dict):
            parent[data.draw(st.text(max_size=10))] = data.draw(json_values)
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
    return doc


@fuzz(150)
@given(st.data())
def test_parse_findings_takes_mutated_valid_documents(data):
    doc = _mutate_document(data, data.draw(st.sampled_from(FINDINGS)))
    _valid_or_refused(parse_findings, doc)


@fuzz(100)
@given(st.data())
def test_parse_findings_takes_mutated_json_text(data):
    text = json.dumps(data.draw(st.sampled_from(FINDINGS)))
    numbers = [m.span() for m in re.finditer(r"-?\d+(?:\.\d+)?", text)]
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["number", "insert", "delete", "duplicate_key"]))
        if kind == "number" and numbers:
            start, end = data.draw(st.sampled_from(numbers))
            text = text[:start] + data.draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999", "1" * 5000,
                                                             "true", "null", '"3"', "1e-400"])) + text[end:]
            numbers = []
        elif kind == "insert":
            at = data.draw(st.integers(0, len(text)))
            text = text[:at] + data.draw(st.sampled_from(['"', "{", "[", "]", "}", ",", ":", "\\", "\x00",
                                                          '"age": 1, ', "[" * 40])) + text[at:]
            numbers = []
        elif kind == "delete" and text:
            at = data.draw(st.integers(0, len(text) - 1))
            text = text[:at] + text[at + 1:]
            numbers = []
        elif kind == "duplicate_key" and text.startswith("{"):
            text = '{"age": 40, ' + text[1:]
    as_bytes = data.draw(st.booleans())
    _valid_or_refused(parse_findings, text.encode("utf-8", "surrogatepass") if as_bytes else text)


# --------------------------------------------------------------------------- OpenSim files

_NUMBER_IN_TEXT = re.compile(r"(?<=[>\s])-?\d+(?:\.\d+)?(?:e-?\d+)?(?=[<\s])")


def _mutate_osim(data) -> str:
    text = V3_TEXT
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["number", "number", "delete", "duplicate", "name", "text"]))
        if kind == "number":
            spans = [m.span() for m in _NUMBER_IN_TEXT.finditer(text)]
            if not spans:
                continue
            start, end = data.draw(st.sampled_from(spans))
            value = data.draw(st.one_of(st.sampled_from(ODD_NUMBERS),
                                        st.floats(allow_nan=False, width=32).map(repr)))
            text = text[:start] + value + text[end:]
            continue
        root = ET.fromstring(text)
        parents = {child: parent for parent in root.iter() for child in parent}
        elements = [el for el in root.iter() if el is not root]
        if not elements:
            continue
        el = data.draw(st.sampled_from(elements))
        if kind == "delete":
            parents[el].remove(el)
        elif kind == "duplicate":
            parent = parents[el]
            parent.insert(list(parent).index(el), copy.deepcopy(el))
        elif kind == "name":
            named = [e for e in elements if "name" in e.attrib]
            if named:
                data.draw(st.sampled_from(named)).set("name", data.draw(st.sampled_from(ODD_TEXT)))
        elif kind == "text":
            el.text = data.draw(st.sampled_from(ODD_TEXT + ODD_NUMBERS))
        text = ET.tostring(root, encoding="unicode")
    return text


def _run_cli(argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@fuzz(120)
@given(st.data())
def test_load_model_takes_mutated_osim_files(scratch, data):
    path = scratch / "fuzz.osim"
    path.write_text(_mutate_osim(data), encoding="utf-8")
    model = _valid_or_refused(load_model, path)
    if model is not None:
        assert isinstance(model, Model)
        with np.errstate(all="ignore"):
            model.muscle_lengths(model.default_q())
    code, out, err = _run_cli(["model", "lengths", str(path), "--json"])
    assert code in (0, 2), (code, err)
    if code == 0:
        lengths = json.loads(out)["lengths_m"]
        assert all(math.isfinite(v) for v in lengths.values())
    else:
        assert out == "" and err.count("\n") == 1 and "\x1b" not in err


# --------------------------------------------------------------------------- the project's own YAML

TINY_MODEL = """\
name: tiny
version: 1
ground: thorax
bodies:
  head:
    parent: thorax
    joint: neck
    centre: [0.0, 0.1, 0.0]
    axes:
      - {axis: [0, 0, 1], coordinate: neck_flexion}
  arm:
    parent: thorax
    joint: shoulder
    centre: [0.0, 0.0, 0.15]
    bilateral: true
    axes:
      - {axis: {along: [a_base, a_tip]}, coordinate: shoulder_lift, scale: 0.5}
landmarks:
  chin: {body: head, at: [0.1, 0.15, 0.0]}
  sternum: {body: thorax, at: [0.1, 0.0, 0.0]}
  a_base: {body: arm, at: [0.0, 0.0, 0.15]}
  a_tip: {body: arm, at: [0.0, 0.1, 0.2]}
posture_variables:
  nod:
    range: [-30, 40]
    spread:
      - {rom: 40, levels: {neck_flexion: 1}}
  lift:
    range: [-10, 20]
    bilateral: true
    drives: {shoulder_lift: 1.0}
surfaces:
  chest: {body: thorax, ellipsoid: {centre: [0, -0.1, 0], radii: [0.1, 0.2, 0.15]}}
obstacles:
  spine: {body: thorax, centre: [-0.05, 0.05, 0.0], radius: 0.01}
muscles:
  strap:
    path: [sternum, {via: bend, body: head, at: [0.05, 0.12, 0.0]}, chin]
  lifter:
    bundles:
      front:
        path: [a_tip, {landmark: chin, offset: [0, 0, 0.01]}]
"""
TINY_ORDER = dict(muscle_order=("strap", "lifter"), variable_order=("nod", "lift_left", "lift_right"), groups={})

YAML_NUMBERS = [".nan", ".NaN", ".inf", "-.inf", "1e999", "1" * 400, "1" * 5000, "0x1F", "0o17", "1_000",
                "2024-13-45", "2024-01-01", "true", "null", "~", "'0.1'", "[]", "{}", "abc", "&a 1", "*a", "!!binary x"]
YAML_INSERTS = [":", "- ", "[", "]", "{", "}", "&anchor ", "*anchor", "<<: *x\n", "!!python/name:os.system ", "\t",
                "? ", "|", ">", "%YAML 1.1\n", "---\n", "\x00", "\ufeff", "\"\\e[2J\"", "[" * 60]


def _mutate_yaml(data, text: str) -> str:
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["number", "number", "line_delete", "line_duplicate", "insert"]))
        lines = text.split("\n")
        if kind == "number":
            spans = [m.span() for m in re.finditer(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", text)]
            if not spans:
                continue
            start, end = data.draw(st.sampled_from(spans))
            text = text[:start] + data.draw(st.sampled_from(YAML_NUMBERS)) + text[end:]
        elif kind == "line_delete" and lines:
            del lines[data.draw(st.integers(0, len(lines) - 1))]
            text = "\n".join(lines)
        elif kind == "line_duplicate" and lines:
            k = data.draw(st.integers(0, len(lines) - 1))
            lines.insert(k, lines[k])
            text = "\n".join(lines)
        else:
            at = data.draw(st.integers(0, len(text)))
            text = text[:at] + data.draw(st.sampled_from(YAML_INSERTS)) + text[at:]
    return text


@fuzz(150)
@given(st.data())
def test_own_model_reader_takes_mutated_yaml(scratch, data):
    path = scratch / "tiny.yaml"
    path.write_text(_mutate_yaml(data, TINY_MODEL), encoding="utf-8", errors="surrogatepass")
    body = _valid_or_refused(lambda p: load_own_model(p, **TINY_ORDER), path)
    if body is not None:
        with np.errstate(all="ignore"):
            body.model.muscle_lengths(body.model.default_q())


@fuzz(8)
@given(st.data())
def test_load_model_takes_mutated_upper_body_yaml(scratch, data):
    path = scratch / "upper_body.yaml"
    path.write_text(_mutate_yaml(data, OWN_TEXT), encoding="utf-8", errors="surrogatepass")
    _valid_or_refused(load_model, path)


def test_the_unmutated_sources_are_valid(scratch):
    """The fuzzing starts from valid documents (else it would only test refusals)."""
    path = scratch / "v3.osim"
    path.write_text(V3_TEXT, encoding="utf-8")
    assert isinstance(load_model(path), Model)
    tiny = scratch / "tiny_ok.yaml"
    tiny.write_text(TINY_MODEL, encoding="utf-8")
    assert load_own_model(tiny, **TINY_ORDER).model.muscle_names == (
        "strap.left", "strap.right", "lifter.front.left", "lifter.front.right")
    for doc in FINDINGS:
        parse_findings(doc)


# Found by this fuzzing: the own model's builder looked a name up in a dict without
# checking it was a string, so a list or mapping in a name's place raised TypeError.
@pytest.mark.parametrize(
    "old, new",
    [
        ("parent: thorax\n    joint: neck", "parent: [x]\n    joint: neck"),  # _body_names
        ("chin: {body: head,", "chin: {body: [x],"),  # _check_body
        ("along: [a_base, a_tip]", "along: [{a_base: 1}, a_tip]"),  # _axis
        ("path: [sternum,", "path: [{landmark: [x]},"),  # _point
    ],
    ids=["_body_names", "_check_body", "_axis", "_point"],
)
def test_own_model_names_of_the_wrong_type_are_refused(scratch, old, new):
    assert old in TINY_MODEL
    path = scratch / "wrong_type.yaml"
    path.write_text(TINY_MODEL.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(RelieveError):
        load_own_model(path, **TINY_ORDER)
