"""Start-up: a whole `relieve` command, as a process, against `python -c "import numpy"`.

The commands run side by side, interleaved (numpy, plan, assess, numpy, plan, ...),
N times each, so that the load of this shared machine weighs on all of them alike;
the table gives the median and the ratio of medians to numpy's, and the same for the
CPU time of each process (user + system), which a busy machine disturbs less. The
cache directory (``RELIEVE_CACHE_DIR``: the built model and the parsed data files) is
a temporary one, warmed by one run before timing; the cold-cache rows (directory
emptied before each of 3 runs, so the model is built and every data file parsed
again) are for information. The package is byte-compiled first, as ``make bench``
does (an editable install is not, and this machine sets PYTHONDONTWRITEBYTECODE).
The compiled kernel lives beside numba's cache in the package, not in the cache
directory, so the cold rows do not rebuild it (that happens once per version of the
kernel: about 10 s of CPU).

Target (issue "One library for every front end"): plan and assess each at most 2.5x
numpy's time.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from _common import REPO, table

ROUNDS = 7
COLD_ROUNDS = 3
TARGET_RATIO = 2.5
VIGNETTES = REPO / "tests" / "vignettes" / "identification.yaml"


def _relieve() -> list[str]:
    script = Path(sys.executable).with_name("relieve")
    return [str(script)] if script.exists() else [sys.executable, "-m", "relieve"]


def _run(argv: list[str], env: dict) -> tuple[float, float]:
    """Wall-clock seconds and CPU seconds (user + system) of one whole process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> dict:
    relieve = _relieve()
    import compileall

    compileall.compile_dir(REPO / "src" / "relieve", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="relieve-bench-startup-"))
    try:
        findings = work / "findings.json"
        vignette = yaml.safe_load(VIGNETTES.read_text(encoding="utf-8"))[0]
        findings.write_text(json.dumps(vignette["findings"]), encoding="utf-8")
        cache = work / "cache"
        env = {**os.environ, "RELIEVE_CACHE_DIR": str(cache)}
        env.pop("RELIEVE_KERNEL", None)
        commands = {
            'python -c "import numpy"': [sys.executable, "-c", "import numpy"],
            "relieve plan --muscle levator_scapulae --side left --json": [
                *relieve, "plan", "--muscle", "levator_scapulae", "--side", "left", "--json"],
            f"relieve assess --json <{vignette['name']}>": [*relieve, "assess", "--json", str(findings)],
        }
        jit_env = {**env, "RELIEVE_KERNEL": "jit"}
        plan_argv = commands["relieve plan --muscle levator_scapulae --side left --json"]
        # Warm up: the cache directory, numba's cache for the JIT row, the OS file cache.
        for argv in commands.values():
            _run(argv, env)
        _run(plan_argv, jit_env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        cpu: dict[str, list[float]] = {name: [] for name in commands}
        jit_times: list[float] = []
        jit_cpu: list[float] = []
        for _ in range(ROUNDS):
            for name, argv in commands.items():
                wall, used = _run(argv, env)
                times[name].append(wall)
                cpu[name].append(used)
            wall, used = _run(plan_argv, jit_env)
            jit_times.append(wall)
            jit_cpu.append(used)
        # Cold: interleaved with numpy again, each relieve run after emptying the cache.
        cold_runs: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        for _ in range(COLD_ROUNDS):
            for name, argv in commands.items():
                if not name.startswith("python"):
                    shutil.rmtree(cache, ignore_errors=True)
                cold_runs[name].append(_run(argv, env))
        cold = {name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
                for name, runs in cold_runs.items()}
    finally:
        shutil.rmtree(work, ignore_errors=True)

    numpy_median = statistics.median(times['python -c "import numpy"'])
    numpy_cpu = statistics.median(cpu['python -c "import numpy"'])
    rows = []
    ratios = {}
    for name, samples in times.items():
        median = statistics.median(samples)
        ratio = median / numpy_median
        ratios[name] = ratio
        used = statistics.median(cpu[name])
        target = "1x (reference)" if name.startswith("python") else f"<= {TARGET_RATIO}x"
        verdict = "" if name.startswith("python") else ("met" if ratio <= TARGET_RATIO else "NOT met")
        rows.append([name, f"{median:.3f}", f"{min(samples):.3f}", f"{ratio:.2f}x", target, verdict,
                     f"{used:.3f}", f"{used / numpy_cpu:.2f}x"])
    jit_median = statistics.median(jit_times)
    jit_used = statistics.median(jit_cpu)
    rows.append(["  the same plan, RELIEVE_KERNEL=jit (numba imported)", f"{jit_median:.3f}", f"{min(jit_times):.3f}",
                 f"{jit_median / numpy_median:.2f}x", "(information)", "", f"{jit_used:.3f}", f"{jit_used / numpy_cpu:.2f}x"])
    cold_numpy, cold_numpy_cpu = cold.pop('python -c "import numpy"')
    for name, (seconds, used) in cold.items():
        rows.append([f"  {name.split(' --')[0]}, cold cache (model rebuilt; median of {COLD_ROUNDS})", f"{seconds:.3f}", "",
                     f"{seconds / cold_numpy:.2f}x", "(information)", "", f"{used:.3f}", f"{used / cold_numpy_cpu:.2f}x"])
    print(table(["command", "median s", "min s", "vs numpy", "target", "", "cpu s", "cpu vs numpy"], rows,
                title=f"Start-up, whole processes, {ROUNDS} interleaved runs each, warm cache "
                      "(wall clock; CPU time, less sensitive to a busy machine, for information)"))
    from relieve.model import _kernel

    impl = _kernel.implementation()
    print(f"\nkernel in this environment: {impl.kind}" + (f" ({impl.note})" if impl.note else ""))
    plan_ratio = ratios["relieve plan --muscle levator_scapulae --side left --json"]
    assess_ratio = [r for n, r in ratios.items() if n.startswith("relieve assess")][0]
    print(f"\nFIGURE: relieve plan {plan_ratio:.2f}x and relieve assess {assess_ratio:.2f}x the time of "
          f"`python -c \"import numpy\"` ({numpy_median * 1000:.0f} ms) (target <= {TARGET_RATIO}x each)")
    return {"plan_ratio": plan_ratio, "assess_ratio": assess_ratio, "numpy_s": numpy_median}


if __name__ == "__main__":
    main()
