"""The musculoskeletal model: an immutable description and its vectorised kinematics.

A ``Model`` is built once from data (an OpenSim file or the project's own model
file) and never changes. Every computation takes a batch of postures ``q`` of shape
``(N, n_coordinates)`` and returns arrays; there is no Python loop over postures, and
large batches are processed in chunks so memory stays bounded.

Frames follow OpenSim: a joint places its *parent frame* (fixed in the parent body)
and its *child frame* (fixed in the child body); the joint's own transform ``X_FM``
turns the parent frame into the child frame. Rotations of a joint are applied in
order, each about its axis in the frame already rotated by the ones before it;
translations are along axes of the parent frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

import numpy as np

from .._parallel import map_on_cores
from ..errors import ModelError, UnknownNameError
from ._functions import Function
from . import _kernel

DEFAULT_CHUNK = 4096


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Coordinate:
    """A generalised coordinate (radians for rotational, metres for translational)."""

    name: str
    default: float = 0.0
    range: tuple[float, float] = (-np.pi, np.pi)
    motion: str = "rotational"  # "rotational" | "translational"
    locked: bool = False
    clamped: bool = False


@dataclass(frozen=True)
class Coupler:
    """``dependent = function(independent)``: OpenSim's CoordinateCouplerConstraint."""

    name: str
    dependent: str
    independent: str
    function: Function


@dataclass(frozen=True)
class Transform:
    """A rigid transform: ``x_parent = rotation @ x_child + translation``."""

    rotation: np.ndarray = field(default_factory=lambda: np.eye(3))
    translation: np.ndarray = field(default_factory=lambda: np.zeros(3))

    @staticmethod
    def from_xyz_body_fixed(angles: Iterable[float], translation: Iterable[float]) -> "Transform":
        """OpenSim's frame orientation: body-fixed x, then y, then z rotations."""
        ax, ay, az = (float(a) for a in angles)
        r = _axis_rotation(np.array([1.0, 0, 0]), ax) @ _axis_rotation(np.array([0, 1.0, 0]), ay)
        r = r @ _axis_rotation(np.array([0, 0, 1.0]), az)
        return Transform(r, np.asarray(list(translation), dtype=float))

    def compose(self, other: "Transform") -> "Transform":
        return Transform(self.rotation @ other.rotation, self.rotation @ other.translation + self.translation)

    def inverse(self) -> "Transform":
        rt = self.rotation.T
        return Transform(rt, -rt @ self.translation)


@dataclass(frozen=True)
class TransformAxis:
    """One axis of a joint: a rotation about, or a translation along, ``axis``.

    The amount is ``function(coordinate)``; with no coordinate it is the constant
    ``function(0)``.
    """

    kind: str  # "rotation" | "translation"
    axis: tuple[float, float, float]
    coordinate: str | None
    function: Function


@dataclass(frozen=True)
class Joint:
    name: str
    parent: str
    child: str
    parent_offset: Transform = field(default_factory=Transform)
    child_offset: Transform = field(default_factory=Transform)
    axes: tuple[TransformAxis, ...] = ()


@dataclass(frozen=True)
class PathPoint:
    """A point of a muscle path, fixed in a body.

    ``active_range`` makes it conditional (OpenSim's ConditionalPathPoint): the point
    is part of the path only while ``coordinate`` lies in the closed range.
    ``moving`` makes its location a function of coordinates (MovingPathPoint): one
    ``(coordinate, function)`` pair per axis x, y, z, replacing ``location``.
    """

    body: str
    location: tuple[float, float, float]
    name: str = ""
    coordinate: str | None = None
    active_range: tuple[float, float] | None = None
    moving: tuple[tuple[str | None, Function], ...] | None = None


@dataclass(frozen=True)
class Muscle:
    """A muscle-tendon path. ``wraps`` names the wrap objects it wraps over (OpenSim's
    PathWrapSet; one at most, over the whole path)."""

    name: str
    points: tuple[PathPoint, ...]
    wraps: tuple[str, ...] = ()


@dataclass(frozen=True)
class WrapEllipsoid:
    """OpenSim's WrapEllipsoid, unconstrained (quadrant "all"), method "midpoint": an
    ellipsoid fixed in ``body``, its frame placed by ``frame`` (``x_body = rotation @
    x_ellipsoid + translation``), with semi-axes ``radii`` along its frame's x, y, z.
    A segment that passes through it is replaced by the shortest path over it in the
    plane through the segment's ends and the surface point nearest the segment's
    middle (see ``_kernel._wrap_ellipsoid``)."""

    name: str
    body: str
    radii: tuple[float, float, float]
    frame: Transform = field(default_factory=Transform)


# --------------------------------------------------------------------------- rotations


def _skew(a: np.ndarray) -> np.ndarray:
    return np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])


def _axis_rotation(axis: np.ndarray, angle: float) -> np.ndarray:
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    k = _skew(a)
    return np.eye(3) + np.sin(angle) * k + (1.0 - np.cos(angle)) * (k @ k)


