"""Small shared pieces of the benchmarks: where the reference models are, table printing."""

from __future__ import annotations

import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "opensim"


def reference(name: str) -> Path | None:
    path = REFERENCE / name
    return path if path.exists() else None


def best_time(fn, repeat: int = 5) -> float:
    """The best of several wall-clock timings, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def table(headers: list[str], rows: list[list], title: str = "") -> str:
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join("-" * w for w in widths)
    out = [title] if title else []
    out.append("  ".join(h.ljust(w) for h, w in zip(headers, widths)))
    out.append(line)
    for r in cells:
        out.append("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths)))
    return "\n".join(out)


def bar(label: str, value: float, scale: float, width: int = 50) -> str:
    n = max(1, int(round(width * value / scale))) if scale > 0 else 0
    return f"{label:<28} {'#' * n} {value:,.0f}"


def _numeric(text: str) -> bool:
    try:
        float(text.replace(",", "").rstrip("x%"))
        return True
    except ValueError:
        return False
