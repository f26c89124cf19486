"""Technique planner: time per plan (warm) and the postures it computes for each muscle.

Targets (issue 4): one muscle-side under 50 ms warm, all 46 muscle-sides under 1 s
(best of three passes: this machine is shared, and a single pass measures its load).
"""

from __future__ import annotations

from _common import best_time, table


def _short(posture: dict) -> str:
    return ", ".join(f"{k.replace('scapula_', 'sc_').replace('_left', '_L').replace('_right', '_R')} {v:+.0f}" for k, v in posture.items()) or "-"


def main() -> dict:
    from relieve.vocabulary import MUSCLE_IDS, SIDES
    from relieve import plan as _plan

    def plan(targets):
        return _plan(targets).to_contract()

    plan([("levator_scapulae", "left")])  # load the model, compile the kernel
    one = best_time(lambda: plan([("levator_scapulae", "left")]), repeat=10)
    plans = {}

    def every_plan():
        plans.update({(m, s): plan([(m, s)]) for m in MUSCLE_IDS for s in SIDES})

    everything = best_time(every_plan, repeat=3)  # best of three passes, as the other figures
    pair = best_time(lambda: plan([("levator_scapulae", "left"), ("upper_trapezius", "left")]), repeat=5)
    rows = []
    for m in MUSCLE_IDS:
        t = plans[(m, "left")]["techniques"]
        rows.append([
            m,
            f"{t['muscle_shortening']['length_change_pct']:+.1f}",
            _short(t["muscle_shortening"]["posture"]),
            f"{t['repositioning']['length_change_pct']:+.1f}",
            f"{t['strain_counterstrain']['length_change_pct']:+.1f}",
            _short(t["strain_counterstrain"]["stretch_posture"]),
        ])
    print(table(["muscle (left)", "ease %", "position of ease (deg)", "repos %", "stretch %", "stretch posture (deg)"], rows,
                title="Plans computed from the model (left side; the right is the mirror image)"))
    print()
    print(table(["what", "time", "target"], [
        ["one muscle-side, warm", f"{one * 1000:.1f} ms", "< 50 ms"],
        ["all 46 muscle-sides", f"{everything:.2f} s", "< 1 s"],
        ["levator scapulae + upper trapezius together", f"{pair * 1000:.1f} ms", ""],
    ]))
    print(f"\nFIGURE: one plan in {one * 1000:.0f} ms; all 46 in {everything:.2f} s")
    return {"one_ms": one * 1000, "all_s": everything}


if __name__ == "__main__":
    main()
