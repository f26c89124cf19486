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


# Rotation about x, y or z mixes two columns: (first, second); about -x, -y or -z
# (codes 3-5) the same two, swapped - a turn by the opposite angle, with no products
# by an axis frame (the same numbers as turning that frame, which is all zeros and
# ones, but two 3x3 products fewer).
_MIX = np.array([[1, 2], [2, 0], [0, 1], [2, 1], [0, 2], [1, 0]], dtype=np.int64)


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
    seg_a, seg_la, seg_b, seg_lb, seg_muscle,  # straight segments
    wseg_a, wseg_la, wseg_b, wseg_lb, wseg_muscle, wseg_surface,  # segments that may wrap
    surf_body, surf_rot, surf_centre, surf_radii,  # wrap ellipsoids: body, frame in it, radii
    constant,
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
    best = np.full(out.shape[1], np.inf)  # per muscle: the smallest increase a wrap gives
    info = np.empty(12)
    saxes = np.empty((surf_body.shape[0], 3, 3))
    scen = np.empty((surf_body.shape[0], 3))
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
        if wseg_a.shape[0]:
            _wrap_increments(i, r, p, ground, wseg_a, wseg_la, wseg_b, wseg_lb, wseg_muscle, wseg_surface,
                             surf_body, surf_rot, surf_centre, surf_radii, best, info, saxes, scen, out)


@_compiled(cache=True, nogil=True)
def _wrap_increments(i, r, p, ground, wseg_a, wseg_la, wseg_b, wseg_lb, wseg_muscle, wseg_surface,
                     surf_body, surf_rot, surf_centre, surf_radii, best, info, saxes, scen, out):
    """Add to ``out[i]`` what wrapping over an ellipsoid adds to each wrapping muscle.

    As OpenSim's GeometryPath does with one wrap object: every segment of the path is
    tried, and the one whose wrap lengthens the path least wraps (a segment that does
    not cross the ellipsoid adds nothing, so then the path stays straight)."""
    for s in range(surf_body.shape[0]):  # each ellipsoid's axes A = R_e R_s and centre, in the ground
        e = surf_body[s] if surf_body[s] >= 0 else ground
        for k in range(3):
            for col in range(3):  # divided by the radius: coordinates on the unit sphere
                saxes[s, k, col] = (
                    r[e, k, 0] * surf_rot[s, 0, col] + r[e, k, 1] * surf_rot[s, 1, col] + r[e, k, 2] * surf_rot[s, 2, col]
                ) / surf_radii[s, col]
            scen[s, k] = r[e, k, 0] * surf_centre[s, 0] + r[e, k, 1] * surf_centre[s, 1] + r[e, k, 2] * surf_centre[s, 2] + p[e, k]
    for g in range(wseg_a.shape[0]):
        a_ = wseg_a[g] if wseg_a[g] >= 0 else ground
        b_ = wseg_b[g] if wseg_b[g] >= 0 else ground
        s = wseg_surface[g]
        # both ends in the ground, then in the ellipsoid's frame: x_e = A^T (x - centre)
        pax = r[a_, 0, 0] * wseg_la[g, 0] + r[a_, 0, 1] * wseg_la[g, 1] + r[a_, 0, 2] * wseg_la[g, 2] + p[a_, 0] - scen[s, 0]
        pay = r[a_, 1, 0] * wseg_la[g, 0] + r[a_, 1, 1] * wseg_la[g, 1] + r[a_, 1, 2] * wseg_la[g, 2] + p[a_, 1] - scen[s, 1]
        paz = r[a_, 2, 0] * wseg_la[g, 0] + r[a_, 2, 1] * wseg_la[g, 1] + r[a_, 2, 2] * wseg_la[g, 2] + p[a_, 2] - scen[s, 2]
        pbx = r[b_, 0, 0] * wseg_lb[g, 0] + r[b_, 0, 1] * wseg_lb[g, 1] + r[b_, 0, 2] * wseg_lb[g, 2] + p[b_, 0] - scen[s, 0]
        pby = r[b_, 1, 0] * wseg_lb[g, 0] + r[b_, 1, 1] * wseg_lb[g, 1] + r[b_, 1, 2] * wseg_lb[g, 2] + p[b_, 1] - scen[s, 1]
        pbz = r[b_, 2, 0] * wseg_lb[g, 0] + r[b_, 2, 1] * wseg_lb[g, 1] + r[b_, 2, 2] * wseg_lb[g, 2] + p[b_, 2] - scen[s, 2]
        u1x = saxes[s, 0, 0] * pax + saxes[s, 1, 0] * pay + saxes[s, 2, 0] * paz
        u1y = saxes[s, 0, 1] * pax + saxes[s, 1, 1] * pay + saxes[s, 2, 1] * paz
        u1z = saxes[s, 0, 2] * pax + saxes[s, 1, 2] * pay + saxes[s, 2, 2] * paz
        u2x = saxes[s, 0, 0] * pbx + saxes[s, 1, 0] * pby + saxes[s, 2, 0] * pbz
        u2y = saxes[s, 0, 1] * pbx + saxes[s, 1, 1] * pby + saxes[s, 2, 1] * pbz
        u2z = saxes[s, 0, 2] * pbx + saxes[s, 1, 2] * pby + saxes[s, 2, 2] * pbz
        # The cheap part of _wrap_ellipsoid's test, on the unit sphere: does the line
        # through the ends meet the sphere at all? (Most segments stop here.)
        dx = u2x - u1x
        dy = u2y - u1y
        dz = u2z - u1z
        n1 = u1x * u1x + u1y * u1y + u1z * u1z - 1.0
        qa = dx * dx + dy * dy + dz * dz
        qb = u1x * dx + u1y * dy + u1z * dz
        if qb * qb - qa * n1 <= 0.0 or qb >= 0.0:  # misses, or moves away from the centre from its start
            continue
        ra = surf_radii[s, 0]
        rb = surf_radii[s, 1]
        rc = surf_radii[s, 2]
        x1 = u1x * ra
        y1 = u1y * rb
        z1 = u1z * rc
        x2 = u2x * ra
        y2 = u2y * rb
        z2 = u2z * rc
        wrapped = _wrap_ellipsoid(x1, y1, z1, x2, y2, z2, ra, rb, rc, info)
        if wrapped >= 0.0:
            straight = np.sqrt((x2 - x1) ** 2 + (y2 - y1) ** 2 + (z2 - z1) ** 2)
            m = wseg_muscle[g]
            if wrapped - straight < best[m]:
                best[m] = wrapped - straight
    for g in range(wseg_a.shape[0]):
        m = wseg_muscle[g]
        if best[m] < np.inf:
            out[i, m] += best[m]
            best[m] = np.inf


