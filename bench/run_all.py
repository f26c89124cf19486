"""`make bench`: every benchmark in turn. Each prints a table and its headline figure."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

BENCHMARKS = ["engine", "own_model", "agreement", "reference_bounds", "planner", "plan_changes", "jones", "assessment", "questions", "startup", "store", "web"]


def main() -> int:
    for name in BENCHMARKS:
        path = Path(__file__).resolve().parent / f"{name}.py"
        if not path.exists():
            continue
        print("=" * 78)
        print(f"bench/{name}.py")
        print("=" * 78)
        importlib.import_module(name).main()
        print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
