"""`make bench` part: the next right question (relieve.next_question) on the vignettes.

1. Movement questions. For every self-care vignette of tests/vignettes/identification.yaml,
   start from its findings without the test movements (pain map, tender spots, head
   posture and history known) and ask ``next_question`` until it returns None,
   answering each test from the vignette's own movements; a test the vignette did not
   record is answered "not done" (an empty entry: asked, no evidence). Compared with
   asking all 14 tests (the vignette as written): questions asked, top-1 and top-3
   accuracy, and whether the leading muscle is the same. "Settles after" continues the
   adaptive order to the end and counts the questions after which the leading muscle no
   longer changes. Variants: unrecorded tests answered "free" (in both arms); the tender
   spots and head posture asked only after the tests; and never asked at all.
2. Triage with and without qualifiers. Every red-flag vignette with its qualifiers
   unknown (must refer with the expected urgency), with the follow-up answers its
   description gives, and with every follow-up answered "no" (a stress test: which
   would stop being referred, and whether the description says otherwise); the
   qualifier vignettes (tests/vignettes/qualifiers.yaml) before and after the follow-up.
"""

from __future__ import annotations

import copy
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from _common import REPO, best_time, table  # noqa: E402

VIGNETTES = REPO / "tests" / "vignettes"
URGENCY_RANK = {"emergency": 0, "urgent": 1, "soon": 2, None: 3}
LATE_KEYS = ("tender_points", "resting_head_posture")
# What `relieve assess` asks after the tests (assessment/data/questions.yaml: pain map,
# resting head posture and tender spots come first, the tests last): nothing.
QUESTIONNAIRE_LATE = ()


