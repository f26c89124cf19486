"""The review gallery: every muscle's (and group's) card and every technique's pictures,
both sides, in one static HTML page (``make figures`` -> ``build/gallery/index.html``).

    python -m relieve.figures.gallery [OUT_DIR]

The page and its images are generated, never committed.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path


def build(out: Path, names=None, sides=("left", "right")) -> Path:
    """Write the gallery into ``out``; returns the page's path."""
    from ..techniques import plan
    from ..vocabulary import GROUPS, MUSCLE_IDS
    from . import muscle_card_figure, plan_figures

    if names is None:
        names = list(MUSCLE_IDS) + sorted(GROUPS)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    count = 0
    for name in names:
        for side in sides:
            stem = f"{name}_{side}"
            card = muscle_card_figure(name, side, fmt="svg")
            (out / f"{stem}_card.svg").write_bytes(card)
            count += 1
            cells = [f'<figure><a href="{stem}_card.svg"><img src="{stem}_card.svg" alt="{html.escape(name)} card"'
                     f' loading="lazy" width="420"></a><figcaption>card</figcaption></figure>']
            for picture in plan_figures(plan([(name, side)]), formats=("svg", "png_small")):
                svg, small = f"{stem}_{picture.name}.svg", f"{stem}_{picture.name}_small.png"
                (out / svg).write_bytes(picture.svg)
                (out / small).write_bytes(picture.png_small)
                count += 1
                cells.append(f'<figure><a href="{svg}"><img src="{small}" alt="{html.escape(picture.alt)}"'
                             f' title="{html.escape(picture.alt)}" loading="lazy" width="420"></a>'
                             f'<figcaption>{html.escape(picture.title)}</figcaption></figure>')
            rows.append(f'<section id="{stem}"><h2>{html.escape(name.replace("_", " "))}, {side}</h2>'
                        f'<div class="row">{"".join(cells)}</div></section>')
            print(f"{stem}: {len(cells)} pictures", file=sys.stderr)
    index = "".join(f'<a href="#{n}_{s}">{html.escape(n.replace("_", " "))} ({s})</a> ' for n in names for s in sides)
    page = (
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>relieve: every picture</title><style>"
        "body{font-family:sans-serif;margin:1em}.row{display:flex;flex-wrap:wrap;gap:8px}"
        "figure{margin:0;border:1px solid #ddd;padding:4px}figcaption{font-size:12px;max-width:420px}"
        "nav a{font-size:12px;margin-right:6px}</style></head><body>"
        f"<h1>relieve: every picture ({count})</h1><nav>{index}</nav>{''.join(rows)}</body></html>"
    )
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(build(Path(sys.argv[1] if len(sys.argv) > 1 else "build/gallery")))
