"""Pain over time as a small server-drawn SVG (no script, no library): one point per
session at its start and end pain, with the values written beside the points so the
chart does not rely on colour."""

from __future__ import annotations

from markupsafe import Markup, escape


def pain_chart(timeline: list[dict], width: int = 640, height: int = 220) -> Markup:
    rows = [t for t in timeline if t.get("pain_start") is not None or t.get("pain_end") is not None][-30:]
    left, right, top, bottom = 36, 12, 12, 34
    w, h = width - left - right, height - top - bottom
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title chart-desc">',
             '<title id="chart-title">Pain at the start and the end of each session</title>',
             f'<desc id="chart-desc">{len(rows)} sessions; the table below lists the same numbers.</desc>']
    for v in range(0, 11, 2):
        y = top + h - h * v / 10
        parts.append(f'<line class="grid" x1="{left}" x2="{left + w}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axis" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v}</text>')
    if not rows:
        parts.append(f'<text class="axis" x="{left + 10}" y="{top + h / 2}">No sessions yet.</text></svg>')
        return Markup("".join(parts))
    step = w / max(len(rows), 1)
    starts, ends = [], []
    for i, t in enumerate(rows):
        x = left + step * (i + 0.5)
        parts.append(f'<text class="axis" x="{x:.1f}" y="{height - 12}" text-anchor="middle">'
                     f'{escape(str(t["started_at"])[5:10])}</text>')
        for key, bucket, shape in (("pain_start", starts, "start"), ("pain_end", ends, "end")):
            v = t.get(key)
            if v is None:
                continue
            y = top + h - h * float(v) / 10
            bucket.append(f"{x:.1f},{y:.1f}")
            if shape == "start":
                parts.append(f'<circle class="p-start" cx="{x:.1f}" cy="{y:.1f}" r="5"/>')
            else:
                parts.append(f'<rect class="p-end" x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10"/>')
            parts.append(f'<text class="val" x="{x + 8:.1f}" y="{y + 4:.1f}">{escape(f"{float(v):g}")}</text>')
    if len(starts) > 1:
        parts.append(f'<polyline class="l-start" points="{" ".join(starts)}"/>')
    if len(ends) > 1:
        parts.append(f'<polyline class="l-end" points="{" ".join(ends)}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
