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


# Scripted answers to ``relieve assess`` that end with the offer of a plan: age, onset
# (3 = woke up with it), days, pain now, history (3 = slept awkwardly), symptoms (none),
# pain map (upper back of the neck, left); posture: no tilt, no turn, not forward;
# tender spot 7L; then the test movements in the order relieve.next_question gives:
# the first hurt 6/10, was limited, on the left; then q (skip the rest).
QUESTIONNAIRE_SCRIPT = [
    "41", "3", "1", "6", "3", "",
    "7l",
    "", "", "n",
    "7l",
    "6", "y", "l",
    "q",
]


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


# --------------------------------------------------------------------------- databases


@pytest.fixture(autouse=True)
def _private_database(tmp_path_factory, monkeypatch):
    """No test ever touches the user's own database: the default URL points to a
    throw-away SQLite file unless a test chooses another."""
    monkeypatch.setenv("RELIEVE_DATABASE_URL", f"sqlite:///{tmp_path_factory.mktemp('db') / 'default.db'}")


POSTGRES_ENV = "RELIEVE_TEST_POSTGRES_URL"


def _postgres_schema_url():
    """A fresh schema on the test PostgreSQL server; yields its URL, drops it afterwards."""
    import os
    import uuid

    base = os.environ.get(POSTGRES_ENV, "").strip()
    if not base:
        pytest.skip(f"{POSTGRES_ENV} is not set (make test sets it when a server answers at 127.0.0.1:5432)")
    from sqlalchemy import create_engine, text

    schema = "relieve_test_" + uuid.uuid4().hex[:12]
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """Each test on SQLite, and again on PostgreSQL when RELIEVE_TEST_POSTGRES_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'relieve.db'}"
        return
    yield from _postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path):
    return f"sqlite:///{tmp_path / 'relieve.db'}"
