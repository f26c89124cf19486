"""`make bench` part: what the model change does to the plans (before / after).

For each of the 46 muscle-sides, the plan's three postures (position of ease,
repositioning, stretch) and the muscle's length change there, now and as computed by
the code of commit f7d56d1 (the model before issue 9). The "before" figures were
computed by running that commit's own code (``python bench/plan_changes.py --record``
at f7d56d1) and are kept as data in ``bench/data/plans_f7d56d1.json``; nothing in it is
edited by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import table  # noqa: E402

BEFORE = Path(__file__).resolve().parent / "data" / "plans_f7d56d1.json"


def current_plans() -> dict:
    """``"muscle:side"`` -> the three techniques' postures and length changes."""
    from relieve import plan
    from relieve.vocabulary import MUSCLE_IDS, SIDES

    out = {}
    for m in MUSCLE_IDS:
        for s in SIDES:
            t = plan([(m, s)]).to_contract()["techniques"]
            out[f"{m}:{s}"] = {
                "ease_pct": t["muscle_shortening"]["length_change_pct"],
                "ease_posture": t["muscle_shortening"]["posture"],
                "repositioning_pct": t["repositioning"]["length_change_pct"],
                "repositioning_posture": t["repositioning"]["posture"],
                "stretch_pct": t["strain_counterstrain"]["length_change_pct"],
                "stretch_posture": t["strain_counterstrain"]["stretch_posture"],
            }
    return out


def _short(posture: dict) -> str:
    names = {"neck_flexion": "flex", "neck_side_bend": "bend", "neck_rotation": "rot", "head_nod": "nod",
             "thoracic_flexion": "thor", "scapula_elevation": "elev", "scapula_retraction": "retr",
             "scapula_upward_rotation": "uprot"}
    parts = []
    for k, v in sorted(posture.items()):
        base = k.removesuffix("_left").removesuffix("_right")
        side = "L" if k.endswith("_left") else "R" if k.endswith("_right") else ""
        parts.append(f"{names.get(base, base)}{side} {v:+.0f}")
    return " ".join(parts) or "-"


def main() -> dict:
    after = current_plans()
    if not BEFORE.exists():
        print(f"skipped: {BEFORE} is absent")
        return {}
    before = json.loads(BEFORE.read_text(encoding="utf-8"))
    rows = []
    for key, a in after.items():
        b = before[key]
        rows.append([
            key,
            f"{b['ease_pct']:+.1f} -> {a['ease_pct']:+.1f}",
            f"{b['repositioning_pct']:+.1f} -> {a['repositioning_pct']:+.1f}",
            f"{b['stretch_pct']:+.1f} -> {a['stretch_pct']:+.1f}",
        ])
    print(table(["muscle:side", "ease % before -> after", "repositioning %", "stretch %"], rows,
                title="Plans before (f7d56d1) and after issue 9: length change at each technique's posture"))
    print()
    prow = []
    for key, a in after.items():
        b = before[key]
        for label, field in (("ease", "ease_posture"), ("stretch", "stretch_posture")):
            prow.append([key, label, _short(b[field]), _short(a[field])])
    print(table(["muscle:side", "posture", "before (deg)", "after (deg)"], prow,
                title="Plan postures before and after (repositioning: the ease posture's shoulder-girdle part)"))
    extremes = {
        "before": (min(v["ease_pct"] for v in before.values()), max(v["stretch_pct"] for v in before.values())),
        "after": (min(v["ease_pct"] for v in after.values()), max(v["stretch_pct"] for v in after.values())),
    }
    print(f"\nFIGURE: deepest ease {extremes['before'][0]:+.1f} % -> {extremes['after'][0]:+.1f} %; "
          f"largest stretch {extremes['before'][1]:+.1f} % -> {extremes['after'][1]:+.1f} %")
    return extremes


if __name__ == "__main__":
    if "--record" in sys.argv:
        BEFORE.parent.mkdir(exist_ok=True)
        BEFORE.write_text(json.dumps(current_plans(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"wrote {BEFORE}")
    else:
        main()
