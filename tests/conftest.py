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
