"""`make bench` part: the assessment on textbook vignettes (tests/vignettes/identification.yaml).

For every vignette: triage first (must it refer, at what urgency, which red-flag
family), then for the self-care cases the identification: is the expected muscle
and side the top candidate (top-1), or among the first three (top-3)? The
expected answers come from the textbooks named in the file, not from the program.

Headline figures: top-1 and top-3 accuracy over the identification vignettes,
triage correct over all vignettes, and the time per assessment (warm).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import REPO, best_time, table  # noqa: E402

VIGNETTES = REPO / "tests" / "vignettes" / "identification.yaml"
URGENCY_RANK = {"emergency": 0, "urgent": 1, "soon": 2}
TARGET_MS_PER_ASSESSMENT = 50.0  # triage + identification, warm (was asserted by tests/test_identify.py)


@dataclass(frozen=True)
class Outcome:
    name: str
    expected: str
    got: str
    triage_ok: bool
    rank: int | None  # 1-based rank of the first expected muscle-side; None if absent or refer
    probability: float | None


def load_vignettes(path: Path = VIGNETTES) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def evaluate(vignette: dict) -> Outcome:
    """Run one vignette through the real assessment and compare with its expectation."""
    from relieve.assessment import assess

    exp = vignette["expect"]
    result = assess(vignette["findings"])
    fired = {r.family for r in result.triage.rules_fired if r.urgency is not None}
    if exp["status"] == "refer":
        ok = (result.status == "refer"
              and exp.get("family") in fired
              and ("urgency" not in exp or result.refer["urgency"] == exp["urgency"]))
        got = f"refer/{result.refer['urgency']}" if result.status == "refer" else "ok"
        expected = f"refer/{exp.get('urgency', 'any')} ({exp['family']})"
        return Outcome(vignette["name"], expected, got, ok and not result.candidates, None, None)
    rank = None
    for i, c in enumerate(result.candidates, start=1):
        if c.muscle in exp["muscles"] and c.side == exp["side"]:
            rank = i
            break
    top = result.candidates[0] if result.candidates else None
    got = f"{top.muscle} {top.side} ({top.probability:.2f})" if top else "(none)"
    expected = f"{_names(exp['muscles'])} {exp['side']}"
    return Outcome(vignette["name"], expected, got, result.status == "ok", rank,
                   top.probability if top else None)


def _names(muscles: list[str]) -> str:
    """The expected muscles, a contract group named as such (suboccipitals, scalenes...)."""
    from relieve.anatomy import GROUPS

    for group, members in GROUPS.items():
        if set(muscles) == set(members):
            return group
    return "/".join(muscles)


def run(path: Path = VIGNETTES) -> dict:
    """Every vignette's outcome and the headline figures."""
    vignettes = load_vignettes(path)
    outcomes = [evaluate(v) for v in vignettes]
    ident = [o for o, v in zip(outcomes, vignettes) if v["expect"]["status"] == "ok"]
    n = len(ident)
    return {
        "outcomes": outcomes,
        "identification_cases": n,
        "top1": sum(1 for o in ident if o.rank == 1) / n if n else 0.0,
        "top3": sum(1 for o in ident if o.rank is not None and o.rank <= 3) / n if n else 0.0,
        "triage_correct": sum(o.triage_ok for o in outcomes) / len(outcomes) if outcomes else 0.0,
        "cases": len(outcomes),
        "refer_cases": len(outcomes) - n,
    }


def main() -> dict:
    from relieve.assessment import assess, parse_findings

    figures = run()
    rows = []
    for o in figures["outcomes"]:
        rank = "-" if o.rank is None else str(o.rank)
        rows.append([o.name, o.expected, o.got, "yes" if o.triage_ok else "NO", rank])
    print(table(["vignette", "expected", "got (top)", "triage", "rank"], rows,
                title=f"Assessment vignettes ({VIGNETTES.relative_to(REPO)})"))
    print()
    findings = parse_findings(load_vignettes()[0]["findings"])
    assess(findings)
    seconds = best_time(lambda: assess(findings), repeat=20)
    print(f"identification vignettes: {figures['identification_cases']}, "
          f"red-flag vignettes: {figures['refer_cases']}")
    print(f"top-1 accuracy:  {figures['top1']:.0%}")
    print(f"top-3 accuracy:  {figures['top3']:.0%}")
    print(f"triage correct:  {figures['triage_correct']:.0%} ({figures['cases']} vignettes)")
    verdict = "met" if seconds * 1000 < TARGET_MS_PER_ASSESSMENT else "NOT met"
    print(f"time per assessment (warm): {seconds * 1000:.2f} ms "
          f"(target < {TARGET_MS_PER_ASSESSMENT:.0f} ms: {verdict})")
    figures["ms_per_assessment"] = seconds * 1000
    return figures


if __name__ == "__main__":
    main()