# Gauss-Legendre nodes and weights on [-1, 1], six points (exact for degree 11).
_GL_X = np.array([-0.9324695142031521, -0.6612093864662645, -0.2386191860831969,
                  0.2386191860831969, 0.6612093864662645, 0.9324695142031521])
_GL_W = np.array([0.1713244923791704, 0.3607615730481386, 0.4679139345726910,
                  0.4679139345726910, 0.3607615730481386, 0.1713244923791704])


@_compiled(cache=True, nogil=True)
def _wrap_ellipsoid(x1, y1, z1, x2, y2, z2, a, b, c, info):
    """Length of the path from P1 to P2 wrapped over the ellipsoid (x/a)^2 + (y/b)^2 +
    (z/c)^2 = 1 (points in its frame), or -1.0 when the straight segment does not wrap.

    OpenSim's WrapEllipsoid, unconstrained, method "midpoint": no wrap if an end lies
    inside the ellipsoid or the segment does not pass through it; otherwise the path
    lies in the plane through P1, P2 and C1, the point of the surface nearest to the
    middle of the chord the segment cuts, and runs P1 - tangent point - arc of the
    plane's ellipse on C1's side - tangent point - P2.

    Tangency and sides are affine notions, so they are found on the unit sphere
    (u = x / radii), where the plane cuts a circle and tangents have closed forms; only
    the arc length is measured back in the ellipsoid's space, by Gauss-Legendre
    quadrature (OpenSim sums chords of about 1 mm; the two agree to micrometres).

    ``info`` (12 floats) receives the circle on the unit sphere - centre (0:3), the
    unit vectors e1 (3:6, toward C1) and e2 (6:9), radius (9) - and the angles of the
    two tangent points (10, 11), so that callers can draw the path.
    """
    u1x = x1 / a
    u1y = y1 / b
    u1z = z1 / c
    u2x = x2 / a
    u2y = y2 / b
    u2z = z2 / c
    n1 = u1x * u1x + u1y * u1y + u1z * u1z - 1.0
    n2 = u2x * u2x + u2y * u2y + u2z * u2z - 1.0
    if n1 < -1e-4 or n2 < -1e-4:  # an end inside: OpenSim does not wrap
        return -1.0
    dx = u2x - u1x
    dy = u2y - u1y
    dz = u2z - u1z
    qa = dx * dx + dy * dy + dz * dz
    qb = 2.0 * (u1x * dx + u1y * dy + u1z * dz)
    disc = qb * qb - 4.0 * qa * n1
    if qa <= 0.0 or disc <= 0.0:
        return -1.0
    root = np.sqrt(disc)
    l1 = (-qb - root) / (2.0 * qa)
    l2 = (-qb + root) / (2.0 * qa)
    if not (0.0 < l1 < 1.0 and 0.0 < l2 < 1.0):
        return -1.0
    # C1: the surface point nearest to the chord's middle S (in the ellipsoid's space).
    lm = 0.5 * (l1 + l2)
    sx = a * (u1x + lm * dx)
    sy = b * (u1y + lm * dy)
    sz = c * (u1z + lm * dz)
    a2 = a * a
    b2 = b * b
    c2 = c * c
    # F(t) = sum (r_i s_i / (t + r_i^2))^2 - 1 falls and is convex for t > -min r^2; its
    # root there gives the nearest point r_i^2 s_i / (t + r_i^2). Newton from the left
    # of the root (where F >= 0) approaches it from one side.
    if a <= b and a <= c:
        t = -a2 + a * max(abs(sx), 1e-12 * a)
    elif b <= c:
        t = -b2 + b * max(abs(sy), 1e-12 * b)
    else:
        t = -c2 + c * max(abs(sz), 1e-12 * c)
    for _ in range(100):
        fa = a * sx / (t + a2)
        fb = b * sy / (t + b2)
        fc = c * sz / (t + c2)
        f = fa * fa + fb * fb + fc * fc - 1.0
        fp = -2.0 * (fa * fa / (t + a2) + fb * fb / (t + b2) + fc * fc / (t + c2))
        step = f / fp
        t -= step
        if abs(step) <= 1e-15 * (a2 + b2 + c2):
            break
    wx = sx / (t + a2) * a  # C1 / radii: on the unit sphere
    wy = sy / (t + b2) * b
    wz = sz / (t + c2) * c
    # The plane through u1, u2 and w cuts the unit sphere in a circle.
    vx = wx - u1x
    vy = wy - u1y
    vz = wz - u1z
    nx = dy * vz - dz * vy
    ny = dz * vx - dx * vz
    nz = dx * vy - dy * vx
    nn = np.sqrt(nx * nx + ny * ny + nz * nz)
    if nn <= 1e-14:
        return -1.0
    nx /= nn
    ny /= nn
    nz /= nn
    h = nx * wx + ny * wy + nz * wz
    rho = np.sqrt(max(1.0 - h * h, 0.0))
    if rho <= 1e-12:
        return -1.0
    cx = h * nx
    cy = h * ny
    cz = h * nz
    e1x = (wx - cx) / rho
    e1y = (wy - cy) / rho
    e1z = (wz - cz) / rho
    e2x = ny * e1z - nz * e1y
    e2y = nz * e1x - nx * e1z
    e2z = nx * e1y - ny * e1x
    # Both ends in the circle's plane, the circle made the unit circle, C1 at angle 0.
    q1x = ((u1x - cx) * e1x + (u1y - cy) * e1y + (u1z - cz) * e1z) / rho
    q1y = ((u1x - cx) * e2x + (u1y - cy) * e2y + (u1z - cz) * e2z) / rho
    q2x = ((u2x - cx) * e1x + (u2y - cy) * e1y + (u2z - cz) * e1z) / rho
    q2y = ((u2x - cx) * e2x + (u2y - cy) * e2y + (u2z - cz) * e2z) / rho
    lx = q2x - q1x
    ly = q2y - q1y
    side = lx * (0.0 - q1y) - ly * (1.0 - q1x)  # C1's side of the line P1P2
    t1x, t1y = _tangent_point(q1x, q1y, q1x, q1y, lx, ly, side)
    t2x, t2y = _tangent_point(q2x, q2y, q1x, q1y, lx, ly, side)
    th1 = np.arctan2(t1y, t1x)
    th2 = np.arctan2(t2y, t2x)
    lo = min(th1, th2)
    hi = max(th1, th2)
    # arc length in the ellipsoid's space: x(th) = D (c + rho (cos th e1 + sin th e2))
    ax_ = rho * a * e1x
    ay_ = rho * b * e1y
    az_ = rho * c * e1z
    bx_ = rho * a * e2x
    by_ = rho * b * e2y
    bz_ = rho * c * e2z
    panels = 1 + int((hi - lo) / 0.8)
    width = (hi - lo) / panels
    arc = 0.0
    for k in range(panels):
        mid = lo + (k + 0.5) * width
        for j in range(6):
            th = mid + 0.5 * width * _GL_X[j]
            sn = np.sin(th)
            cs = np.cos(th)
            tx = -sn * ax_ + cs * bx_
            ty = -sn * ay_ + cs * by_
            tz = -sn * az_ + cs * bz_
            arc += 0.5 * width * _GL_W[j] * np.sqrt(tx * tx + ty * ty + tz * tz)
    # the tangent points, and the two straight pieces
    r1x = a * (cx + rho * (t1x * e1x + t1y * e2x))
    r1y = b * (cy + rho * (t1x * e1y + t1y * e2y))
    r1z = c * (cz + rho * (t1x * e1z + t1y * e2z))
    r2x = a * (cx + rho * (t2x * e1x + t2y * e2x))
    r2y = b * (cy + rho * (t2x * e1y + t2y * e2y))
    r2z = c * (cz + rho * (t2x * e1z + t2y * e2z))
    info[0] = cx
    info[1] = cy
    info[2] = cz
    info[3] = e1x
    info[4] = e1y
    info[5] = e1z
    info[6] = e2x
    info[7] = e2y
    info[8] = e2z
    info[9] = rho
    info[10] = th1
    info[11] = th2
    return (
        np.sqrt((r1x - x1) ** 2 + (r1y - y1) ** 2 + (r1z - z1) ** 2)
        + arc
        + np.sqrt((x2 - r2x) ** 2 + (y2 - r2y) ** 2 + (z2 - r2z) ** 2)
    )


@_compiled(cache=True, nogil=True, inline="always")
def _tangent_point(qx, qy, ox, oy, lx, ly, side):
    """Where a tangent from (qx, qy) touches the unit circle: of the two points
    (q +- sqrt(|q|^2 - 1) q_perp) / |q|^2, the one on the side ``side`` (sign) of the line
    through (ox, oy) along (lx, ly)."""
    d2 = qx * qx + qy * qy
    k = np.sqrt(max(d2 - 1.0, 0.0))
    ax = (qx - k * qy) / d2
    ay = (qy + k * qx) / d2
    bx = (qx + k * qy) / d2
    by = (qy - k * qx) / d2
    sa = (lx * (ay - oy) - ly * (ax - ox)) * side
    sb = (lx * (by - oy) - ly * (bx - ox)) * side
    if sa >= sb:
        return ax, ay
    return bx, by


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

_KERNELS = ("_matmul", "_copy", "_chain", "_tangent_point", "_wrap_ellipsoid", "_wrap_increments", "_poses_kernel",
            "_lengths_kernel")


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
