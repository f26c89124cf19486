"""Shared test fixtures: where the reference models live, and OpenSim when installed.

The published models in ../shared/reference are test data only; tests that need
them skip with a reason naming the missing file.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "opensim"
DATA = Path(__file__).resolve().parent / "data"


def reference_file(name: str) -> Path:
    path = REFERENCE / name
    if not path.exists():
        pytest.skip(f"reference model {path} is absent (it lives in ../shared/reference beside the repository)")
    return path


@pytest.fixture(scope="session")
def opensim():
    try:
        import opensim as osim
    except ImportError as exc:  # pragma: no cover - depends on the machine
        pytest.skip(f"opensim is not installed ({exc}); `make test` installs it")
    osim.Logger.setLevelString("error")
    return osim


@pytest.fixture(scope="session")
def mortensen_path() -> Path:
    return reference_file("Mortensen2014_rigidTorso.osim")


@pytest.fixture(scope="session")
def neck_and_shoulder_path() -> Path:
    return reference_file("NeckAndShoulder.osim")


class CliResult:
    def __init__(self, returncode: int, stdout: str, stderr: str):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_cli(*args: str, input: str | None = None) -> CliResult:
    """``relieve ARGS`` run in this process through ``relieve.cli.main(argv)``, with its
    standard streams captured (fast, and the same code path as the real command)."""
    import contextlib
    import io
    import sys

    from relieve.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(input if input is not None else "")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())
