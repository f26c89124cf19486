"""The project's own upper-body model, speaking posture variables and muscle ids.

``UpperBodyModel`` wraps an engine ``Model`` built from ``data/upper_body.yaml`` (see
``_own.py``). Postures are arrays of the contract's posture variables in degrees, one
row per posture, columns in ``posture_variables`` order; each variable maps linearly
onto the model's joint coordinates (``q_from_postures``). Outputs are per muscle-side,
columns in ``muscle_sides`` order; a muscle with several bundles reports the mean of
its bundles. Everything is computed for a whole batch of postures at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable, Mapping

import numpy as np

from .._input import field_name, shown
from .._parallel import map_on_cores
from ..errors import UnknownNameError, ValidationError
from ..vocabulary import VARIABLES
from ._model import Model

SIDES: tuple[str, ...] = ("left", "right")
SIDE_SUFFIX = {"left": "_l", "right": "_r"}


@dataclass(frozen=True)
class Landmark:
    """A landmark as the model file gives it: the right-side (or midline) position in the
    neutral posture, in the ground frame, and the body (base name) it rides on."""

    id: str
    body: str
    location: tuple[float, float, float]
    bilateral: bool


@dataclass(frozen=True)
class Ellipsoid:
    """A surface fixed to a body. ``axes`` are the directions of its semi-axes (the
    columns: ``radii[i]`` lies along ``axes[:, i]``), and ``centre``, both in the neutral
    ground frame. ``side`` names the side of a bilateral surface (one per side, mirror
    images), ``None`` for one across the midline; the engine's wrap object is
    ``wrap_name``."""

    name: str
    body: str  # engine body name
    centre: tuple[float, float, float]  # neutral ground frame
    radii: tuple[float, float, float]
    axes: tuple[tuple[float, float, float], ...] = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
    side: str | None = None

    @property
    def wrap_name(self) -> str:
        return self.name if self.side is None else f"{self.name}.{self.side}"

    def depth(self, points, rotation, position, origin) -> np.ndarray:
        """How far (m, along the smallest radius) each of ``points`` (..., 3; ground) lies
        inside the surface when its body is at ``rotation``/``position`` (its neutral
        position is ``origin``): > 0 inside, < 0 outside. Several poses at once:
        ``rotation`` (N, 3, 3) and ``position`` (N, 3), with ``points`` (N, ..., 3), the
        points of row n taken at pose n."""
        rotation, points = np.asarray(rotation), np.asarray(points)
        axes = rotation @ np.array(self.axes)
        centre = rotation @ (np.array(self.centre) - np.asarray(origin)) + np.asarray(position)
        if rotation.ndim == 3:  # one pose per row: line the rows' points up with their pose
            flat = points.reshape(len(rotation), -1, 3)
            u = np.einsum("nkj,nji->nki", flat - centre[:, None, :], axes).reshape(points.shape)
        else:
            u = (points - centre) @ axes
        u = u / np.array(self.radii)
        return (1.0 - np.linalg.norm(u, axis=-1)) * min(self.radii)

    def gap(self, points) -> np.ndarray:
        """How far (m) each of ``points`` (..., 3; its body at neutral) lies outside the
        surface along the ray from the centre: > 0 outside, < 0 inside (how far a
        shoulder blade's border stands off the chest wall it glides on)."""
        d = np.asarray(points) - np.array(self.centre)
        s = np.linalg.norm((d @ np.array(self.axes)) / np.array(self.radii), axis=-1)
        return (1.0 - 1.0 / s) * np.linalg.norm(d, axis=-1)


@dataclass(frozen=True)
class Sphere:
    name: str
    body: str
    centre: tuple[float, float, float]
    radius: float


class UpperBodyModel:
    """An immutable upper-body model: posture variables in, muscle length changes out."""

    def __init__(
        self,
        *,
        model: Model,
        name: str,
        posture_variables: Iterable[str],
        ranges: Mapping[str, tuple[float, float]],
        drive: np.ndarray,
        muscle_ids: Iterable[str],
        bundles: Mapping[tuple[str, str], tuple[str, ...]],
        bundle_labels: Mapping[str, tuple[str, ...]],
        attachments: Mapping[str, Mapping[str, tuple[str, ...]]],
        landmarks: Mapping[str, Landmark],
        body_origins: Mapping[str, np.ndarray],
        bilateral_bodies: Iterable[str],
        surfaces: Iterable[Ellipsoid] = (),
        obstacles: Iterable[Sphere] = (),
        groups: Mapping[str, tuple[str, ...]] | None = None,
        coordinate_limits: np.ndarray | None = None,
    ):
        s = object.__setattr__
        s(self, "model", model)
        s(self, "name", name)
        s(self, "posture_variables", tuple(posture_variables))
        s(self, "ranges", MappingProxyType({k: (float(v[0]), float(v[1])) for k, v in ranges.items()}))
        d = np.array(drive, dtype=float)
        if d.shape != (len(model.coordinate_names), len(self.posture_variables)):
            raise ValueError(f"drive matrix has shape {d.shape}, expected (coordinates, variables)")
        d.setflags(write=False)
        s(self, "_drive", d)
        if coordinate_limits is not None:
            lim = np.array(coordinate_limits, dtype=float)
            if lim.shape != (len(model.coordinate_names), 2) or np.any(lim[:, 0] >= 0) or np.any(lim[:, 1] <= 0):
                raise ValueError(f"coordinate limits must be (coordinates, 2) with neutral inside, got shape {lim.shape}")
            lim.setflags(write=False)
            coordinate_limits = lim if np.isfinite(lim).any() else None
        s(self, "_limits", coordinate_limits)
        s(self, "muscle_ids", tuple(muscle_ids))
        s(self, "muscle_sides", tuple((m, side) for m in self.muscle_ids for side in SIDES))
        s(self, "_bundles", MappingProxyType({k: tuple(v) for k, v in bundles.items()}))
        s(self, "_bundle_labels", MappingProxyType({k: tuple(v) for k, v in bundle_labels.items()}))
        s(self, "_attachments", MappingProxyType({m: MappingProxyType(dict(a)) for m, a in attachments.items()}))
        s(self, "_landmarks", MappingProxyType(dict(landmarks)))
        origins = {}
        for b, o in body_origins.items():
            arr = np.array(o, dtype=float)
            arr.setflags(write=False)
            origins[b] = arr
        s(self, "_origins", MappingProxyType(origins))
        s(self, "_bilateral_bodies", frozenset(bilateral_bodies))
        s(self, "surfaces", tuple(surfaces))
        s(self, "obstacles", tuple(obstacles))
        s(self, "groups", MappingProxyType(dict(groups or {})))
        s(self, "_var_index", MappingProxyType({v: i for i, v in enumerate(self.posture_variables)}))
        s(self, "_column", MappingProxyType({ms: i for i, ms in enumerate(self.muscle_sides)}))

        # Mean over bundles: engine muscle columns -> muscle-side columns.
        engine_index = {n: i for i, n in enumerate(model.muscle_names)}
        agg = np.zeros((len(engine_index), len(self.muscle_sides)))
        for j, ms in enumerate(self.muscle_sides):
            names = self._bundles[ms]
            for n in names:
                agg[engine_index[n], j] = 1.0 / len(names)
        agg.setflags(write=False)
        s(self, "_aggregate", agg)
        # When each muscle-side's bundles are adjacent columns (as the loader builds
        # them), a mean over bundles is a cheap segmented sum.
        order = [engine_index[n] for ms in self.muscle_sides for n in self._bundles[ms]]
        contiguous = order == list(range(len(engine_index)))
        counts = np.array([len(self._bundles[ms]) for ms in self.muscle_sides])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        s(self, "_segments", (starts, 1.0 / counts) if contiguous else None)
        s(self, "_engine_index", MappingProxyType(engine_index))
        neutral = model.muscle_lengths(np.zeros((1, len(model.coordinate_names))))[0]
        neutral.setflags(write=False)
        s(self, "_neutral", neutral)

    def __setattr__(self, key, value):
        raise AttributeError(f"UpperBodyModel is immutable (cannot set {key!r})")

    def __repr__(self) -> str:
        return (
            f"UpperBodyModel({self.name!r}: {len(self.posture_variables)} posture variables, "
            f"{len(self.muscle_ids)} muscles, {len(self.model.muscle_names)} bundle-sides)"
        )

    # ------------------------------------------------------------------ names

    @property
    def coordinate_names(self) -> tuple[str, ...]:
        return self.model.coordinate_names

    @property
    def landmark_ids(self) -> tuple[str, ...]:
        return tuple(self._landmarks)

    @property
    def bodies(self) -> tuple[str, ...]:
        """Engine body names, the ground (``thorax``) first."""
        return self.model.body_names

    @property
    def drive_matrix(self) -> np.ndarray:
        """Radians of each coordinate per degree of each variable: ``(n_coordinates, n_variables)``
        (before joint limits; see ``q_from_postures``)."""
        return self._drive

    def landmark(self, landmark: str) -> Landmark:
        found = self._landmarks.get(landmark) if isinstance(landmark, str) else None
        if found is None:
            raise UnknownNameError(f"no landmark {shown(landmark)}; known: {', '.join(self._landmarks)}", field="landmark")
        return found

    def column(self, muscle: str, side: str) -> int:
        """Column of ``(muscle, side)`` in batch outputs."""
        self._check_muscle(muscle)
        self._check_side(side)
        return self._column[(muscle, side)]

    def bundles(self, muscle: str, side: str) -> tuple[str, ...]:
        """Engine muscle names of the bundles of one muscle-side (e.g. ``upper_trapezius.occipital.left``)."""
        self._check_muscle(muscle)
        self._check_side(side)
        return self._bundles[(muscle, side)]

    def bundle_labels(self, muscle: str) -> tuple[str, ...]:
        """Short bundle names of a muscle (``("sternal", "clavicular", ...)``), ``("",)`` for one line."""
        self._check_muscle(muscle)
        return self._bundle_labels[muscle]

    def attachments(self, muscle: str, side: str) -> dict[str, tuple[str, ...]]:
        """Landmark ids of the origin and insertion (each bundle's, without repeats)."""
        self._check_muscle(muscle)
        self._check_side(side)
        a = self._attachments[muscle]
        return {"origin": tuple(a["origin"]), "insertion": tuple(a["insertion"])}

    # ------------------------------------------------------------------ postures

    def posture_array(self, posture: Mapping[str, float] | None = None) -> np.ndarray:
        """A posture dict (degrees; a variable left out is 0) -> ``(n_variables,)``."""
        out = np.zeros(len(self.posture_variables))
        for key, value in (posture or {}).items():
            i = self._var_index.get(key)
            if i is None:
                raise UnknownNameError(
                    f"no posture variable {shown(key)}; known: {', '.join(self.posture_variables)}", field=field_name(key)
                )
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
                raise ValidationError([(key, f"must be a number of degrees, got {shown(value)}")])
            if not np.isfinite(value):
                raise ValidationError([(key, f"must be a finite number of degrees, got {value!r}")])
            out[i] = float(value)
        return out

    def postures_array(self, postures: Iterable[Mapping[str, float]]) -> np.ndarray:
        """Several posture dicts -> ``(N, n_variables)``."""
        rows = [self.posture_array(p) for p in postures]
        return np.array(rows, dtype=float).reshape(len(rows), len(self.posture_variables))

    def q_from_postures(self, postures) -> np.ndarray:
        """Postures ``(N, n_variables)`` in degrees -> coordinates ``(N, n_coordinates)`` in radians:
        ``drive_matrix`` times the postures, each coordinate then held within its joint
        limits (``joint_limits`` of the model file), if it has any."""
        # einsum, not `@`: a BLAS call here leaves its worker threads spinning, which
        # slows the engine's own threads that run next (measured: 17 -> 28 ms for
        # 10,000 postures on two cores).
        q = np.einsum("nv,cv->nc", self._as_postures(postures), self._drive)
        if self._limits is not None:
            # A joint stops at its own end of range when several variables add up there
            # (e.g. a full nod on top of full neck extension at the skull-C2 joints):
            # the joint angle is limited, never a muscle length.
            q = np.minimum(np.maximum(q, self._limits[:, 0]), self._limits[:, 1])  # np.clip, without its overhead
        return q

    def mirror_postures(self, postures) -> np.ndarray:
        """The mirror-image postures: side bend and rotation change sign, the left and
        right shoulder blades swap."""
        p = self._as_postures(postures).copy()
        out = p.copy()
        for v, i in self._var_index.items():
            facts = VARIABLES[v]
            out[:, i] = facts.mirror_sign * p[:, self._var_index[facts.mirror]]
        return out

    # ------------------------------------------------------------------ lengths

    @property
    def neutral_bundle_lengths(self) -> np.ndarray:
        """Every engine muscle's length in the neutral posture, metres."""
        return self._neutral

    def bundle_lengths(self, postures) -> np.ndarray:
        """``(N, n_engine_muscles)`` metres, columns in ``model.muscle_names`` order."""
        return self.model.muscle_lengths(self.q_from_postures(postures))

    def _bundle_mean(self, values: np.ndarray) -> np.ndarray:
        if self._segments is None:
            return values @ self._aggregate
        starts, weights = self._segments
        return np.add.reduceat(values, starts, axis=1) * weights

    def lengths(self, postures) -> np.ndarray:
        """``(N, n_muscle_sides)`` muscle–tendon lengths in metres (mean over bundles)."""
        return self._bundle_mean(self.bundle_lengths(postures))

    # A large batch is cut into pieces that each go from postures to percentages on one
    # core, the two cores taking pieces in turn: the conversion to coordinates and the
    # means over bundles then run on both cores too, and more pieces share the work out
    # more evenly (see length_change_pct_batch).
    PIECE = 1250

    def length_change_pct_batch(self, postures, columns=None) -> np.ndarray:
        """``(N, n_muscle_sides)`` percent length change from neutral (mean of the bundles'
        changes); with ``columns`` (muscle-side columns) only those, ``(N, len(columns))``,
        computing only their bundles (the same numbers, for less work). Each posture's
        numbers are the same whether it comes alone or in a batch of any size."""
        p = self._as_postures(postures)
        if len(p) <= self.PIECE:
            return self._pct(p, columns)
        out = np.empty((len(p), len(self.muscle_sides) if columns is None else len(columns)))

        def piece(start: int) -> None:
            out[start:start + self.PIECE] = self._pct(p[start:start + self.PIECE], columns)

        map_on_cores(piece, range(0, len(p), self.PIECE), caller_works=False)  # each piece writes its own rows
        return out

    def _pct(self, postures: np.ndarray, columns) -> np.ndarray:
        if columns is None:
            rel = self.bundle_lengths(postures)
            rel *= 100.0 / self._neutral
            rel -= 100.0
            return self._bundle_mean(rel)
        members = [[self._engine_index[n] for n in self._bundles[self.muscle_sides[c]]] for c in columns]
        bundles = np.array([i for group in members for i in group], dtype=np.int64)
        rel = self.model.muscle_lengths(self.q_from_postures(postures), muscles=bundles)
        rel *= 100.0 / self._neutral[bundles]
        rel -= 100.0
        counts = np.array([len(group) for group in members])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
        return np.add.reduceat(rel, starts, axis=1) * (1.0 / counts)

    def length_change_pct(self, muscle: str, side: str, posture: Mapping[str, float] | None = None) -> float:
        """Percent change of the muscle–tendon length from the neutral posture.

        ``muscle`` may be a group id (``scalenes``, ``suboccipitals``, ...): the mean of
        its members.
        """
        self._check_side(side)
        members = self.groups.get(muscle) if isinstance(muscle, str) else None
        if members is None:
            self._check_muscle(muscle)
            members = (muscle,)
        row = self.length_change_pct_batch(self.posture_array(posture)[None, :])[0]
        return float(np.mean([row[self._column[(m, side)]] for m in members]))

    # ------------------------------------------------------------------ geometry

    def body_poses(self, postures) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Each body's rotation ``(N, 3, 3)`` and origin ``(N, 3)`` in the ground."""
        return self.model.body_transforms(self.q_from_postures(postures))

    def engine_body(self, body: str, side: str | None) -> str:
        """The engine body a base body name means on one side (``scapula`` -> ``scapula_r``)."""
        if isinstance(body, str) and body in self._bilateral_bodies:
            if side not in SIDES:
                raise UnknownNameError(f"body {shown(body)} is bilateral: give side 'left' or 'right'", field="side")
            return body + SIDE_SUFFIX[side]
        return body

    def landmark_local(self, landmark: str, side: str | None) -> tuple[str, np.ndarray]:
        """(engine body, location in that body's frame) of a landmark on one side."""
        lm = self.landmark(landmark)
        if lm.bilateral:
            if side not in SIDES:
                raise UnknownNameError(
                    f"landmark {shown(landmark)} is bilateral: side must be 'left' or 'right', got {shown(side)}", field="side"
                )
        elif side not in (None, "midline", *SIDES):
            raise UnknownNameError(f"side must be 'left', 'right' or 'midline', got {shown(side)}", field="side")
        loc = np.array(lm.location, dtype=float)
        mirror = lm.bilateral and side == "left"
        if mirror:
            loc[2] = -loc[2]
        body = self.engine_body(lm.body, "left" if mirror else "right")
        return body, loc - self._origins[body]

    def landmark_position(self, landmark: str, side: str | None = None, posture=None) -> np.ndarray:
        """Ground position ``(3,)`` of a landmark in a posture (dict or array; None: neutral)."""
        body, local = self.landmark_local(landmark, side)
        p = self._one_posture(posture)
        return self.model.points_in_ground(self.q_from_postures(p), body, local[None, :])[0, 0]

    def landmark_positions(self, postures, landmarks: Iterable[str] | None = None) -> dict[str, np.ndarray]:
        """Named ground positions ``(N, 3)`` of landmarks: ``id`` for midline ones,
        ``id.left`` / ``id.right`` for bilateral ones. All landmarks unless named."""
        poses = self.body_poses(postures)
        out = {}
        for lid in landmarks if landmarks is not None else self._landmarks:
            lm = self.landmark(lid)
            for side in SIDES if lm.bilateral else (None,):
                body, local = self.landmark_local(lid, side)
                r, p = poses[body]
                out[lid if side is None else f"{lid}.{side}"] = r @ local + p
        return out

    skeleton_points = landmark_positions

    def muscle_paths(self, muscle: str, side: str, posture=None) -> dict[str, np.ndarray]:
        """Each bundle's path points in the ground for one posture: label -> ``(k, 3)``."""
        names = self.bundles(muscle, side)
        q = self.q_from_postures(self._one_posture(posture))
        return {label: self.model.muscle_path(q, n)[0] for label, n in zip(self._bundle_labels[muscle], names)}

    def point_in_ground(self, postures, body: str, location_neutral) -> np.ndarray:
        """A point given in the neutral ground frame, fixed in an engine body: ``(N, 3)``."""
        local = np.asarray(location_neutral, dtype=float) - self._origins[body]
        return self.model.points_in_ground(self.q_from_postures(postures), body, local[None, :])[:, 0]

    # ------------------------------------------------------------------ helpers

    def _as_postures(self, postures) -> np.ndarray:
        p = np.asarray(postures, dtype=float)
        if p.ndim == 1:
            p = p[None, :]
        if p.ndim != 2 or p.shape[1] != len(self.posture_variables):
            raise ValidationError(
                [("postures", f"expected shape (N, {len(self.posture_variables)}) degrees, got {np.shape(postures)}")]
            )
        return p

    def _one_posture(self, posture) -> np.ndarray:
        if posture is None:
            return np.zeros((1, len(self.posture_variables)))
        if isinstance(posture, Mapping):
            return self.posture_array(posture)[None, :]
        return self._as_postures(posture)[:1]

    def _check_muscle(self, muscle: str) -> None:
        if not isinstance(muscle, str) or muscle not in self._attachments:
            raise UnknownNameError(f"no muscle {shown(muscle)}; known: {', '.join(self.muscle_ids)}", field="muscle")

    @staticmethod
    def _check_side(side: str) -> None:
        if side not in SIDES:
            raise UnknownNameError(f"no side {shown(side)}; known: left, right", field="side")
