"""The assessment contract JSON (section 4) of every vignette that existed at commit
f7d56d1 is unchanged, byte for byte.

``data/assessment_contract_f7d56d1.json`` was recorded at that commit: for each
vignette of ``vignettes/identification.yaml`` and ``vignettes/red_flags.yaml``, the
text ``relieve assess --json`` prints (``json.dumps(to_contract(), indent=2,
ensure_ascii=False)`` and a newline). Red-flag qualifiers and the question chooser
must not change what an existing findings document is told.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import relieve

HERE = Path(__file__).parent
BEFORE = json.loads((HERE / "data" / "assessment_contract_f7d56d1.json").read_text(encoding="utf-8"))


def _cases() -> dict[str, dict]:
    out = {}
    for name in ("identification.yaml", "red_flags.yaml"):
        for case in yaml.safe_load((HERE / "vignettes" / name).read_text(encoding="utf-8")):
            out[f"{name}::{case['name']}"] = case
    return out


CASES = _cases()


def test_every_recorded_vignette_still_exists():
    assert len(BEFORE) == 66
    assert set(BEFORE) <= set(CASES)


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_contract_json_is_unchanged(key):
    doc = relieve.assess(CASES[key]["findings"]).to_contract()
    assert json.dumps(doc, indent=2, ensure_ascii=False) + "\n" == BEFORE[key]
