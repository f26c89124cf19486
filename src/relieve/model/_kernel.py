"""The compiled inner loops of the engine: the joint chain, and straight segments.

``_chain`` is the one implementation of the joint chain; ``_lengths_kernel`` (muscle
lengths) and ``_poses_kernel`` (body poses, for figures, landmarks and paths with
conditional or moving points) both call it.

Everything that depends on a model's functions (splines, couplers, clamps) is
evaluated by NumPy beforehand, column by column, so this kernel only does geometry:
per posture it walks the joint tree once, composing 3x3 rotations, then sums the
straight segments of every muscle. It holds no state; the arrays it reads are built
once per model by ``Model._kernel_plan``.

The functions below are written once, in the subset of Python that numba compiles,
and reach the machine in one of two ways (``lengths`` and ``poses`` pick one the
first time they are called, see ``implementation``):

* **compiled module** (the usual case): the same functions compiled ahead of time by
  numba into a small extension module, kept on disk (``_aot.py``). Loading it,
  digest check included, takes about 1.5 ms and does not import numba; importing
  numba and loading its cache of the JIT take about 0.35-0.45 s (measured on the
  project's 2-core machine, against about 0.13 s for ``import numpy``), which a short
  command (``relieve plan``) cannot afford. It is built once, the first time it is
  needed, and again only when this file changes.
* **numba JIT** (``@njit(cache=True)``): used while the compiled module is being
  built by another process, when it cannot be built (no C compiler), or when the
  environment variable ``RELIEVE_KERNEL=jit`` asks for it.

Both release the GIL, so ``Model`` can run chunks of a large batch on two threads.

Arithmetic per posture for a model with J moving joints and S segments is about
J * 160 + S * 40 floating-point operations (see ``flops_per_posture``).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np

# The numba options of each function below, applied when the JIT is first needed.
_NJIT_OPTIONS: dict[str, dict] = {}


def _compiled(**options):
    """Mark a function for numba (``njit(**options)``) without importing numba now."""

    def mark(fn):
        _NJIT_OPTIONS[fn.__name__] = options
        return fn

    return mark


# Rotation about x, y or z mixes two columns: (first, second).
_MIX = np.array([[1, 2], [2, 0], [0, 1]], dtype=np.int64)


@_compiled(cache=True, nogil=True, inline="always")
def _chain(
    i, cos_a, sin_a, amounts,
    parent, before, after, after_p, frame_rot, frame_origin, const_t,
    rot_start, rot_kind, rot_code, rot_qin, rot_qout, rot_has_q, rot_const,
    tr_start, tr_axis, free_root,
    r, p, m, tmp, rl, pl,
):
    """Every body's pose in the ground for posture ``i``, written into ``r`` (B+1, 3, 3)
    and ``p`` (B+1, 3); the last slot is the ground (identity). ``m``, ``tmp``, ``rl``
    and ``pl`` are scratch space."""
    n_joints = parent.shape[0]
    ground = n_joints
    for j in range(n_joints):
        child = j
        if child == free_root:
            for a in range(3):
                for b in range(3):
                    r[child, a, b] = 1.0 if a == b else 0.0
                p[child, a] = 0.0
            continue
        _copy(before[j], m)
        for s in range(rot_start[j], rot_start[j + 1]):
            if rot_kind[s] == 1:  # constant rotation
                _matmul(m, rot_const[s], tmp)
                _copy(tmp, m)
                continue
            if rot_has_q[s]:
                _matmul(m, rot_qin[s], tmp)
                _copy(tmp, m)
            f = _MIX[rot_code[s], 0]
            g = _MIX[rot_code[s], 1]
            c = cos_a[i, s]
            sn = sin_a[i, s]
            for a in range(3):
                x = m[a, f]
                y = m[a, g]
                m[a, f] = c * x + sn * y
                m[a, g] = c * y - sn * x
            if rot_has_q[s]:
                _matmul(m, rot_qout[s], tmp)
                _copy(tmp, m)
        # translation of the joint, along parent-frame axes
        tx = const_t[j, 0]
        ty = const_t[j, 1]
        tz = const_t[j, 2]
        for t in range(tr_start[j], tr_start[j + 1]):
            v = amounts[i, t]
            tx += v * tr_axis[t, 0]
            ty += v * tr_axis[t, 1]
            tz += v * tr_axis[t, 2]
        for a in range(3):
            pl[a] = (
                frame_origin[j, a]
                + frame_rot[j, a, 0] * tx + frame_rot[j, a, 1] * ty + frame_rot[j, a, 2] * tz
                + m[a, 0] * after_p[j, 0] + m[a, 1] * after_p[j, 1] + m[a, 2] * after_p[j, 2]
            )
        _matmul(m, after[j], rl)
        par = parent[j] if parent[j] >= 0 else ground
        for a in range(3):
            for b in range(3):
                r[child, a, b] = r[par, a, 0] * rl[0, b] + r[par, a, 1] * rl[1, b] + r[par, a, 2] * rl[2, b]
            p[child, a] = p[par, a] + r[par, a, 0] * pl[0] + r[par, a, 1] * pl[1] + r[par, a, 2] * pl[2]


@_compiled(cache=True, nogil=True)
def _poses_kernel(
    cos_a, sin_a, amounts,
    parent, before, after, after_p, frame_rot, frame_origin, const_t,
    rot_start, rot_kind, rot_code, rot_qin, rot_qout, rot_has_q, rot_const,
    tr_start, tr_axis, free_root,
    out_r, out_p,  # (N, B+1, 3, 3) and (N, B+1, 3), written
):
    m = np.empty((3, 3))
    tmp = np.empty((3, 3))
    rl = np.empty((3, 3))
    pl = np.empty(3)
    ground = parent.shape[0]
    for i in range(cos_a.shape[0]):
        r = out_r[i]
        p = out_p[i]
        for a in range(3):
            for b in range(3):
                r[ground, a, b] = 1.0 if a == b else 0.0
            p[ground, a] = 0.0
        _chain(i, cos_a, sin_a, amounts, parent, before, after, after_p, frame_rot, frame_origin, const_t,
               rot_start, rot_kind, rot_code, rot_qin, rot_qout, rot_has_q, rot_const, tr_start, tr_axis,
               free_root, r, p, m, tmp, rl, pl)


@_compiled(cache=True, nogil=True)
def _lengths_kernel(
    cos_a, sin_a, amounts,  # (N, S) cosines and sines of every variable rotation; (N, T) translations
    parent, before, after, after_p, frame_rot, frame_origin, const_t,  # per joint, in tree order
    rot_start, rot_kind, rot_code, rot_qin, rot_qout, rot_has_q, rot_const,  # rotation steps
    tr_start, tr_axis,  # translation steps
    free_root,  # body index whose pose is fixed at identity, or -1
    seg_a, seg_la, seg_b, seg_lb, seg_muscle, constant,  # straight segments
    out,  # (N, M) lengths, written
):
    n_bodies = parent.shape[0] + 1  # the last slot is the ground
    r = np.zeros((n_bodies, 3, 3))
    p = np.zeros((n_bodies, 3))
    m = np.empty((3, 3))
    tmp = np.empty((3, 3))
    rl = np.empty((3, 3))
    pl = np.empty(3)
    ground = n_bodies - 1
    for k in range(3):
        r[ground, k, k] = 1.0
    for i in range(cos_a.shape[0]):
        _chain(i, cos_a, sin_a, amounts, parent, before, after, after_p, frame_rot, frame_origin, const_t,
               rot_start, rot_kind, rot_code, rot_qin, rot_qout, rot_has_q, rot_const, tr_start, tr_axis,
               free_root, r, p, m, tmp, rl, pl)
        for mm in range(out.shape[1]):
            out[i, mm] = constant[mm]
        for g in range(seg_a.shape[0]):
            a_ = seg_a[g] if seg_a[g] >= 0 else ground
            b_ = seg_b[g] if seg_b[g] >= 0 else ground
            total = 0.0
            for k in range(3):
                d = (
                    r[b_, k, 0] * seg_lb[g, 0] + r[b_, k, 1] * seg_lb[g, 1] + r[b_, k, 2] * seg_lb[g, 2] + p[b_, k]
                    - r[a_, k, 0] * seg_la[g, 0] - r[a_, k, 1] * seg_la[g, 1] - r[a_, k, 2] * seg_la[g, 2] - p[a_, k]
                )
                total += d * d
            out[i, seg_muscle[g]] += np.sqrt(total)


@_compiled(cache=True, nogil=True, inline="always")
def _matmul(a, b, out):
    for i in range(3):
        for j in range(3):
            out[i, j] = a[i, 0] * b[0, j] + a[i, 1] * b[1, j] + a[i, 2] * b[2, j]


@_compiled(cache=True, nogil=True, inline="always")
def _copy(src, dst):
    """``dst[:, :] = src`` for 3x3 matrices, written out (numba compiles a slice
    assignment into a general strided copy that takes seconds to compile)."""
    for i in range(3):
        for j in range(3):
            dst[i, j] = src[i, j]


# --------------------------------------------------------------------------- dispatch

_KERNELS = ("_matmul", "_copy", "_chain", "_poses_kernel", "_lengths_kernel")


@dataclass(frozen=True)
class Implementation:
    """The machine code behind ``lengths`` and ``poses``.

    ``kind`` is ``"compiled"`` (the module built ahead of time) or ``"jit"``; ``note``
    says why the JIT is used, when it is.
    """

    kind: str
    lengths: Callable
    poses: Callable
    note: str = ""


_chosen: Implementation | None = None
_choose_lock = threading.Lock()
_jit_lock = threading.Lock()


def lengths(*args) -> None:
    """``_lengths_kernel`` through the implementation in use."""
    implementation().lengths(*args)


def poses(*args) -> None:
    """``_poses_kernel`` through the implementation in use."""
    implementation().poses(*args)


def implementation() -> Implementation:
    """The implementation this process uses, chosen (and if need be built) once."""
    global _chosen
    if _chosen is None:
        with _choose_lock:
            if _chosen is None:
                _chosen = _choose()
    return _chosen


def _choose() -> Implementation:
    if os.environ.get("RELIEVE_KERNEL", "").strip().lower() == "jit":
        return jit_implementation("RELIEVE_KERNEL=jit")
    from . import _aot

    module, note = _aot.load_or_build()
    if module is not None:
        return Implementation("compiled", module.lengths, module.poses)
    return jit_implementation(note)


def jit_implementation(note: str = "") -> Implementation:
    """The kernels compiled by numba's JIT (this imports numba).

    The functions of this module are replaced by their numba dispatchers, so that the
    kernels call the compiled ``_chain`` and ``_matmul``; ``.py_func`` of each is
    the plain function.
    """
    space = globals()
    with _jit_lock:
        if not hasattr(space["_lengths_kernel"], "py_func"):
            from numba import njit

            for name in _KERNELS:
                space[name] = njit(**_NJIT_OPTIONS[name])(space[name])
    return Implementation("jit", space["_lengths_kernel"], space["_poses_kernel"], note)


def flops_per_posture(n_var_rotations: int, n_joints: int, n_segments: int) -> int:
    """Floating-point operations the kernel needs per posture (for the benchmark).

    Per variable rotation 12 (column mix); per joint 45 (local rotation) + 45
    (composition with the parent) + 33 (origin); per segment 2 x 18 (both ends in
    the ground) + 8 (difference, square, sum, root) + 1 (accumulate).
    """
    return 12 * n_var_rotations + 123 * n_joints + 45 * n_segments
