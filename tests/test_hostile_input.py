"""Hostile input is harmless: every bad input a person or a file can give ends in a
one-line message naming the field and exit code 2 (or a clean stop), never in a
traceback, raw escape codes, Rich markup taken as markup, or unbounded time or memory.

One test (or parametrised group) per family found by the input audit. The CLI runs
in-process (``relieve.cli.main``) with captured output and a replaced standard input;
a few smoke tests run the real command in a subprocess.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import QUESTIONNAIRE_SCRIPT

from relieve import _input
from relieve._data import load_strict, packaged_yaml, parse_yaml
from relieve.cli import main
from relieve.assessment.questions import parse_questions, questionnaire
from relieve.errors import ModelError, RelieveError, UnknownNameError, ValidationError
from relieve.model import load_model

from conftest import DATA, REPO, reference_file

V3 = DATA / "two_links_v3.osim"
OWN_MODEL = REPO / "src" / "relieve" / "model" / "data" / "upper_body.yaml"

# The questionnaire's scripted answers (as in test_assess_cli): an "ok" assessment that
# ends by offering the plan. Every prompt of the questionnaire is met once.
SCRIPT = QUESTIONNAIRE_SCRIPT


def _stdin(data: bytes | str | None):
    if data is None:
        return None
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")


@pytest.fixture()
def cli(monkeypatch, capsys):
    """``cli(*argv, stdin=...)`` -> (exit code, stdout, stderr), in this process."""

    def run(*argv, stdin: bytes | str | None = b""):
        monkeypatch.setattr(sys, "stdin", _stdin(stdin))
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def assert_refused(code: int, out: str, err: str, *needles: str) -> None:
    """Exit code 2, one clean line on stderr, no escape codes; ``needles`` in it."""
    assert code == 2, (code, out[-500:], err)
    assert "Traceback" not in err and "Traceback" not in out
    assert err.startswith("relieve: error: ") and err.count("\n") == 1, err
    assert "\x1b" not in err and "\x1b" not in out
    assert len(err) < 2200
    for needle in needles:
        assert needle in err, (needle, err)


def _osim(tmp_path: Path, old: str, new: str, name: str = "model.osim") -> Path:
    text = V3.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- 1. endless input


def test_endless_file_is_refused_naming_the_option_and_the_limit(cli):
    code, out, err = cli("assess", "--json", "/dev/zero")
    assert_refused(code, out, err, "--json", "1,048,576 bytes")
    assert out == ""


@pytest.mark.parametrize("option", ["--json", "--findings"])
def test_huge_standard_input_is_refused(cli, option):
    code, out, err = cli("assess", option, "-", stdin=b" " * (_input.MAX_DOCUMENT_BYTES + 10))
    assert_refused(code, out, err, option, "standard input", "limit")


def test_input_just_under_the_limit_is_read(cli):
    doc = b'{"age": 40}' + b" " * (_input.MAX_DOCUMENT_BYTES - 20)
    code, out, err = cli("assess", "--json", "-", stdin=doc)
    assert code == 0, err


def test_input_that_is_not_utf8_or_not_there(cli, tmp_path):
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'{"age": 40, "note": "caf\xe9"}')
    assert_refused(*cli("assess", "--json", bad), "--json", "not UTF-8")
    assert_refused(*cli("assess", "--json", tmp_path), "--json", "cannot read")
    assert_refused(*cli("assess", "--json", "-", stdin=None), "--json", "standard input is closed")


def test_model_files_are_size_limited_before_parsing(tmp_path):
    big = tmp_path / "big.osim"
    with big.open("wb") as f:  # sparse: no disk is used, and nothing is read
        f.truncate(_input.MAX_MODEL_BYTES + 1)
    with pytest.raises(ModelError, match=r"at most 67,108,864 bytes \(64 MiB\)"):
        load_model(big)
    big_yaml = tmp_path / "big.yaml"
    with big_yaml.open("wb") as f:
        f.truncate(_input.MAX_YAML_MODEL_BYTES + 1)
    with pytest.raises(ModelError, match="at most"):
        load_model(big_yaml)
    assert OWN_MODEL.stat().st_size < _input.MAX_YAML_MODEL_BYTES // 50


def test_the_largest_real_model_is_well_under_the_limit():
    path = reference_file("NeckAndShoulder.osim")
    assert path.stat().st_size < _input.MAX_MODEL_BYTES // 32


def test_read_limited_stops_one_byte_past_the_limit():
    class Endless(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            buffer[:] = b"x" * len(buffer)
            return len(buffer)

    assert len(_input.read_limited(Endless(), 1000)) == 1001


# --------------------------------------------------------------------------- 2. end of input, closed input, digits


@pytest.mark.parametrize("answered", range(len(SCRIPT) + 1))
def test_end_of_input_at_every_prompt_stops_cleanly(cli, answered):
    stdin = "".join(a + "\n" for a in SCRIPT[:answered])
    assert_refused(*cli("assess", stdin=stdin), "standard input", "ended before the questionnaire was finished")


def test_a_referral_stops_the_questionnaire_cleanly(cli):
    # A referral ends the questionnaire without asking more: a clean stop, exit 0.
    # (the follow-up on the kind of accident is answered "cannot say")
    code, out, err = cli("assess", stdin="30\n1\n1\n5\n7\n\n\n")
    assert code == 0 and err == "" and "do not try the test movements" in out


def test_closed_standard_input_is_a_clean_message(cli, monkeypatch):
    assert_refused(*cli("assess", stdin=None), "standard input is closed")
    closed = _stdin("41\n")
    closed.close()
    monkeypatch.setattr(sys, "stdin", closed)
    assert main(["assess"]) == 2


def test_an_endless_answer_line_is_refused(cli):
    assert_refused(*cli("assess", stdin="4" * 100_000), "longer than 4,096 characters")


UNICODE_DIGITS = ["²", "٣", "３", "४१", "¹²", "1_0", "nan", "inf", "0x1f", "4\u200b1"]


@pytest.mark.parametrize("digits", UNICODE_DIGITS)
def test_unicode_digits_are_asked_again_at_every_numeric_prompt(cli, digits):
    # Each numeric prompt gets the bad answer first, then the good one.
    numeric = {0, 1, 2, 3, 4, 6, 10, 11, 14}  # age, onset, days, pain, history, regions, tender, 2 tests
    answers = []
    for k, answer in enumerate(SCRIPT):
        if k in numeric:
            answers.append(digits)
        answers.append(answer)
    code, out, err = cli("assess", stdin="".join(a + "\n" for a in answers + [digits, "n"]))
    assert code == 0, err
    assert out.count("Please type") + out.count("Not understood") >= len(numeric) + 1
    assert "Muscles most likely in spasm" in out


def test_ascii_number_helpers():
    assert _input.ascii_int("42") == 42 and _input.ascii_int("²") is None and _input.ascii_int("٣") is None
    assert _input.ascii_int("9" * 5000) is None  # and never int()'s 4,300-digit error
    assert _input.ascii_number("-1.5") == -1.5 and _input.ascii_number(".25") == 0.25
    for bad in ("３", "nan", "inf", "Infinity", "1_000", " 1", "1e3", "", "+", "."):
        assert _input.ascii_number(bad) is None, bad
    assert _input.ascii_number("1e-3", exponent=True) == 0.001
    assert _input.ascii_number("1e999", exponent=True) is None


# --------------------------------------------------------------------------- 3. markup and control characters


NASTY_NAME = "[/x][bold]red[/bold]:smile:"


def test_markup_in_model_names_and_paths_prints_as_plain_text(cli, tmp_path):
    folder = tmp_path / "[bold]"
    folder.mkdir()
    text = V3.read_text(encoding="utf-8")
    text = text.replace('name="two_links_v3"', f'name="{NASTY_NAME}"').replace('"plain"', '"[/plain]"')
    text = text.replace('name="lower"', 'name="[red]lower"').replace(">lower<", ">[red]lower<")
    text = text.replace('"q2"', '"[/q2]"').replace(">q2<", ">[/q2]<")
    path = folder / "m[red]:smile:.osim"
    path.write_text(text, encoding="utf-8")
    code, out, err = cli("model", "info", path)
    assert code == 0, err
    for literal in (NASTY_NAME, "m[red]:smile:.osim", "[/plain]", "[red]lower", "[/q2]"):
        assert literal in out, literal
    code, out, err = cli("model", "lengths", path, "--set", "[/q2]=0.2")
    assert code == 0, err
    assert "[/plain]" in out


def _own_model(tmp_path: Path, old: str, new: str) -> Path:
    text = OWN_MODEL.read_text(encoding="utf-8")
    assert old in text, old
    path = tmp_path / "upper_body.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_control_characters_in_names_are_made_visible(cli, tmp_path):
    # XML cannot hold control characters; YAML's double-quoted escapes can.
    path = _own_model(tmp_path, "name: relieve-upper-body", r'name: "evil\e[2J\aname"')
    code, out, err = cli("model", "info", path)
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J\\x07name" in out


@pytest.mark.parametrize(
    "argv, stdin",
    [
        (["model", "lengths", V3, "--set", "\x1b[31mq1\x1b[0m=1"], b""),
        (["model", "lengths", V3, "--set", "q1=\x1b]0;pwned\x07"], b""),
        (["model", "info", "/no/such/\x1b[2Jfile\u202e.osim"], b""),
        (["assess", "--json", "-"], b'{"age": 40, "\\u001b[2Jkey\\u0007": 1}'),
        (["assess", "--json", "-"], b'{"age": 40, "history": ["\\u001b[31m[/x]"]}'),
        (["frobnicate\x1b[2J"], b""),
    ],
)
def test_error_messages_never_carry_control_characters(cli, argv, stdin):
    code, out, err = cli(*argv, stdin=stdin)
    assert_refused(code, out, err)
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]", err), repr(err)


def test_markup_in_answers_and_error_paths_is_plain(cli):
    # A bad answer is repeated back: "[/x]" must print, not break Rich.
    answers = ["41", "", "", "", "[/x] [bold]", ""] + SCRIPT[5:] + ["n"]
    code, out, err = cli("assess", stdin="".join(a + "\n" for a in answers))
    assert code == 0, err
    assert "Not understood: [/x], [bold]" in out
    assert_refused(*cli("assess", "--findings", "[/x]missing.json"), "[/x]missing.json")


def test_one_line_and_visible():
    assert _input.visible("a\x1bb\nc\u202ed\udc80") == "a\\x1bb\\nc\\u202ed\\udc80"
    assert _input.visible("déjà vu ✓") == "déjà vu ✓"
    long = _input.one_line("x" * 100_000)
    assert len(long) < 2100 and long.endswith("(98,000 more characters)")


def test_json_output_is_valid_even_for_odd_names(cli, tmp_path, monkeypatch):
    import json

    path = _own_model(tmp_path, "name: relieve-upper-body", r'name: "a\eb\u2028c"')
    code, out, err = cli("model", "info", path, "--json")
    assert code == 0, err
    assert json.loads(out)["name"] == "a\x1bb\u2028c"
    # A lone surrogate: libyaml refuses it as invalid Unicode, the pure-Python parser
    # keeps it; either way one clean line or valid JSON, never a traceback.
    lone = _own_model(tmp_path, "name: relieve-upper-body", r'name: "a\udc80"')
    code, out, err = cli("model", "info", lone, "--json")
    if code == 0:
        assert json.loads(out)["name"] == "a\udc80"
    else:
        assert code == 2 and "upper_body.yaml" in err and "Traceback" not in err


# --------------------------------------------------------------------------- 4. non-finite numbers in model files


@pytest.mark.parametrize(
    "old, new, element",
    [
        ("<range>-1.5 1.5</range>", "<range>nan 1.5</range>", "coordinate 'q1' range"),
        ("<default_value>0.1</default_value>", "<default_value>inf</default_value>", "coordinate 'q1' default_value"),
        ("<location>0.05 0.9 0.02</location>", "<location>0.05 -Infinity 0.02</location>",
         "muscle 'crossing' point 'crossing-P1' location"),
        ("<location_in_parent>0.02 1.0 -0.01</location_in_parent>",
         "<location_in_parent>0.02 1e999 -0.01</location_in_parent>", "joint 'shoulder' location_in_parent"),
        ("<orientation_in_parent>0.1 0.2 0.3</orientation_in_parent>",
         "<orientation_in_parent>0.1 NaN 0.3</orientation_in_parent>", "joint 'shoulder' orientation_in_parent"),
        ("<y> -0.8 -0.2 0.5 0.7</y>", "<y> -0.8 nan 0.5 0.7</y>", "joint 'shoulder' rotation2 SimmSpline y"),
        ("<x> -1 -0.3 0.4 1</x>", "<x> -1 -0.3 0.4 inf</x>", "joint 'shoulder' rotation2 SimmSpline x"),
        ("<value>0.25</value>", "<value>-inf</value>", "joint 'shoulder' rotation3 Constant"),
        ("<axis>0.3 0.9 0.1</axis>", "<axis>0.3 nan 0.1</axis>", "joint 'shoulder' rotation2 axis"),
        ("<axis>0.3 0.9 0.1</axis>", "<axis>0 0 0</axis>", "zero length"),
        ("<scale>0.5</scale>", "<scale>nan</scale>", "MultiplierFunction scale"),
        ("<range>-0.5 0.5</range>", "<range>-0.5 inf</range>", "point 'crossing-P2' range"),
        ("<z_location><Constant><value>0.015</value>", "<z_location><Constant><value>nan</value>",
         "z_location Constant"),
        ("<SimmSpline><x> 0 0.7 2</x><y> 0.1 0.4 -0.3</y>", "<SimmSpline><x> 0 0.7 2</x><y> 0.1 NaN -0.3</y>",
         "constraint 'q4_follows_q3'"),
        ("<isDisabled>false</isDisabled>", "<isDisabled>false</isDisabled><scale_factor>nan</scale_factor>",
         "constraint 'q4_follows_q3' scale_factor"),
        ("<isDisabled>false</isDisabled>", "<isDisabled>false</isDisabled><scale_factor>two</scale_factor>",
         "constraint 'q4_follows_q3' scale_factor"),
    ],
)
def test_non_finite_numbers_in_an_osim_are_refused_naming_the_element(cli, tmp_path, old, new, element):
    path = _osim(tmp_path, old, new)
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert element in str(err.value) and "model.osim" in str(err.value)
    code, out, err_text = cli("model", "lengths", path, "--json")
    assert_refused(code, out, err_text, element)
    assert out == ""  # never half a JSON document, never NaN


def test_huge_numbers_never_print_invalid_json(cli, tmp_path):
    path = _osim(tmp_path, "<location>0.05 0.9 0.02</location>", "<location>0.05 1e300 0.02</location>")
    code, out, err = cli("model", "lengths", path, "--json")
    assert_refused(code, out, err, "point 'crossing-P1' location", "too large")
    assert out == ""
    # Numbers each within bounds whose product overflows (nested multipliers): the
    # lengths are refused in one line, with no NumPy warning and no JSON.
    nested = "<Constant><value>0.02</value></Constant>"
    for _ in range(40):
        nested = f"<MultiplierFunction><function>{nested}</function><scale>1e12</scale></MultiplierFunction>"
    path = _osim(tmp_path, "<function><Constant><value>0.02</value></Constant></function>",
                 f"<function>{nested}</function>", name="nested.osim")
    code, out, err = cli("model", "lengths", path, "--json")
    assert_refused(code, out, err, "not a finite number")
    assert out == ""


@pytest.mark.parametrize(
    "old, new, field",
    [
        ("centre: [-0.028, -0.100, 0.0]", "centre: [.nan, -0.100, 0.0]", "bodies.upper_thorax.centre"),
        ("centre: [-0.028, -0.100, 0.0]", "centre: [-.inf, -0.100, 0.0]", "bodies.upper_thorax.centre"),
        ("centre: [-0.028, -0.100, 0.0]", "centre: [1" + "0" * 400 + ", -0.100, 0.0]", "bodies.upper_thorax.centre"),
        ("centre: [-0.028, -0.100, 0.0]", "centre: [1" + "0" * 5000 + ", -0.100, 0.0]", "upper_body.yaml"),
        ("radii: [0.105, 0.21, 0.145]", "radii: [0.105, .NaN, 0.145]", "surfaces.scapulothoracic.ellipsoid.radii"),
        ("radii: [0.105, 0.21, 0.145]", "radii: [0.105, 1.0e+300, 0.145]", "too large"),
    ],
)
def test_non_finite_numbers_in_the_own_model_are_refused(tmp_path, old, new, field):
    path = _own_model(tmp_path, old, new)
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert field in str(err.value)
    assert len(str(err.value)) < 500


# --------------------------------------------------------------------------- 5. --set out of range


def test_q_from_refuses_values_outside_the_range_with_range_and_unit():
    model = load_model(V3)
    with pytest.raises(ValidationError, match=r"q1: 5 rad .* outside its range, -1\.5 rad .* to 1\.5 rad"):
        model.q_from({"q1": 5.0})  # clamped: today this computed 1.5 and reported 5
    with pytest.raises(ValidationError, match=r"q2: -2 rad .* outside its range, -1 rad"):
        model.q_from({"q2": -2.0})
    with pytest.raises(ValidationError, match=r"tx: 0\.5 m is outside its range, -0\.1 m to 0\.1 m"):
        model.q_from({"tx": 0.5})
    with pytest.raises(ValidationError, match="locked at 0.05 rad"):
        model.q_from({"q5": 0.3})
    q = model.q_from({"q1": 1.5, "q3": 0.0, "q5": 0.05})  # the limits themselves, and a locked default
    assert q[0, model.coordinate_names.index("q1")] == 1.5


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "0.3", None, 10**400])
def test_q_from_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(ValidationError):
        load_model(V3).q_from({"q1": value})


def test_unknown_coordinate_gets_a_bounded_did_you_mean():
    model = load_model(V3)
    with pytest.raises(UnknownNameError, match=r"no coordinate 'q11' \(did you mean 'q1'\?\); known: q1, q2"):
        model.q_from({"q11": 0.1})
    with pytest.raises(UnknownNameError) as err:
        model.q_from({"q" * 30_000_000: 0.1})
    assert len(str(err.value)) < 300


@pytest.mark.parametrize(
    "setting, needles",
    [
        ("q1=5", ["q1", "outside its range", "rad"]),
        ("tx=1", ["tx", "outside its range", "0.1 m"]),
        ("q5=0.5", ["locked"]),
        ("q1=nan", ["--set", "not a finite number"]),
        ("q1=1e999", ["--set", "not a finite number"]),
        ("q1=٣", ["--set", "not a finite number"]),
        ("qq1=0.1", ["did you mean 'q1'"]),
        ("q4=0.1", ["driven by a coupler"]),
    ],
)
def test_cli_set_refuses_bad_values(cli, setting, needles):
    assert_refused(*cli("model", "lengths", V3, "--set", setting), *needles)


def test_cli_set_in_range_reports_what_it_computes(cli):
    import json

    code, out, err = cli("model", "lengths", V3, "--set", "q1=-1.5", "--set", "tx=2.5e-2", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["coordinates"]["q1"] == -1.5 and data["coordinates"]["tx"] == 0.025


# --------------------------------------------------------------------------- 6. bounded did-you-mean and messages


def test_unknown_muscle_name_of_30_mb_is_bounded():
    from relieve.anatomy import knowledge_base

    kb = knowledge_base()
    with pytest.raises(UnknownNameError) as err:
        kb.muscle("levator_scapulae" * 2_000_000)
    message = str(err.value)
    assert "did you mean" not in message and len(message) < 1000
    with pytest.raises(UnknownNameError, match=r"did you mean 'levator_scapulae'"):
        kb.muscle("levator_scapula")


def test_did_you_mean_is_bounded_in_candidates_and_length():
    many = [f"coordinate_{i}" for i in range(100_000)]
    assert _input.did_you_mean("coordinate_7", many) == "coordinate_7"
    assert _input.did_you_mean("x" * 65, ["x" * 65]) is None
    assert _input.did_you_mean(None, ["a"]) is None
    assert _input.listing(many).endswith("(and 99,960 more)")


def test_shown_is_bounded_and_safe():
    assert _input.shown("a" * 1000) == repr("a" * 37 + "...")
    assert "\x1b" not in _input.shown("\x1b[2J")
    assert _input.shown(10**5000).startswith("'<a int too large")


# --------------------------------------------------------------------------- 7. strict YAML


@pytest.mark.parametrize(
    "text, needle",
    [
        ("a: 1\nb: 2\na: 3\n", "'a' is given twice (lines 1 and 3)"),
        ("[1, 2]: x\n", "unhashable"),
        ("a: " + "1" * 5000 + "\n", "cannot be read"),
        ("a: 2024-13-45\n", "cannot be read"),
        ("a: " + "[" * 5000 + "\n", "not valid YAML"),
        ("a: !!python/object:os.system x\n", "not valid YAML"),
    ],
)
def test_parse_yaml_is_strict_and_never_raises_anything_else(text, needle):
    with pytest.raises(ModelError) as err:
        parse_yaml(text, "x.yaml")
    assert err.value.field == "x.yaml" and needle in str(err.value)


def test_every_packaged_yaml_passes_the_strict_loader():
    for package, names in {
        "relieve.anatomy": ["muscles.yaml", "regions.yaml", "landmarks.yaml", "postures.yaml", "movements.yaml"],
        "relieve.assessment": ["red_flags.yaml", "evidence.yaml", "questions.yaml"],
    }.items():
        for name in names:
            assert packaged_yaml(package, name)


def test_the_own_model_reader_uses_the_same_strict_loader(tmp_path):
    import relieve.model._own as own

    assert own.load_strict is load_strict
    path = tmp_path / "dup.yaml"
    path.write_text("name: a\nname: b\n", encoding="utf-8")
    with pytest.raises(ModelError, match="'name' is given twice"):
        load_model(path)


# --------------------------------------------------------------------------- 8. questions as data

# The prompts as the questionnaire asked them before they moved to data, in order.
PROMPTS_IN_ORDER = [
    "How old are you (years)?",
    "How did the pain start? (number, Enter to skip)",
    "How many days ago did it start? (0 = today)",
    "How strong is the pain now, 0 (none) to 10 (worst imaginable)?",
    "Safety questions. Which of these apply to you (recently, or now)?",
    "Numbers separated by spaces, Enter for none",
    "Do you have any of these symptoms?",
    "Where does it hurt? Find the places on the picture.",
    "Numbers with L, R or M for left, right or middle, e.g. 11L 13L 15 (Enter for none)",
    "Resting head posture. Sit relaxed and look straight into a mirror.",
    "Is your head tilted, one ear lower than the other? left / right (Enter = no)",
    "Is your chin turned to one side? left / right (Enter = no)",
    "Is your head held forward of your shoulders? (y/n)",
    "Tender spots. Press gently with two fingertips around the painful area.",
    "Numbers with L, R or M, e.g. 13L (Enter for none)",
    "Test movements. Try each one slowly and gently",
    "Test 1.",
    "Why this test:",
    "How much did it hurt, 0-10? (Enter = skip, q = skip the rest)",
    "Did it stop short of the usual range (stiff or blocked)? (y/n)",
    "Where did you feel it? left / right / both / middle",
    "Show the gentle techniques for one of these? Number 1-",
]


def test_questionnaire_asks_the_same_prompts_in_the_same_order(cli):
    code, out, err = cli("assess", stdin="".join(a + "\n" for a in SCRIPT + ["n"]))
    assert code == 0, err
    flat = " ".join(out.split())
    position = 0
    for prompt in PROMPTS_IN_ORDER:
        found = flat.find(" ".join(prompt.split()), position)
        assert found >= 0, (prompt, flat[position:position + 300])
        position = found


def test_questions_file_is_plain_text_for_any_front_end():
    from relieve import vocabulary

    qs = questionnaire()
    assert [q.id for q in qs.steps][:7] == ["age", "onset", "duration_days", "pain_now", "history", "symptoms",
                                            "safety_gate"]
    assert "Safety comes first" in qs.rationale
    raw = packaged_yaml("relieve.assessment", "questions.yaml")

    def texts(node):
        if isinstance(node, dict):
            for v in node.values():
                yield from texts(v)
        elif isinstance(node, list):
            for v in node:
                yield from texts(v)
        elif isinstance(node, str):
            yield node

    for text in texts(raw):
        assert not re.search(r"\[/?[a-z#@]", text), text  # no Rich markup
    assert set(qs["history"].options) <= set(vocabulary.HISTORY_CODES)
    assert set(qs["symptoms"].options) <= set(vocabulary.SYMPTOM_CODES)
    assert list(qs["onset"].options) == list(vocabulary.ONSET_CODES)


@pytest.mark.parametrize(
    "edit, needle",
    [
        (lambda d: d["order"].insert(0, d["order"].pop(d["order"].index("movements"))), "movements must come after"),
        (lambda d: d["order"].append(d["order"].pop(d["order"].index("symptoms"))), "symptoms must come before"),
        (lambda d: d["order"].remove("safety_gate"), "exactly once"),
        (lambda d: d["questions"]["history"]["options"].update(slept_badly="x"), "not a contract code"),
        (lambda d: d["questions"]["age"].pop("prompt"), "questions.age.prompt"),
        (lambda d: d["questions"]["age"].update(colour="red"), "questions.age.colour"),
    ],
)
def test_questions_loader_refuses_an_unsafe_or_broken_file(edit, needle):
    import copy

    doc = copy.deepcopy(packaged_yaml("relieve.assessment", "questions.yaml"))
    edit(doc)
    with pytest.raises(ModelError) as err:
        parse_questions(doc)
    assert needle in str(err.value)


# --------------------------------------------------------------------------- real processes


def _relieve(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "relieve", *map(str, args)], capture_output=True,
                          cwd=REPO, timeout=120, **kwargs)


def test_smoke_endless_input_in_a_real_process():
    out = _relieve("assess", "--json", "/dev/zero")
    assert out.returncode == 2 and b"Traceback" not in out.stderr
    assert b"limit of 1,048,576 bytes" in out.stderr


def test_smoke_closed_standard_input_in_a_real_process():
    out = subprocess.run(["sh", "-c", f'exec "{sys.executable}" -m relieve assess <&-'],
                         capture_output=True, cwd=REPO, timeout=120)
    assert out.returncode == 2 and b"Traceback" not in out.stderr
    assert b"standard input is closed" in out.stderr


def test_smoke_markup_and_nan_in_a_real_process(tmp_path):
    path = _osim(tmp_path, 'name="two_links_v3"', f'name="{NASTY_NAME}"', name="[red]x.osim")
    out = _relieve("model", "info", path)
    assert out.returncode == 0, out.stderr
    assert NASTY_NAME.encode() in out.stdout and b"[red]x.osim" in out.stdout
    bad = _osim(tmp_path, "<range>-1 1</range>", "<range>-1 nan</range>", name="nan.osim")
    out = _relieve("model", "lengths", bad, "--json")
    assert out.returncode == 2 and out.stdout == b"" and b"not a finite number" in out.stderr


def test_every_user_error_is_a_relieve_error():
    # The audit's families all surface as RelieveError subclasses, which main() prints.
    for family in (ModelError, UnknownNameError, ValidationError):
        assert issubclass(family, RelieveError)


# The model's public API, each call given one bad name (or value) ``x``.
MODEL_CALLS = {
    "muscle": lambda b, x: b.length_change_pct(x, "left"),
    "side": lambda b, x: b.length_change_pct("levator_scapulae", x),
    "posture key": lambda b, x: b.length_change_pct("levator_scapulae", "left", {x: 1.0}),
    "posture value": lambda b, x: b.length_change_pct("levator_scapulae", "left", {"neck_flexion": x}),
    "landmark": lambda b, x: b.landmark_position(x, "left"),
    "landmark side": lambda b, x: b.landmark_position("mastoid_process", x),
}


def _field(error: RelieveError) -> str:
    return error.field if error.field is not None else error.problems[0][0]


@pytest.mark.parametrize("call", MODEL_CALLS.values(), ids=MODEL_CALLS.keys())
def test_a_huge_name_given_to_the_model_is_echoed_shortened(call):
    """The model's public API names the bad field and echoes a 100,000-character value
    in a few dozen characters, with the valid names still listed in full."""
    from relieve.model import default_model

    with pytest.raises(RelieveError) as info:
        call(default_model(), "\x1b[31m" + "x" * 100_000)
    text = str(info.value)
    assert len(text) < 2_500 and "xxx..." in text and "\x1b" not in text
    assert 0 < len(_field(info.value)) <= 64


@pytest.mark.parametrize("call", [c for k, c in MODEL_CALLS.items() if k != "posture key"],
                         ids=[k for k in MODEL_CALLS if k != "posture key"])  # a list cannot be a dict key
def test_a_name_that_is_not_text_is_refused_by_the_model_naming_the_field(call):
    """A list where the model's API takes a name (or a number) gets the same clear
    refusal as an unknown name, not a TypeError from a dictionary lookup."""
    from relieve.model import default_model

    with pytest.raises(RelieveError) as info:
        call(default_model(), ["neck_flexion"])
    assert _field(info.value) and "['neck_flexion']" in str(info.value)
