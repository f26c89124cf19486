"""The assessment contract JSON (section 4) of every recorded vignette is unchanged,
byte for byte.

``data/assessment_contract.json`` holds, for each vignette of
``vignettes/identification.yaml`` and ``vignettes/red_flags.yaml``, the text
``relieve assess --json`` prints (``json.dumps(to_contract(), indent=2,
ensure_ascii=False)`` and a newline). It was recorded at f7d56d1, before red-flag
qualifiers and the question chooser (which must not change what an existing findings
document is told), and recorded again when the model's geometry was refitted to the published
magnitudes (issue 9, its second and third passes, the levator refit that keeps its
turn toward its side, and the cervical pitch of 17.5 mm, which moved 28 vignettes'
probabilities by at most 0.01 and changed no top candidate), and when each scalene got one
bundle per level Gray's lists (anterior C3-C6, middle C2-C7, posterior C4-C6), which moved 10
vignettes' probabilities by at most 0.018 and turned one top candidate, that of
anterior_scalene_right_arm_referral, from the middle to the anterior scalene - the muscle
the vignette is named for (its expected muscles are the three scalenes), and when the
muscles on the chest were wrapped over the rib cage and the shoulder refitted (issue 9's
sixth pass: 23 vignettes' probabilities moved by at most 0.049, no top candidate): identification
reads length changes from the model, so its probabilities moved then, and only then. A
change here must be deliberate: ``python tests/test_contract_unchanged.py --record`` writes the file anew.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

import relieve

HERE = Path(__file__).parent
RECORD = HERE / "data" / "assessment_contract.json"
BEFORE = json.loads(RECORD.read_text(encoding="utf-8"))


def _cases() -> dict[str, dict]:
    out = {}
    for name in ("identification.yaml", "red_flags.yaml"):
        for case in yaml.safe_load((HERE / "vignettes" / name).read_text(encoding="utf-8")):
            out[f"{name}::{case['name']}"] = case
    return out


CASES = _cases()


def _printed(key: str) -> str:
    return json.dumps(relieve.assess(CASES[key]["findings"]).to_contract(), indent=2, ensure_ascii=False) + "\n"


def test_every_recorded_vignette_still_exists():
    assert len(BEFORE) == 66
    assert set(BEFORE) <= set(CASES)


@pytest.mark.parametrize("key", sorted(BEFORE))
def test_contract_json_is_unchanged(key):
    assert _printed(key) == BEFORE[key]


if __name__ == "__main__" and sys.argv[1:] == ["--record"]:
    RECORD.write_text(json.dumps({key: _printed(key) for key in sorted(BEFORE)}, indent=1, ensure_ascii=False) + "\n",
                      encoding="utf-8")
