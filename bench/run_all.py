"""`make bench`: every benchmark in turn. Each prints a table and its headline figure.

Each runs in a fresh Python process: the reference benchmarks load OpenSim, whose
libraries stay in a process once loaded, and a planner timed after them in the same
process took 1.39 s for the 46 plans where a clean one takes 0.85 s.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCHMARKS = ["engine", "own_model", "agreement", "reference_bounds", "planner", "plan_changes", "jones", "assessment", "questions", "startup", "store", "web"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        path = Path(__file__).resolve().parent / f"{name}.py"
        if not path.exists():
            continue
        print("=" * 78)
        print(f"bench/{name}.py")
        print("=" * 78, flush=True)
        if subprocess.run([sys.executable, str(path)], cwd=path.parent).returncode != 0:
            failed.append(name)
        print(flush=True)
    if failed:
        print(f"benchmarks that stopped with an error: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