def _axis_plan(axis: np.ndarray):
    """How to turn a frame about ``axis``: a coordinate axis (code 0-2) or its opposite
    (code 3-5, ``_kernel._MIX``) directly, any other axis as ``Q R_z Q^T`` with ``Q``
    taking z onto it."""
    for code, unit in enumerate(np.eye(3)):
        if np.allclose(axis, unit, atol=1e-15):
            return code, None, None
        if np.allclose(axis, -unit, atol=1e-15):
            return code + 3, None, None
    helper = np.array([1.0, 0, 0]) if abs(axis[0]) < 0.9 else np.array([0, 1.0, 0])
    u = np.cross(helper, axis)
    u /= np.linalg.norm(u)
    v = np.cross(axis, u)
    q = np.column_stack([u, v, axis])
    return 2, q, q.T


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class _JointPlan:
    """A joint compiled for fast batched evaluation (see ``Model._plan_joint``)."""

    parent: int  # body index, -1 for the ground
    child: int
    frame_rotation: np.ndarray  # the joint's parent frame in the parent body
    frame_origin: np.ndarray
    before: np.ndarray  # frame rotation with leading constant rotations folded in
    after: np.ndarray  # trailing constant rotations, then the inverse child frame
    after_p: np.ndarray
    rotations: tuple  # ("var", axis code, Q, Q^T, coordinate column, function) | ("const", R)
    translations: tuple  # (axis in the parent frame, coordinate column, function)
    const_translation: np.ndarray


