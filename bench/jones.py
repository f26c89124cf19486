"""Jones' positions against the model: for each of Jones' tender points in the catalogue
(techniques/data/jones.yaml) and each muscle it matches (left side), Jones' position
component by component beside the position of ease the model computes for that muscle,
and what each does to the muscle's length.

A component "agrees" when the model's position of ease moves the same variable the same
way; "-" in the model column means the model leaves that variable neutral. The last
columns are the muscle's length change (model) in Jones' position as published (before
the safety envelope) and in the model's own position of ease.
"""

from __future__ import annotations

from _common import table


def main() -> dict:
    from relieve.model import default_model
    from relieve.techniques import plan
    from relieve.techniques._jones import jones_catalogue
    from relieve.vocabulary import VARIABLES

    body = default_model()
    jones = jones_catalogue()
    rows, agree, total, shorter = [], 0, 0, 0
    for point in jones.points.values():
        published = point.posture("left", body)
        for muscle in point.muscles:
            ease = plan([(muscle, "left")]).techniques["muscle_shortening"]["posture"]
            jones_pct = body.length_change_pct(muscle, "left", published)
            ease_pct = body.length_change_pct(muscle, "left", ease)
            shorter += jones_pct < 0
            for variable, degrees in published.items():
                word, amount = point.component(variable, "left")
                model = ease.get(variable, 0.0)
                same = model != 0 and (model > 0) == (degrees > 0)
                agree += same
                total += 1
                rows.append([
                    point.code, muscle, VARIABLES[variable].base.replace("scapula_", "blade_"),
                    f"{word.replace('_', ' ')} ({amount}) {degrees:+.0f}",
                    f"{model:+.0f}" if model else "-",
                    "yes" if same else ("neutral" if model == 0 else "OPPOSITE"),
                    f"{jones_pct:+.1f}", f"{ease_pct:+.1f}",
                ])
    print(table(["point", "muscle (left)", "variable", "Jones (deg)", "model ease (deg)", "agrees", "length at Jones %", "length at model ease %"],
                rows, title="Jones' published positions against the model's position of ease, component by component"))
    pairs = sum(len(p.muscles) for p in jones.points.values())
    print(f"\nFIGURE: {agree} of {total} Jones components agree in direction with the model's position of ease; "
          f"Jones' position shortens the muscle (model) for {shorter} of {pairs} point-muscle pairs")
    return {"agree": agree, "components": total, "shortening_pairs": shorter, "pairs": pairs}


if __name__ == "__main__":
    main()
