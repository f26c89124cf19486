"""The real `relieve` command, run as a user would run it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import DATA

V3 = str(DATA / "two_links_v3.osim")


def relieve(*args, input=None):
    return subprocess.run([sys.executable, "-m", "relieve", *args], capture_output=True, text=True, input=input)


def test_help_lists_commands():
    out = relieve("--help")
    assert out.returncode == 0
    text = " ".join(out.stdout.split())
    assert "model" in text and "does not diagnose" in text


def test_model_info_json_and_table():
    out = relieve("model", "info", V3, "--json")
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout)
    assert [c["name"] for c in info["coordinates"]] == ["q1", "q2", "tx", "q3", "q5"]
    units = {c["name"]: c["unit"] for c in info["coordinates"]}
    assert units["tx"] == "m" and units["q1"] == "rad"
    assert info["coupled_coordinates"] == [{"name": "q4", "follows": "q3"}]
    assert info["muscles"] == ["crossing", "plain"]
    table = relieve("model", "info", V3)
    assert table.returncode == 0 and "q1" in table.stdout and "crossing" in table.stdout


def test_model_lengths_changes_with_settings():
    base = json.loads(relieve("model", "lengths", V3, "--json").stdout)
    moved = json.loads(relieve("model", "lengths", V3, "--set", "q1=0.3", "--set", "q3=1.1", "--json").stdout)
    assert moved["coordinates"]["q1"] == 0.3
    assert moved["lengths_m"]["plain"] != base["lengths_m"]["plain"]


@pytest.mark.parametrize(
    "args, needle",
    [
        (["model", "lengths", V3, "--set", "nope=1"], "no coordinate 'nope'"),
        (["model", "lengths", V3, "--set", "q1=abc"], "--set"),
        (["model", "lengths", V3, "--set", "q1"], "NAME=VALUE"),
        (["model", "info", "/definitely/not/here.osim"], "not found"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, needle):
    out = relieve(*args)
    assert out.returncode == 2
    assert needle in out.stderr
    assert "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1


def test_malformed_model_file_exits_2(tmp_path):
    bad = tmp_path / "bad.osim"
    bad.write_text("<OpenSimDocument><Model>")
    out = relieve("model", "info", str(bad))
    assert out.returncode == 2 and "malformed XML" in out.stderr


def test_large_batches_are_computed_in_chunks_with_the_same_result(mortensen_path):
    # Chunking is what keeps memory bounded; the peak for 1,000,000 postures is
    # measured by `make bench` (bench/engine.py), not here.
    import numpy as np

    from relieve.model import load_model

    m = load_model(mortensen_path)
    q = np.tile(m.default_q(), (3_000, 1))
    q += np.random.default_rng(0).uniform(-0.1, 0.1, q.shape)
    whole = m.muscle_lengths(q)
    assert whole.shape == (3_000, 72) and np.isfinite(whole).all()
    np.testing.assert_allclose(m.muscle_lengths(q, chunk=256), whole, rtol=0, atol=1e-15)