class Model:
    """An immutable musculoskeletal model with batched, vectorised kinematics."""

    def __init__(
        self,
        name: str,
        coordinates: Iterable[Coordinate],
        joints: Iterable[Joint],
        muscles: Iterable[Muscle],
        couplers: Iterable[Coupler] = (),
        ground: str = "ground",
        source: str = "",
        wrap_objects: Iterable[WrapEllipsoid] = (),
    ):
        self.name = name
        self.source = source
        self.ground = ground
        self.coordinates: tuple[Coordinate, ...] = tuple(coordinates)
        self.joints: tuple[Joint, ...] = tuple(joints)
        self.muscles: tuple[Muscle, ...] = tuple(muscles)
        self.couplers: tuple[Coupler, ...] = tuple(couplers)
        self.wrap_objects: tuple[WrapEllipsoid, ...] = tuple(wrap_objects)
        self._check_and_compile()

    # ----------------------------------------------------------------- public names

    @property
    def coordinate_names(self) -> tuple[str, ...]:
        """Independent coordinates, in the column order ``q`` uses."""
        return self._independent_names

    @property
    def all_coordinate_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.coordinates)

    @property
    def muscle_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.muscles)

    @property
    def body_names(self) -> tuple[str, ...]:
        """Bodies in tree order, the ground first."""
        return (self.ground,) + tuple(self._body_order)

    def coordinate(self, name: str) -> Coordinate:
        try:
            return self.coordinates[self._coord_index[name]]
        except KeyError:
            raise UnknownNameError(
                f"no coordinate {name!r}; known: {', '.join(self.coordinate_names)}", field="coordinate"
            ) from None

    def default_q(self) -> np.ndarray:
        """The default posture as one row ``(len(coordinate_names),)``."""
        return np.array([self.coordinates[i].default for i in self._independent], dtype=float)

    def q_from(self, values: Mapping[str, float] | None = None, n: int = 1) -> np.ndarray:
        """A ``(n, n_coordinates)`` batch at the default posture with some values set.

        Each value must be a finite number within its coordinate's range, and a locked
        coordinate can only be given its default: the computations hold clamped and
        locked coordinates, so anything else would report a posture other than the one
        computed. An unknown name gets a (bounded) "did you mean".
        """
        q = np.tile(self.default_q(), (n, 1))
        for key, value in (values or {}).items():
            col = self._settable_column(key)
            q[:, col] = self._checked_setting(self.coordinates[self._independent[col]], value)
        return q

    def _settable_column(self, key) -> int:
        """The column of ``q`` an independent coordinate's value goes in."""
        from .._input import did_you_mean, listing, shown

        if isinstance(key, str) and key in self._independent_col:
            return self._independent_col[key]
        if isinstance(key, str) and key in self._coord_index:
            raise UnknownNameError(f"coordinate {shown(key)} is driven by a coupler and cannot be set", field=key)
        close = did_you_mean(key, self.coordinate_names)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise UnknownNameError(
            f"no coordinate {shown(key)}{hint}; known: {listing(self.coordinate_names)}", field="coordinate"
        )

    @staticmethod
    def _checked_setting(coord: Coordinate, value) -> float:
        """``value`` for ``coord`` if it is a finite number the model honours as given."""
        from ..errors import ValidationError

        unit = "rad" if coord.motion == "rotational" else "m"

        def amount(x: float) -> str:
            return f"{x:.6g} {unit}" + (f" ({np.degrees(x):.4g}°)" if unit == "rad" else "")

        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise ValidationError([(coord.name, f"expected a number in {unit}, got {type(value).__name__}")])
        try:
            value = float(value)
        except OverflowError:
            value = float("inf")
        if not np.isfinite(value):
            raise ValidationError([(coord.name, f"the value must be a finite number in {unit}")])
        lo, hi = coord.range
        if coord.locked:
            if value != coord.default:
                raise ValidationError(
                    [(coord.name, f"the coordinate is locked at {amount(coord.default)}; it cannot be set to {amount(value)}")]
                )
            return value
        # A rounding hair outside a limit is the limit (e.g. a range written as -pi/2 to pi/2).
        slack = 1e-12 * max(1.0, abs(lo), abs(hi))
        if not lo - slack <= value <= hi + slack:
            raise ValidationError(
                [(coord.name, f"{amount(value)} is outside its range, {amount(lo)} to {amount(hi)}")]
            )
        return min(max(value, lo), hi)

    # ----------------------------------------------------------------- computations

    def muscle_lengths(self, q, chunk: int = DEFAULT_CHUNK, muscles=None) -> np.ndarray:
        """Muscle–tendon path lengths in metres: ``(N, n_coordinates) -> (N, n_muscles)``.

        Clamped coordinates are held inside their range and locked ones at their
        default, as OpenSim does when a coordinate's value is set. ``muscles`` (muscle
        indices) computes only those, in that order: ``(N, len(muscles))``, the same
        numbers as the full computation's columns, for less work.
        """
        q = self._as_batch(q)
        selected = None if muscles is None else np.asarray(muscles, dtype=np.int64)
        out = np.empty((q.shape[0], len(self.muscles) if selected is None else len(selected)))

        def work(start: int) -> None:
            stop = min(start + chunk, q.shape[0])
            full = self._full_coordinates(self._apply_limits(q[start:stop]))
            out[start:stop] = self._lengths_from_full(full, selected)

        map_on_cores(work, range(0, q.shape[0], chunk), caller_works=False)  # each chunk writes its own rows
        return out

    def length_jacobian(self, q, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
        """dL/dq for every muscle and independent coordinate: ``(N, n_muscles, n_coordinates)``.

        Coupled coordinates follow their independent ones (chain rule through the
        couplers), which is what OpenSim's moment-arm solver reports. A fourth-order
        central difference on the exact length function gives about 1e-12 m/rad.
        """
        q = self._as_batch(q)
        n, m, k = q.shape[0], len(self.muscles), len(self._independent)
        out = np.empty((n, m, k))
        for start in range(0, n, max(1, chunk // 4)):
            stop = min(start + max(1, chunk // 4), n)
            base = self._apply_limits(q[start:stop])
            for col in range(k):
                out[start:stop, :, col] = self._derivative(base, col)
        return out

    def moment_arms(self, q, coordinate: str, chunk: int = DEFAULT_CHUNK) -> np.ndarray:
        """Moment arms ``-dL/dq`` (metres per radian) about one coordinate: ``(N, n_muscles)``."""
        if coordinate not in self._independent_col:
            self.coordinate(coordinate)  # raises a clear error for an unknown name
            raise UnknownNameError(f"coordinate {coordinate!r} is driven by a coupler", field="coordinate")
        q = self._as_batch(q)
        col = self._independent_col[coordinate]
        out = np.empty((q.shape[0], len(self.muscles)))
        for start in range(0, q.shape[0], chunk):
            stop = min(start + chunk, q.shape[0])
            out[start:stop] = -self._derivative(self._apply_limits(q[start:stop]), col)
        return out

    def body_transforms(self, q) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each body's pose in the ground: name -> (rotation (N,3,3), origin (N,3))."""
        q = self._as_batch(q)
        full = self._full_coordinates(self._apply_limits(q))
        rot, pos = self._poses(full)
        out = {self.ground: (rot[-1], pos[-1])}
        for i, name in enumerate(self._body_order):
            out[name] = (rot[i], pos[i])
        return out

    def points_in_ground(self, q, body: str, locations) -> np.ndarray:
        """Locations fixed in ``body`` expressed in the ground: ``(N, k, 3)``."""
        locs = np.atleast_2d(np.asarray(locations, dtype=float))
        r, p = self.body_transforms(q)[self._check_body(body)]
        return np.einsum("nij,kj->nki", r, locs) + p[:, None, :]

    def muscle_path(self, q, muscle: str) -> list[np.ndarray]:
        """The active path points of one muscle in the ground, one ``(k, 3)`` array per posture."""
        idx = self._muscle_index.get(muscle)
        if idx is None:
            raise UnknownNameError(f"no muscle {muscle!r}", field="muscle")
        q = self._as_batch(q)
        full = self._full_coordinates(self._apply_limits(q))
        rot, pos = self._poses(full)
        pts, active = self._muscle_points(self.muscles[idx], full, rot, pos)
        paths = [pts[i][active[i]] for i in range(q.shape[0])]
        if self.muscles[idx].wraps:
            own = tuple(k for k, w in enumerate(self.wrap_objects) if w.name in self.muscles[idx].wraps)
            paths = [self._wrapped_path(path, rot[:, i], pos[:, i], own) for i, path in enumerate(paths)]
        return paths

    def _wrapped_path(self, path: np.ndarray, rot: np.ndarray, pos: np.ndarray, objects: tuple[int, ...],
                      per_radian: int = 24) -> np.ndarray:
        """One posture's path with the points of its wrap over its ellipsoid (``objects``:
        indices into ``wrap_objects``) inserted (tangent points and the arc between them,
        ``per_radian`` points a radian), by the kernel's own function, run as plain
        Python: the segment whose wrap adds least wraps, as in the length computation."""
        fn = getattr(_kernel._wrap_ellipsoid, "py_func", _kernel._wrap_ellipsoid)
        best = None
        for s in objects:
            w = self.wrap_objects[s]
            b = self._body_index.get(w.body, -1)
            axes = rot[b] @ w.frame.rotation
            centre = rot[b] @ w.frame.translation + pos[b]
            radii = np.asarray(w.radii, dtype=float)
            for j in range(len(path) - 1):
                x1, x2 = axes.T @ (path[j] - centre), axes.T @ (path[j + 1] - centre)
                info = np.empty(12)
                length = fn(*x1, *x2, *radii, info)
                if length < 0:
                    continue
                extra = length - float(np.linalg.norm(x2 - x1))
                if best is None or extra < best[0]:
                    th = np.linspace(info[10], info[11], max(2, int(abs(info[11] - info[10]) * per_radian) + 2))
                    u = info[0:3] + info[9] * (np.cos(th)[:, None] * info[3:6] + np.sin(th)[:, None] * info[6:9])
                    best = (extra, j, (u * radii) @ axes.T + centre)
        if best is None:
            return path
        _, j, arc = best
        return np.vstack([path[: j + 1], arc, path[j + 1 :]])

    # ----------------------------------------------------------------- internals

    def _check_body(self, body: str) -> str:
        if body != self.ground and body not in self._body_index:
            raise UnknownNameError(f"no body {body!r}; known: {', '.join(self.body_names)}", field="body")
        return body

    def _as_batch(self, q) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        if q.ndim == 1:
            q = q[None, :]
        if q.ndim != 2 or q.shape[1] != len(self._independent):
            raise ModelError(
                f"postures must have shape (N, {len(self._independent)}) for coordinates "
                f"{', '.join(self.coordinate_names)}; got {q.shape}",
                field="q",
            )
        return q

    def _apply_limits(self, q: np.ndarray) -> np.ndarray:
        if not (self._clamp_cols.size or self._lock_cols.size):
            return q
        q = q.copy()
        if self._clamp_cols.size:
            q[:, self._clamp_cols] = np.clip(q[:, self._clamp_cols], self._clamp_lo, self._clamp_hi)
        if self._lock_cols.size:
            q[:, self._lock_cols] = self._lock_values
        return q

    def _full_coordinates(self, q: np.ndarray) -> np.ndarray:
        full = np.empty((q.shape[0], len(self.coordinates)))
        full[:, self._independent] = q
        for dep, ind, fn in self._coupler_plan:
            full[:, dep] = fn(full[:, ind])
        return full

    def _derivative(self, q: np.ndarray, col: int) -> np.ndarray:
        h = 1e-4 if self.coordinates[self._independent[col]].motion == "rotational" else 1e-5
        acc = 0.0
        for step, weight in ((-2, 1.0), (-1, -8.0), (1, 8.0), (2, -1.0)):
            qq = q.copy()
            qq[:, col] += step * h
            acc = acc + weight * self._lengths_from_full(self._full_coordinates(qq))
        return acc / (12.0 * h)

    def _joint_inputs(self, full: np.ndarray, steps: _Steps | None = None):
        """What the compiled chain reads: cosines and sines of every rotation step
        (N, S) and the amount of every translation (N, T) - of the whole model, or of
        the steps of a part of its chain (``steps``). Functions of coordinates (splines,
        couplers) are evaluated here, column by column, in NumPy."""
        st = self._steps if steps is None else steps
        n = full.shape[0]
        angles = _evaluate_steps(full, st.rotations, st.rotations_linear)
        amounts = _evaluate_steps(full, st.translations, st.translations_linear)
        if st.is_var.all():  # every rotation step moves (the usual case): no scatter
            return np.cos(angles), np.sin(angles), amounts
        cos_a = np.zeros((n, len(st.is_var)))
        sin_a = np.zeros((n, len(st.is_var)))
        cos_a[:, st.is_var] = np.cos(angles)
        sin_a[:, st.is_var] = np.sin(angles)
        return cos_a, sin_a, amounts

    def _poses(self, full: np.ndarray):
        """Each body's rotation (B+1, N, 3, 3) and origin (B+1, N, 3) in the ground;
        the last slot is the ground itself."""
        n = full.shape[0]
        nb = len(self._body_order) + 1
        out_r = np.empty((n, nb, 3, 3))
        out_p = np.empty((n, nb, 3))
        _kernel.poses(*self._joint_inputs(full), *self._kernel_args[:16], np.int64(-1), out_r, out_p)
        return out_r.transpose(1, 0, 2, 3), out_p.transpose(1, 0, 2)

    def _lengths_from_full(self, full: np.ndarray, muscles: np.ndarray | None = None) -> np.ndarray:
        lengths = np.empty((full.shape[0], len(self.muscles)))
        args, steps = (self._kernel_args, None) if muscles is None else self._subset_args(muscles)
        _kernel.lengths(*self._joint_inputs(full, steps), *args, self._constant_length, lengths)
        special = [m for m in self._special_muscles if muscles is None or m in muscles]
        if special:
            rot, pos = self._poses(full)
            for m in special:
                p, active = self._muscle_points(self.muscles[m], full, rot, pos)
                lengths[:, m] = _active_path_length(p, active)
        return lengths if muscles is None else lengths[:, muscles]

    def _subset_args(self, muscles: np.ndarray) -> tuple[tuple, _Steps]:
        """The kernel's arguments and the steps whose angles it reads, for ``muscles``
        only: derived from the model alone, so kept per set of muscles (a plan asks for
        the same set thousands of times)."""
        key = muscles.tobytes()
        found = self._subset_cache.get(key)
        if found is None:
            found = self._part_of_chain(muscles)
            if len(self._subset_cache) >= 256:
                self._subset_cache.clear()
            self._subset_cache[key] = found
        return found

    def _part_of_chain(self, muscles: np.ndarray) -> tuple[tuple, _Steps]:
        """The segments of ``muscles``, and the part of the joint chain they need: the
        joints that carry the bodies their points and wrapping surfaces ride on, with
        every joint between those and the ground. The chain walks those joints only and
        the angles of no other joint are evaluated; each body it does walk gets the same
        numbers as in the whole chain (the same products, in the same order)."""
        a = self._kernel_args
        parent = a[0]
        keep = np.isin(a[21], muscles)
        wkeep = np.isin(a[26], muscles)
        surfaces = np.unique(a[27][wkeep])
        riding = set(a[17][keep]) | set(a[19][keep]) | set(a[22][wkeep]) | set(a[24][wkeep]) | set(a[28][surfaces])
        needed: set[int] = set()
        for body in riding:
            while body >= 0 and body not in needed:  # -1: the ground
                needed.add(int(body))
                body = parent[body]
        joints = np.array(sorted(needed), dtype=np.int64)  # tree order: a parent before its children
        new = np.full(len(parent) + 1, -1, dtype=np.int64)  # old body index (or -1, the ground) -> new
        new[joints] = np.arange(len(joints))

        def steps_of(start):  # the kept joints' steps, in order
            return np.array([k for j in joints for k in range(start[j], start[j + 1])], dtype=np.int64)

        def starts(start):  # where each kept joint's steps begin among them
            return np.concatenate([[0], np.cumsum(start[joints + 1] - start[joints])]).astype(np.int64)

        rot, tr = steps_of(a[7]), steps_of(a[14])
        free_root = np.int64(new[a[16]] if a[16] >= 0 else -1)
        surface_index = np.full(len(a[28]), -1, dtype=np.int64)
        surface_index[surfaces] = np.arange(len(surfaces))
        args = (
            new[parent[joints]], *(x[joints] for x in a[1:7]),
            starts(a[7]), *(x[rot] for x in a[8:14]),
            starts(a[14]), a[15][tr], free_root,
            new[a[17][keep]], a[18][keep], new[a[19][keep]], a[20][keep], a[21][keep],
            new[a[22][wkeep]], a[23][wkeep], new[a[24][wkeep]], a[25][wkeep], a[26][wkeep], surface_index[a[27][wkeep]],
            new[a[28][surfaces]], a[29][surfaces], a[30][surfaces], a[31][surfaces],
        )
        return args, self._steps.part(rot, tr)

    def _muscle_points(self, muscle: Muscle, full, rot, pos):
        """Every point of a muscle in the ground (N, k, 3) and which are active (N, k)."""
        n = full.shape[0]
        k = len(muscle.points)
        pts = np.empty((n, k, 3))
        active = np.ones((n, k), dtype=bool)
        for j, pp in enumerate(muscle.points):
            if pp.moving is not None:
                loc = np.stack(
                    [
                        fn(full[:, self._coord_index[c]]) if c is not None else fn(np.zeros(n))
                        for c, fn in pp.moving
                    ],
                    axis=1,
                )
            else:
                loc = np.broadcast_to(np.asarray(pp.location, dtype=float), (n, 3))
            b = self._body_index.get(pp.body, -1)
            pts[:, j] = np.einsum("nij,nj->ni", rot[b], loc) + pos[b]
            if pp.active_range is not None:
                v = full[:, self._coord_index[pp.coordinate]]
                active[:, j] = (v >= pp.active_range[0]) & (v <= pp.active_range[1])
        return pts, active

    def _check_and_compile(self) -> None:
        names = [c.name for c in self.coordinates]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ModelError(f"coordinate names repeat: {', '.join(dup)}")
        self._coord_index = {n: i for i, n in enumerate(names)}

        # Couplers: each dependent coordinate is a function of another one.
        dependents = {}
        for c in self.couplers:
            for role, nm in (("dependent", c.dependent), ("independent", c.independent)):
                if nm not in self._coord_index:
                    raise ModelError(f"coupler {c.name!r}: {role} coordinate {nm!r} does not exist")
            if c.dependent in dependents:
                raise ModelError(f"coordinate {c.dependent!r} is driven by two couplers")
            dependents[c.dependent] = c
        ordered, done = [], set()

        def visit(name: str, trail: tuple[str, ...]) -> None:
            if name in done or name not in dependents:
                return
            if name in trail:
                raise ModelError(f"coupler loop through {' -> '.join(trail + (name,))}")
            visit(dependents[name].independent, trail + (name,))
            ordered.append(dependents[name])
            done.add(name)

        for name in dependents:
            visit(name, ())
        self._coupler_plan = tuple(
            (self._coord_index[c.dependent], self._coord_index[c.independent], c.function) for c in ordered
        )
        self._independent = np.array([i for i, n in enumerate(names) if n not in dependents], dtype=int)
        self._independent_names = tuple(names[i] for i in self._independent)
        self._independent_col = {n: j for j, n in enumerate(self._independent_names)}

        cols = [(j, self.coordinates[i]) for j, i in enumerate(self._independent)]
        clamp = [(j, c) for j, c in cols if c.clamped and not c.locked]
        self._clamp_cols = np.array([j for j, _ in clamp], dtype=int)
        self._clamp_lo = np.array([c.range[0] for _, c in clamp], dtype=float)
        self._clamp_hi = np.array([c.range[1] for _, c in clamp], dtype=float)
        lock = [(j, c) for j, c in cols if c.locked]
        self._lock_cols = np.array([j for j, _ in lock], dtype=int)
        self._lock_values = np.array([c.default for _, c in lock], dtype=float)

        # Bodies: a tree grown from the ground, one joint per body.
        by_child = {}
        for j in self.joints:
            if j.child == self.ground:
                raise ModelError(f"joint {j.name!r} moves the ground")
            if j.child in by_child:
                raise ModelError(f"body {j.child!r} has two parent joints ({by_child[j.child].name}, {j.name})")
            by_child[j.child] = j
        known = {self.ground} | set(by_child)
        for j in self.joints:
            if j.parent not in known:
                raise ModelError(f"joint {j.name!r}: parent body {j.parent!r} does not exist")
        order: list[str] = []
        placed = {self.ground}
        pending = list(self.joints)
        while pending:
            progress = [j for j in pending if j.parent in placed]
            if not progress:
                raise ModelError(f"joints form a loop: {', '.join(j.name for j in pending)}")
            for j in progress:
                order.append(j.child)
                placed.add(j.child)
            pending = [j for j in pending if j.child not in placed]
        self._body_order = tuple(order)
        self._body_index = {b: i for i, b in enumerate(order)}
        plans = []
        for child in order:
            j = by_child[child]
            plans.append(self._plan_joint(j))
        self._joint_plans = tuple(plans)

        # Muscles: straight segments between fixed points, grouped by the pair of
        # bodies they join; paths with conditional or moving points are kept apart.
        constant = np.zeros(len(self.muscles))
        special = []
        wraps = []  # (body a, location a, body b, location b, muscle, wrap object) per segment
        wrap_index = {}
        for k, w in enumerate(self.wrap_objects):
            if w.name in wrap_index:
                raise ModelError(f"wrap object {w.name!r} is defined twice")
            if w.body not in known:
                raise ModelError(f"wrap object {w.name!r} is on unknown body {w.body!r}")
            radii = np.asarray(w.radii, dtype=float)
            if radii.shape != (3,) or not np.all(np.isfinite(radii)) or np.any(radii <= 0):
                raise ModelError(f"wrap object {w.name!r}: radii must be three positive numbers, got {w.radii!r}")
            wrap_index[w.name] = k
        by_pair: dict[tuple[int, int], list] = {}
        for m, muscle in enumerate(self.muscles):
            if len(muscle.points) < 2:
                raise ModelError(f"muscle {muscle.name!r} has {len(muscle.points)} path point(s); it needs at least 2")
            for p in muscle.points:
                if p.body not in known:
                    raise ModelError(f"muscle {muscle.name!r}: path point {p.name or '?'} is on unknown body {p.body!r}")
                for c in ([p.coordinate] if p.coordinate else []) + [c for c, _ in (p.moving or ()) if c]:
                    if c not in self._coord_index:
                        raise ModelError(f"muscle {muscle.name!r}: path point {p.name!r} uses unknown coordinate {c!r}")
            for w in muscle.wraps:
                if w not in wrap_index:
                    raise ModelError(f"muscle {muscle.name!r} wraps over {w!r}, which is not a wrap object of the model")
            if len(muscle.wraps) > 1:
                raise ModelError(
                    f"muscle {muscle.name!r} wraps over {len(muscle.wraps)} objects ({', '.join(muscle.wraps)}); "
                    "one wrap object per path is supported"
                )
            if any(p.active_range is not None or p.moving is not None for p in muscle.points):
                if muscle.wraps:
                    raise ModelError(
                        f"muscle {muscle.name!r}: wrapping a path with conditional or moving points is not supported"
                    )
                special.append(m)
                continue
            for pa, pb in zip(muscle.points, muscle.points[1:]):
                la, lb = np.asarray(pa.location, dtype=float), np.asarray(pb.location, dtype=float)
                ba, bb = self._body_index.get(pa.body, -1), self._body_index.get(pb.body, -1)
                for w in muscle.wraps:  # every segment may be the one that wraps
                    wraps.append((ba, la, bb, lb, m, wrap_index[w]))
                if pa.body == pb.body:  # both ends in one body: the segment never changes length
                    constant[m] += float(np.linalg.norm(lb - la))
                else:
                    by_pair.setdefault((ba, bb), []).append((m, la, lb))
        segments = [(ba, la, bb, lb, m) for (ba, bb), segs in by_pair.items() for m, la, lb in segs]
        self._segments = segments
        self._wrap_segments = wraps
        self._wrap_index_of = tuple(sorted({k for *_, k in wraps}))
        self._constant_length = constant
        self._special_muscles = tuple(special)
        self._muscle_index = {m.name: i for i, m in enumerate(self.muscles)}
        if len(self._muscle_index) != len(self.muscles):
            raise ModelError("muscle names repeat")
        # If no path point lies on the ground and one joint carries everything, that
        # joint's motion moves the whole model rigidly and changes no length.
        on_ground = any(p.body == self.ground for mu in self.muscles for p in mu.points)
        roots = [j for j in self.joints if j.parent == self.ground]
        self._free_root = self._body_index[roots[0].child] if len(roots) == 1 and not on_ground else None
        self._kernel_args = self._kernel_plan()
        self._subset_cache: dict[bytes, tuple] = {}

    def _kernel_plan(self) -> tuple:
        """The joint and segment plan as flat arrays for the compiled kernel."""
        plans = self._joint_plans
        nj = len(plans)
        steps = [st for pl in plans for st in pl.rotations]
        trans = [tr for pl in plans for tr in pl.translations]
        eye = np.eye(3)
        rot_start = np.cumsum([0] + [len(pl.rotations) for pl in plans])
        tr_start = np.cumsum([0] + [len(pl.translations) for pl in plans])
        var = [st[0] == "var" for st in steps]
        self._steps = _Steps.of(
            tuple((st[4], st[5]) if st[0] == "var" else None for st in steps),
            tuple((col, fn) for _, col, fn in trans),
        )
        segs = self._segments
        wraps = self._wrap_segments
        return (
            np.array([pl.parent for pl in plans], dtype=np.int64),
            np.array([pl.before for pl in plans]).reshape(nj, 3, 3),
            np.array([pl.after for pl in plans]).reshape(nj, 3, 3),
            np.array([pl.after_p for pl in plans]).reshape(nj, 3),
            np.array([pl.frame_rotation for pl in plans]).reshape(nj, 3, 3),
            np.array([pl.frame_origin for pl in plans]).reshape(nj, 3),
            np.array([pl.const_translation for pl in plans]).reshape(nj, 3),
            rot_start.astype(np.int64),
            np.array([0 if v else 1 for v in var], dtype=np.int64),
            np.array([st[1] if st[0] == "var" else 0 for st in steps], dtype=np.int64),
            np.array([np.array(st[2]) if st[0] == "var" and st[2] is not None else eye for st in steps]).reshape(-1, 3, 3),
            np.array([np.array(st[3]) if st[0] == "var" and st[3] is not None else eye for st in steps]).reshape(-1, 3, 3),
            np.array([st[0] == "var" and st[2] is not None for st in steps], dtype=np.bool_),
            np.array([st[1] if st[0] == "const" else eye for st in steps]).reshape(-1, 3, 3),
            tr_start.astype(np.int64),
            np.array([tr[0] for tr in trans]).reshape(-1, 3),
            np.int64(-1 if self._free_root is None else self._free_root),
            np.array([sg[0] for sg in segs], dtype=np.int64),
            np.array([sg[1] for sg in segs]).reshape(-1, 3),
            np.array([sg[2] for sg in segs], dtype=np.int64),
            np.array([sg[3] for sg in segs]).reshape(-1, 3),
            np.array([sg[4] for sg in segs], dtype=np.int64),
            np.array([w[0] for w in wraps], dtype=np.int64),
            np.array([w[1] for w in wraps]).reshape(-1, 3),
            np.array([w[2] for w in wraps], dtype=np.int64),
            np.array([w[3] for w in wraps]).reshape(-1, 3),
            np.array([w[4] for w in wraps], dtype=np.int64),
            np.array([w[5] for w in wraps], dtype=np.int64),
            np.array([self._body_index.get(w.body, -1) for w in self.wrap_objects], dtype=np.int64),
            np.array([w.frame.rotation for w in self.wrap_objects], dtype=float).reshape(-1, 3, 3),
            np.array([w.frame.translation for w in self.wrap_objects], dtype=float).reshape(-1, 3),
            np.array([w.radii for w in self.wrap_objects], dtype=float).reshape(-1, 3),
        )

    def _plan_joint(self, j: Joint) -> _JointPlan:
        """Fold everything constant about a joint into fixed matrices.

        ``X_parent_child = P * X_FM * C^-1`` with ``X_FM`` = (ordered rotations, a
        translation along parent-frame axes). Constant rotations that lead the
        sequence join ``P``'s rotation, those that trail it join ``C^-1``; the rest
        stay as steps evaluated per posture.
        """
        steps: list = []  # ("var", axis, col, fn) | ("const", R)
        translations = []
        const_t = np.zeros(3)
        for ax in j.axes:
            axis = np.asarray(ax.axis, dtype=float)
            norm = np.linalg.norm(axis)
            if norm == 0:
                raise ModelError(f"joint {j.name!r}: an axis of length zero")
            axis = axis / norm
            if ax.coordinate is not None and ax.coordinate not in self._coord_index:
                raise ModelError(f"joint {j.name!r}: axis uses unknown coordinate {ax.coordinate!r}")
            fixed = ax.coordinate is None or ax.function.is_constant
            amount = float(ax.function(np.zeros(1))[0]) if fixed else None
            if ax.kind == "rotation":
                if fixed:
                    steps.append(("const", _axis_rotation(axis, amount)))
                else:
                    code, q_in, q_out = _axis_plan(axis)
                    steps.append(("var", code, q_in, q_out, self._coord_index[ax.coordinate], ax.function))
            elif ax.kind == "translation":
                if fixed:
                    const_t = const_t + amount * axis
                else:
                    translations.append((axis, self._coord_index[ax.coordinate], ax.function))
            else:
                raise ModelError(f"joint {j.name!r}: axis kind {ax.kind!r} is neither rotation nor translation")
        before = j.parent_offset.rotation.astype(float)
        while steps and steps[0][0] == "const":
            before = before @ steps.pop(0)[1]
        tail = np.eye(3)
        while steps and steps[-1][0] == "const":
            tail = steps.pop()[1] @ tail
        c_inv = j.child_offset.inverse()
        return _JointPlan(
            parent=self._body_index.get(j.parent, -1),
            child=self._body_index[j.child],
            frame_rotation=j.parent_offset.rotation.astype(float),
            frame_origin=j.parent_offset.translation.astype(float),
            before=before,
            after=tail @ c_inv.rotation,
            after_p=tail @ c_inv.translation,
            rotations=tuple(steps),
            translations=tuple(translations),
            const_translation=const_t,
        )


def _active_path_length(points: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Length through the active points of each posture: loops over points, not postures."""
    n = points.shape[0]
    total = np.zeros(n)
    last = np.zeros((n, 3))
    have = np.zeros(n, dtype=bool)
    for j in range(points.shape[1]):
        act = active[:, j]
        p = points[:, j]
        seg = np.sqrt(np.sum((p - last) ** 2, axis=1))
        total += np.where(act & have, seg, 0.0)
        last = np.where(act[:, None], p, last)
        have |= act
    return total


@dataclass(frozen=True)
class _Steps:
    """The steps of a joint chain whose angles (and amounts) are evaluated per posture:
    each rotation step's (coordinate column, function), in order, of the variable
    ones (``is_var`` marks them among all rotation steps); each translation's. Linear
    functions (all of the own model's) are evaluated together, in one array operation:
    a planner's small batches are dominated by per-call overhead."""

    every_rotation: tuple  # (column, function) per rotation step, None for a constant one
    rotations: tuple  # the variable ones
    translations: tuple
    is_var: np.ndarray
    rotations_linear: tuple
    translations_linear: tuple

    @classmethod
    def of(cls, every_rotation: tuple, translations: tuple) -> _Steps:
        rotations = tuple(st for st in every_rotation if st is not None)
        return cls(every_rotation, rotations, translations, np.array([st is not None for st in every_rotation], dtype=bool),
                   _linear_part(rotations), _linear_part(translations))

    def part(self, rotations: np.ndarray, translations: np.ndarray) -> _Steps:
        """The steps at these indices (rotation steps, translations), in that order."""
        return _Steps.of(tuple(self.every_rotation[k] for k in rotations), tuple(self.translations[k] for k in translations))


def _linear_part(steps) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For the steps whose function is ``Linear``: (step index, coordinate column,
    slope, intercept) as arrays."""
    from ._functions import Linear

    rows = [(k, col, fn.slope, fn.intercept) for k, (col, fn) in enumerate(steps) if type(fn) is Linear]
    if not rows:
        return (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))
    k, col, slope, intercept = zip(*rows)
    return (np.array(k, dtype=np.int64), np.array(col, dtype=np.int64), np.array(slope), np.array(intercept))


def _evaluate_steps(full: np.ndarray, steps, linear) -> np.ndarray:
    """Every step's function of its coordinate column: ``(N, len(steps))``."""
    if not steps:  # e.g. a chain without translations
        return np.empty((full.shape[0], 0))
    k, col, slope, intercept = linear
    if len(k) == len(steps):  # all linear: _linear_part lists them in order
        return full[:, col] * slope + intercept
    out = np.empty((full.shape[0], len(steps)))
    if len(k):
        out[:, k] = full[:, col] * slope + intercept
    if len(k) < len(steps):
        done = set(k.tolist())
        for j, (c, fn) in enumerate(steps):
            if j not in done:
                out[:, j] = fn(full[:, c])
    return out