def _load(name: str) -> list[dict]:
    return yaml.safe_load((VIGNETTES / name).read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- movements


@dataclass(frozen=True)
class Run:
    name: str
    recorded: int  # tests the vignette records
    asked: int  # tests asked until next_question returned None
    settles: int  # tests after which the leader no longer changes (adaptive order, to the end)
    rank_adaptive: int | None
    rank_all: int | None
    same_top: bool


def _rank(result, exp) -> int | None:
    for i, c in enumerate(result.candidates, start=1):
        if c.muscle in exp["muscles"] and c.side == exp["side"]:
            return i
    return None


def _top(result):
    c = result.candidates
    return (c[0].muscle, c[0].side) if c else None


def simulate(vignette: dict, unrecorded: dict, late=(), drop: bool = False) -> Run:
    """Ask next_question until None, answering from the vignette's movements.

    ``late``: the findings given only after the tests (``True``: the tender spots and
    head posture); ``drop``: those two are never given."""
    late = LATE_KEYS if late is True else tuple(late)
    from relieve.assessment import assess, parse_findings
    from relieve.assessment.adaptive import default_chooser, next_question
    from relieve.vocabulary import MOVEMENT_CODES

    doc = copy.deepcopy(vignette["findings"])
    answers = doc.pop("movements", None) or {}
    held = {k: doc.pop(k) for k in (LATE_KEYS if drop else late) if k in doc}
    if drop:
        held = {}
    doc["movements"] = {}

    def answer(code):
        return copy.deepcopy(answers.get(code, unrecorded))

    asked = 0
    while (q := next_question(doc)) is not None:
        if q.kind != "movement":
            raise AssertionError(f"{vignette['name']}: a self-care vignette was asked {q.code}")
        doc["movements"][q.code] = answer(q.code)
        asked += 1
    adaptive = assess({**doc, **held})

    # The adaptive order continued to the end (ignoring the stop), for "settles after".
    chooser = default_chooser()
    tops = []
    state = copy.deepcopy(doc)
    state["movements"] = {}
    tops.append(_top(assess({**state, **held})))
    while len(state["movements"]) < len(MOVEMENT_CODES):
        choices, _, _ = chooser.evaluate(parse_findings(state))
        best = max(choices, key=lambda c: (c.information, c.change_probability, -chooser.codes.index(c.code)))
        state["movements"][best.code] = answer(best.code)
        tops.append(_top(assess({**state, **held})))
    settles = next(n for n in range(len(tops)) if all(t == tops[-1] for t in tops[n:]))

    full = copy.deepcopy(vignette["findings"])
    if drop:
        for key in LATE_KEYS:
            full.pop(key, None)
    full["movements"] = {c: answer(c) for c in MOVEMENT_CODES}
    everything = assess(full)
    exp = vignette["expect"]
    return Run(vignette["name"], len(answers), asked, settles, _rank(adaptive, exp), _rank(everything, exp),
               _top(adaptive) == _top(everything))


def movement_figures(unrecorded: dict | None = None, late=(), drop: bool = False) -> dict:
    from relieve.vocabulary import MOVEMENT_CODES

    unrecorded = {} if unrecorded is None else unrecorded
    cases = [v for v in _load("identification.yaml") if v["expect"]["status"] == "ok"]
    runs = [simulate(v, unrecorded, late, drop) for v in cases]
    n = len(runs)
    asked = [r.asked for r in runs]
    return {
        "runs": runs,
        "cases": n,
        "all_tests": len(MOVEMENT_CODES),
        "asked_mean": sum(asked) / n,
        "asked_median": statistics.median(asked),
        "asked_max": max(asked),
        "asked_fraction": sum(asked) / (n * len(MOVEMENT_CODES)),
        "recorded_mean": sum(r.recorded for r in runs) / n,
        "settles_mean": sum(r.settles for r in runs) / n,
        "top1_adaptive": sum(r.rank_adaptive == 1 for r in runs) / n,
        "top3_adaptive": sum(r.rank_adaptive is not None and r.rank_adaptive <= 3 for r in runs) / n,
        "top1_all": sum(r.rank_all == 1 for r in runs) / n,
        "top3_all": sum(r.rank_all is not None and r.rank_all <= 3 for r in runs) / n,
        "same_top": sum(r.same_top for r in runs) / n,
    }


# --------------------------------------------------------------------------- triage


def _answer_all(findings: dict, answers: dict | None, default: bool | None) -> tuple[dict, int]:
    """Ask the gate's follow-ups one by one: from ``answers``, else ``default``
    (None: the person cannot say, and the questionnaire moves on)."""
    from relieve.assessment import parse_findings, triage

    doc = copy.deepcopy(findings)
    doc["qualifiers"] = dict(doc.get("qualifiers") or {})
    asked = 0
    while True:
        open_ = [q.code for q in triage(parse_findings(doc)).questions if q.code not in doc["qualifiers"]]
        if not open_:
            return doc, asked
        # null: asked, and the person cannot say (stays unknown, not asked again)
        doc["qualifiers"][open_[0]] = (answers or {}).get(open_[0], default)
        asked += 1


def triage_figures() -> dict:
    from relieve.assessment import parse_findings, triage

    refer_cases = [(name, v) for name in ("red_flags.yaml", "identification.yaml")
                   for v in _load(name) if v["expect"]["status"] == "refer"]
    benign = [v for v in _load("red_flags.yaml") if v["expect"]["status"] == "ok"]
    rows, by_family = [], {}
    unknown_ok = described_refer = stress_refer = 0
    for name, v in refer_cases:
        exp = v["expect"]
        unknown = triage(parse_findings(v["findings"]))
        ok = (unknown.status == "refer" and exp["family"] in unknown.families
              and ("urgency" not in exp or unknown.urgency == exp["urgency"]))
        unknown_ok += ok
        fam = by_family.setdefault(exp["family"], [0, 0])
        fam[0] += 1
        fam[1] += ok
        described_doc, _ = _answer_all(v["findings"], v.get("answers"), None)
        described = triage(parse_findings(described_doc))
        described_refer += described.status == "refer"
        stress_doc, _ = _answer_all(v["findings"], None, False)
        stress = triage(parse_findings(stress_doc))
        stress_refer += stress.status == "refer"
        rows.append((v["name"], exp.get("urgency", "any"), unknown.urgency if unknown.status == "refer" else "ok",
                     described.urgency if described.status == "refer" else "ok",
                     stress.urgency if stress.status == "refer" else "ok",
                     bool(v.get("answers")), ok))
    benign_pass = sum(triage(parse_findings(v["findings"])).status == "ok" for v in benign)

    qrows = []
    q_unknown_ok = q_answered_ok = avoided = escalated = 0
    asked_total = 0
    for v in _load("qualifiers.yaml"):
        unknown = triage(parse_findings(v["findings"]))
        doc, asked = _answer_all(v["findings"], v["answers"], None)
        answered = triage(parse_findings(doc))
        asked_total += asked

        def matches(result, exp):
            return (result.status == exp["status"] and result.urgency == exp["urgency"]
                    and (exp["family"] is None or exp["family"] in result.families))

        q_unknown_ok += matches(unknown, v["expect_unknown"])
        q_answered_ok += matches(answered, v["expect"])
        avoided += unknown.status == "refer" and answered.status == "ok"
        escalated += URGENCY_RANK[answered.urgency] < URGENCY_RANK[unknown.urgency]
        qrows.append((v["name"], unknown.urgency or "ok", answered.urgency or "ok", asked))
    nq = len(qrows)
    return {
        "rows": rows,
        "refer_cases": len(refer_cases),
        "unknown_correct": unknown_ok,
        "described_referred": described_refer,
        "stress_referred": stress_refer,
        "by_family": by_family,
        "benign_cases": len(benign),
        "benign_pass": benign_pass,
        "qualifier_rows": qrows,
        "qualifier_cases": nq,
        "qualifier_unknown_correct": q_unknown_ok,
        "qualifier_answered_correct": q_answered_ok,
        "referrals_avoided": avoided,
        "escalated": escalated,
        "qualifier_questions_mean": asked_total / nq if nq else 0.0,
    }


# --------------------------------------------------------------------------- report


def run() -> dict:
    return {
        "movements": movement_figures(),
        "movements_free": movement_figures(unrecorded={"pain": 0, "limited": False}),
        "movements_late": movement_figures(late=True),
        "movements_no_spots": movement_figures(drop=True),
        "triage": triage_figures(),
    }


def _rank_text(rank):
    return "-" if rank is None else str(rank)


def main() -> dict:
    from relieve.assessment.adaptive import next_question

    figures = run()
    m = figures["movements"]
    rows = [[r.name, r.recorded, r.asked, r.settles, _rank_text(r.rank_adaptive), _rank_text(r.rank_all),
             "yes" if r.same_top else "NO"] for r in m["runs"]]
    print(table(["vignette", "recorded", "asked", "settles after", "rank (asked)", "rank (all 14)", "same top"],
                rows, title="Movement questions: next_question until None vs all 14 tests (unrecorded = not done)"))
    print()
    print(f"self-care vignettes: {m['cases']}")
    for label, key in (("unrecorded tests 'not done' (main: the questionnaire's order)", "movements"),
                       ("unrecorded tests 'free'", "movements_free"),
                       ("tender spots and head posture asked after the tests", "movements_late"),
                       ("no tender spots or head posture at all (pain map and history only)",
                        "movements_no_spots")):
        f = figures[key]
        print(f"{label}:")
        print(f"  questions asked: mean {f['asked_mean']:.2f} of {f['all_tests']} "
              f"({f['asked_fraction']:.0%}), median {f['asked_median']:g}, max {f['asked_max']}; "
              f"leader settles after {f['settles_mean']:.2f} on average")
        print(f"  top-1 {f['top1_adaptive']:.0%} / top-3 {f['top3_adaptive']:.0%} asked adaptively, "
              f"top-1 {f['top1_all']:.0%} / top-3 {f['top3_all']:.0%} asking all; "
              f"same leading muscle: {f['same_top']:.0%}")
    print()

    t = figures["triage"]
    print(table(["red-flag vignette", "expected", "qualifiers unknown", "described answers", "all answered no",
                 "answers given", "ok"],
                [[r[0], r[1], r[2], r[3], r[4], "yes" if r[5] else "-", "yes" if r[6] else "NO"] for r in t["rows"]],
                title="Triage with and without qualifiers"))
    print()
    print(table(["qualifier vignette", "before the follow-up", "after", "questions asked"],
                [list(r) for r in t["qualifier_rows"]], title="Qualifier vignettes (tests/vignettes/qualifiers.yaml)"))
    print()
    fam = ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(t["by_family"].items()))
    print(f"red-flag vignettes referred with the expected urgency, qualifiers unknown: "
          f"{t['unknown_correct']}/{t['refer_cases']} ({fam})")
    print(f"  still referred with the answers their descriptions give: {t['described_referred']}/{t['refer_cases']}")
    dropped = [f"{r[0]} (its description answers {'yes' if r[5] else 'nothing'})"
               for r in t["rows"] if r[4] == "ok"]
    print(f"  still referred if every follow-up were answered no: {t['stress_referred']}/{t['refer_cases']}"
          + (f"; not: {', '.join(dropped)}" if dropped else ""))
    print(f"benign look-alikes passing: {t['benign_pass']}/{t['benign_cases']}")
    print(f"qualifier vignettes: before the follow-up {t['qualifier_unknown_correct']}/{t['qualifier_cases']}, "
          f"after {t['qualifier_answered_correct']}/{t['qualifier_cases']} as the guidance says; "
          f"referrals avoided {t['referrals_avoided']}, made more urgent {t['escalated']}; "
          f"{t['qualifier_questions_mean']:.1f} follow-up questions each")
    doc = {"age": 40, "pain_regions": [{"region": "neck_shoulder_junction", "side": "left"}]}
    next_question(doc)
    print(f"time per next_question (warm): {best_time(lambda: next_question(doc), repeat=20) * 1000:.2f} ms")
    return figures


if __name__ == "__main__":
    main()
