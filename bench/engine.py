"""Muscle-length engine: relieve (batched) against OpenSim 4.6 on the same postures.

OpenSim's time per posture is measured as the issue defines it: set the six neck
coordinates, assemble, realise the position stage, read every muscle length.
relieve's is the batched call ``muscle_lengths(q)`` on the same postures (and on a
larger batch, where per-call overhead no longer counts).
"""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np

from _common import bar, best_time, reference, table

NECK = ["pitch1", "roll1", "yaw1", "pitch2", "roll2", "yaw2"]


def _postures(model, n, seed=0):
    rng = np.random.default_rng(seed)
    q = np.tile(model.default_q(), (n, 1))
    for name in NECK:
        lo, hi = model.coordinate(name).range
        q[:, model.coordinate_names.index(name)] = rng.uniform(lo, hi, n)
    return q


def _opensim_seconds_per_posture(path, model, q) -> float | None:
    try:
        import opensim as osim
    except ImportError:
        return None
    osim.Logger.setLevelString("error")
    om = osim.Model(str(path))
    state = om.initSystem()
    coords = [om.getCoordinateSet().get(n) for n in NECK]
    cols = [model.coordinate_names.index(n) for n in NECK]
    muscles = om.getMuscles()
    count = muscles.getSize()
    start = time.perf_counter()
    for row in q:
        for c, j in zip(coords, cols):
            c.setValue(state, float(row[j]), False)
        om.assemble(state)
        om.realizePosition(state)
        for k in range(count):
            muscles.get(k).getLength(state)
    return (time.perf_counter() - start) / len(q)


def _peak_rss_million() -> tuple[float, float]:
    """Peak RSS (MiB) and seconds for N = 1,000,000 postures, in a fresh process."""
    code = (
        "import resource,time,sys,numpy as np\n"
        "from relieve.model import load_model\n"
        "m=load_model(sys.argv[1]); q=np.tile(m.default_q(),(1_000_000,1))\n"
        "q+=np.random.default_rng(0).uniform(-0.1,0.1,q.shape)\n"
        "t=time.perf_counter(); m.muscle_lengths(q); dt=time.perf_counter()-t\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, dt)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(reference("Mortensen2014_rigidTorso.osim"))],
                         capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> dict:
    from relieve.model import load_model
    from relieve.model._kernel import flops_per_posture

    path = reference("Mortensen2014_rigidTorso.osim")
    if path is None:
        print("engine benchmark skipped: ../shared/reference/opensim/Mortensen2014_rigidTorso.osim is absent")
        return {}
    model = load_model(path)
    q_small = _postures(model, 300, seed=1)
    q_large = _postures(model, 200_000, seed=2)
    model.muscle_lengths(q_small[:10])  # compile / warm up
    t_osim = _opensim_seconds_per_posture(path, model, q_small)
    t_small = best_time(lambda: model.muscle_lengths(q_small)) / len(q_small)
    t_large = best_time(lambda: model.muscle_lengths(q_large), repeat=3) / len(q_large)
    t_one = best_time(lambda: model.muscle_lengths(q_small[:1]), repeat=20)
    rss, t_million = _peak_rss_million()
    n_var = len(model._steps.rotations)
    flops = flops_per_posture(n_var, len(model._joint_plans), len(model._segments))
    rows = [
        ["OpenSim 4.6 (set, assemble, realise, read)", "300", f"{t_osim * 1e6:,.1f}" if t_osim else "n/a", "1x"],
        ["relieve, one call of 300 postures", "300", f"{t_small * 1e6:.2f}",
         f"{t_osim / t_small:,.0f}x" if t_osim else "n/a"],
        ["relieve, one call of 200,000 postures", "200000", f"{t_large * 1e6:.2f}",
         f"{t_osim / t_large:,.0f}x" if t_osim else "n/a"],
        ["relieve, a single posture (latency)", "1", f"{t_one * 1e6:.1f}", f"{t_osim / t_one:,.0f}x" if t_osim else "n/a"],
    ]
    print(table(["engine", "postures", "us/posture", "vs OpenSim"], rows,
                title="Muscle lengths, Mortensen neck model (72 muscles, 6 neck coordinates)"))
    print()
    print(f"arithmetic: {flops:,} floating-point operations per posture "
          f"({n_var} variable rotations, {len(model._joint_plans)} joints, {len(model._segments)} segments)")
    print(f"  -> {flops / t_large / 1e9:.1f} GFLOP/s achieved at 200,000 postures; "
          f"1 us/posture would be {flops / 1e-6 / 1e9:.1f} GFLOP/s, so we are at "
          f"{1e-6 / t_large:.0%} of that limit")
    print(f"N = 1,000,000 postures: {t_million:.2f} s, peak RSS {rss:,.0f} MiB (target < 1024 MiB)")
    if t_osim:
        ratio = t_osim / t_large
        print()
        print(bar("OpenSim  us/posture", t_osim * 1e6, t_osim * 1e6))
        print(bar("relieve  us/posture", t_large * 1e6, t_osim * 1e6))
        print(f"\nFIGURE: relieve is {ratio:,.0f}x faster than OpenSim (target >= 1000x, goal 2000x)")
    return {"ratio": t_osim / t_large if t_osim else None, "us_per_posture": t_large * 1e6, "peak_rss_mib": rss}


if __name__ == "__main__":
    main()
