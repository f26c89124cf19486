"""Read the project's own model file (YAML) into an ``UpperBodyModel``.

The file (see ``data/upper_body.yaml``) gives every position in one frame - the ground,
with the body in the neutral posture - and every bilateral structure once, for the
right side. This loader validates it, places each body's frame at its joint centre
(parallel to the ground in the neutral posture), expresses landmarks and via points
in their body's frame, and makes the left side as the mirror image:

* points and joint centres: ``(x, y, z) -> (x, y, -z)``;
* a joint axis ``(ax, ay, az)`` turned by angle ``t`` becomes ``(-ax, -ay, az)`` turned by
  the same ``t`` (for the reflection ``S = diag(1, 1, -1)``, ``S R(a, t) S = R(-S a, t)``),
  so a left-side coordinate moves the left side exactly as the right one moves the right.

Every problem is a ``ModelError`` naming the entry (``muscles.levator_scapulae.c2``,
``landmarks.acromion``, ...). Nothing unknown is silently ignored.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import numpy as np
import yaml

from .._data import load_strict
from .._input import shown
from ..errors import ModelError
from ..vocabulary import GROUPS, MUSCLE_IDS, POSTURE_VARIABLES
from ._body import SIDE_SUFFIX, SIDES, Ellipsoid, Landmark, Sphere, UpperBodyModel
from ._functions import Linear
from ._model import Coordinate, Joint, Model, Muscle, PathPoint, Transform, TransformAxis, WrapEllipsoid

_TOP_KEYS = {"name", "version", "ground", "bodies", "posture_variables", "joint_limits", "surfaces", "obstacles", "landmarks", "muscles"}
_MIRROR = np.array([1.0, 1.0, -1.0])


# --------------------------------------------------------------------------- YAML


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelError(f"model file not found: {path}", field="path") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read ({exc.strerror})", field="path") from None
    try:
        doc = load_strict(text)  # the package's one strict loader: a key given twice is refused
    except ModelError as exc:
        raise ModelError(f"{path.name}: {exc.message}", field="path") from None
    except yaml.YAMLError as exc:
        raise ModelError(f"{path.name}: malformed YAML ({exc})", field="path") from None
    if not isinstance(doc, dict):
        raise ModelError(f"{path.name}: expected a mapping at the top of the file", field="path")
    return doc


# --------------------------------------------------------------------------- checks


def _fail(where: str, message: str) -> ModelError:
    return ModelError(message, field=where)


def _mapping(value, where: str) -> dict:
    if not isinstance(value, dict):
        raise _fail(where, f"expected a mapping, got {type(value).__name__}")
    return value


def _keys(value: dict, where: str, required: set[str], optional: set[str] = frozenset()) -> None:
    missing = sorted(required - set(value))
    if missing:
        raise _fail(where, f"missing {', '.join(missing)}")
    unknown = sorted(set(value) - required - set(optional))
    if unknown:
        raise _fail(where, f"unknown key(s) {', '.join(map(str, unknown))}; allowed: {', '.join(sorted(required | set(optional)))}")


# Far beyond any length (m) or angle (degrees) of a body; past it products would overflow.
_MAX_MAGNITUDE = 1e12


def _number(value, where: str) -> float:
    """A finite number of sensible size: YAML's .nan and .inf, integers too large for a
    float, and anything past ``_MAX_MAGNITUDE`` are refused."""
    number = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            number = float(value)
        except OverflowError:  # an integer of hundreds of digits
            number = None
    if number is None or not math.isfinite(number):
        raise _fail(where, f"expected a finite number, got {shown(value)}")
    if abs(number) > _MAX_MAGNITUDE:
        raise _fail(where, f"{shown(value)} is too large (the limit is {_MAX_MAGNITUDE:g})")
    return number


def _tuple_axes(axes: np.ndarray) -> tuple[tuple[float, float, float], ...]:
    return tuple(tuple(float(v) for v in row) for row in axes)


def _vector(value, where: str) -> np.ndarray:
    if not isinstance(value, (list, tuple)) or len(value) != 3:
        raise _fail(where, f"expected three numbers [x, y, z], got {value!r}")
    return np.array([_number(v, where) for v in value])


def _name(value, where: str) -> str:
    if not isinstance(value, str) or not value or not value.replace("_", "").isalnum() or value != value.lower():
        raise _fail(where, f"expected a lower-case name of letters, digits and underscores, got {value!r}")
    return value


# --------------------------------------------------------------------------- loader


def load_own_model(path, *, muscle_order=None, variable_order=None, groups=None) -> UpperBodyModel:
    """Load and validate the project's own model file.

    ``variable_order`` (default: the contract's posture variables) is the exact set of
    posture variables the file must define, in the order the model uses; likewise
    ``muscle_order`` (default: the contract's muscle ids) must all be present, in that
    order (further muscles in the file follow them).
    """
    p = Path(path)
    doc = _read(p)
    return _Builder(
        doc,
        p.name,
        tuple(variable_order or POSTURE_VARIABLES),
        tuple(muscle_order or MUSCLE_IDS),
        dict(groups if groups is not None else GROUPS),
    ).build()


def _known(name, table) -> bool:
    """``name`` is a string key of ``table`` (a list or mapping in a name's place is not)."""
    return isinstance(name, str) and name in table


class _Builder:
    def __init__(self, doc: dict, filename: str, variable_order, muscle_order, groups):
        self.doc = doc
        self.filename = filename
        self.variable_order = variable_order
        self.muscle_order = muscle_order
        self.groups = groups

    # ----------------------------------------------------------------- entry

    def build(self) -> UpperBodyModel:
        doc = self.doc
        _keys(doc, "model", {"bodies", "landmarks", "muscles", "posture_variables"}, _TOP_KEYS)
        self.ground = _name(doc.get("ground", "ground"), "ground")
        self._body_names()
        self._landmarks()
        self._bodies()
        self._variables()
        limits = self._joint_limits()
        self._muscles()
        surfaces = self._surfaces()
        obstacles = self._obstacles()
        by_name = {s.name: s for s in surfaces}
        for where, name in self.wrap_refs:
            if not _known(name, by_name):
                raise _fail(where, f"unknown surface {shown(name)}; known: {', '.join(by_name) or 'none'}")
        wrap_of = {(s.name, s.side): s for s in surfaces}
        muscles = []
        for m in self.engine_muscles:
            if m.wraps:  # a bilateral surface: the muscle's own side's
                side = m.name.rsplit(".", 1)[1]
                s = wrap_of.get((m.wraps[0], None)) or wrap_of[(m.wraps[0], side)]
                m = dataclasses.replace(m, wraps=(s.wrap_name,))
            muscles.append(m)
        used = {m.wraps[0] for m in muscles if m.wraps}
        wrap_objects = [
            WrapEllipsoid(s.wrap_name, s.body, s.radii,
                          Transform(rotation=np.array(s.axes), translation=np.array(s.centre) - self.origins[s.body]))
            for s in surfaces if s.wrap_name in used
        ]
        model = Model(
            str(doc.get("name", self.filename)),
            self.coordinates,
            self.joints,
            muscles,
            ground=self.ground,
            source=self.filename,
            wrap_objects=wrap_objects,
        )
        return UpperBodyModel(
            model=model,
            name=str(doc.get("name", self.filename)),
            posture_variables=self.variables,
            ranges=self.ranges,
            drive=self.drive,
            coordinate_limits=limits,
            muscle_ids=self.muscle_ids,
            bundles=self.bundle_map,
            bundle_labels=self.bundle_labels,
            attachments=self.attachments,
            landmarks=self.landmarks,
            body_origins=self.origins,
            bilateral_bodies=[b for b, spec in self.body_specs.items() if spec["bilateral"]],
            surfaces=surfaces,
            obstacles=obstacles,
            groups={g: tuple(m) for g, m in self.groups.items() if all(x in self.muscle_ids for x in m)},
        )

    # ----------------------------------------------------------------- bodies

    def _body_names(self) -> None:
        bodies = _mapping(self.doc["bodies"], "bodies")
        self.body_specs: dict[str, dict] = {}
        for name, spec in bodies.items():
            where = f"bodies.{name}"
            _name(name, where)
            if name == self.ground:
                raise _fail(where, f"{name!r} is the ground; it has no joint")
            spec = _mapping(spec, where)
            _keys(spec, where, {"parent", "joint", "centre", "axes"}, {"bilateral"})
            bilateral = spec.get("bilateral", False)
            if not isinstance(bilateral, bool):
                raise _fail(f"{where}.bilateral", f"expected true or false, got {bilateral!r}")
            self.body_specs[name] = {**spec, "bilateral": bilateral}
        for name, spec in self.body_specs.items():
            parent = spec["parent"]
            if parent != self.ground and not _known(parent, self.body_specs):
                raise _fail(f"bodies.{name}.parent", f"unknown body {shown(parent)}; known: {', '.join([self.ground, *self.body_specs])}")
            if parent in self.body_specs and self.body_specs[parent]["bilateral"] and not spec["bilateral"]:
                raise _fail(f"bodies.{name}", f"a midline body cannot hang from the bilateral body {parent!r}")

    def _is_bilateral(self, body: str) -> bool:
        return body != self.ground and self.body_specs[body]["bilateral"]

    def _check_body(self, body, where: str) -> str:
        if body != self.ground and not _known(body, self.body_specs):
            raise _fail(where, f"unknown body {shown(body)}; known: {', '.join([self.ground, *self.body_specs])}")
        return body

    def _side_check(self, body: str, at: np.ndarray, where: str) -> None:
        """Right-side positions have z > 0, midline ones z = 0; a bilateral body holds no midline point."""
        if at[2] < 0:
            raise _fail(where, f"z = {at[2]} is on the left: give the right-side position (z >= 0); the left is mirrored")
        if at[2] == 0 and self._is_bilateral(body):
            raise _fail(where, f"a point on the bilateral body {body!r} must lie on the right (z > 0)")

    def _landmarks(self) -> None:
        lms = _mapping(self.doc["landmarks"], "landmarks")
        self.landmarks: dict[str, Landmark] = {}
        for lid, spec in lms.items():
            where = f"landmarks.{lid}"
            _name(lid, where)
            spec = _mapping(spec, where)
            _keys(spec, where, {"body", "at"})
            body = self._check_body(spec["body"], f"{where}.body")
            at = _vector(spec["at"], f"{where}.at")
            self._side_check(body, at, f"{where}.at")
            self.landmarks[lid] = Landmark(lid, body, tuple(at), bool(at[2] > 0))

    def _axis(self, value, where: str) -> np.ndarray:
        """An axis: three numbers, ``{normal_to: [a, b, c]}`` (the normal (b - a) x (c - a)
        of the plane through three landmarks) or ``{along: [a, b]}`` (from a toward b)."""
        if isinstance(value, dict):
            if len(value) != 1 or next(iter(value)) not in ("normal_to", "along"):
                raise _fail(where, "an axis is [x, y, z], {normal_to: [a, b, c]} or {along: [a, b]}")
            kind, names = next(iter(value.items()))
            count = 3 if kind == "normal_to" else 2
            if not isinstance(names, list) or len(names) != count:
                raise _fail(where, f"{kind} needs {count} landmark ids")
            pts = []
            for n in names:
                if not _known(n, self.landmarks):
                    raise _fail(where, f"unknown landmark {shown(n)}")
                pts.append(np.array(self.landmarks[n].location))
            axis = np.cross(pts[1] - pts[0], pts[2] - pts[0]) if kind == "normal_to" else pts[1] - pts[0]
        else:
            axis = _vector(value, where)
        norm = np.linalg.norm(axis)
        if norm < 1e-9:
            raise _fail(where, "axis has zero length")
        return axis / norm

    def _bodies(self) -> None:
        # Body origins in the neutral ground frame: the joint centres.
        self.origins: dict[str, np.ndarray] = {self.ground: np.zeros(3)}
        self.coordinate_sides: dict[str, bool] = {}  # base coordinate -> bilateral
        self.coordinate_order: list[str] = []
        self.joints: list[Joint] = []
        resolved: dict[str, tuple] = {}
        joint_names = set()
        for name, spec in self.body_specs.items():
            where = f"bodies.{name}"
            joint = _name(spec["joint"], f"{where}.joint")
            if joint in joint_names:
                raise _fail(f"{where}.joint", f"joint name {joint!r} is used twice")
            joint_names.add(joint)
            centre = _vector(spec["centre"], f"{where}.centre")
            if spec["bilateral"] and centre[2] <= 0:
                raise _fail(f"{where}.centre", "a bilateral body's joint centre must be the right-side one (z > 0)")
            if not spec["bilateral"] and centre[2] != 0:
                raise _fail(f"{where}.centre", "a midline body's joint centre must have z = 0")
            axes_in = spec["axes"]
            if not isinstance(axes_in, list) or not axes_in:
                raise _fail(f"{where}.axes", "expected a list of one or more axes")
            axes = []
            for k, ax in enumerate(axes_in):
                aw = f"{where}.axes[{k}]"
                ax = _mapping(ax, aw)
                _keys(ax, aw, {"axis", "coordinate"}, {"scale"})
                coord = _name(ax["coordinate"], f"{aw}.coordinate")
                scale = _number(ax.get("scale", 1.0), f"{aw}.scale")
                if coord in self.coordinate_sides and self.coordinate_sides[coord] != spec["bilateral"]:
                    raise _fail(f"{aw}.coordinate", f"coordinate {coord!r} moves both a midline and a bilateral body")
                if coord not in self.coordinate_sides:
                    self.coordinate_sides[coord] = spec["bilateral"]
                    self.coordinate_order.append(coord)
                axes.append((self._axis(ax["axis"], f"{aw}.axis"), coord, scale))
            resolved[name] = (joint, centre, axes)
        for side in SIDES:
            for name, spec in self.body_specs.items():
                if side == "left" and not spec["bilateral"]:
                    continue
                joint, centre, axes = resolved[name]
                suffix = SIDE_SUFFIX[side] if spec["bilateral"] else ""
                mirror = side == "left" and spec["bilateral"]
                child = name + suffix
                parent = spec["parent"]
                parent_name = parent + (SIDE_SUFFIX[side] if parent != self.ground and self._is_bilateral(parent) else "")
                origin = centre * _MIRROR if mirror else centre
                self.origins[child] = origin
                taxes = []
                for axis, coord, scale in axes:
                    a = np.array([-axis[0], -axis[1], axis[2]]) if mirror else axis
                    taxes.append(TransformAxis("rotation", tuple(a), coord + suffix, Linear(scale)))
                self.joints.append((joint + suffix, parent_name, child, origin, tuple(taxes)))
        # Parent offsets need the parent's origin, known once every body is placed.
        self.joints = [
            Joint(j, parent, child, Transform(np.eye(3), origin - self.origins[parent]), Transform(), axes)
            for j, parent, child, origin, axes in self.joints
        ]
        names = []
        for c in self.coordinate_order:
            if self.coordinate_sides[c]:
                names += [c + SIDE_SUFFIX["left"], c + SIDE_SUFFIX["right"]]
            else:
                names.append(c)
        self.coordinates = [Coordinate(n) for n in names]
        self.coordinate_index = {n: i for i, n in enumerate(names)}

    # ----------------------------------------------------------------- variables

    def _variables(self) -> None:
        specs = _mapping(self.doc["posture_variables"], "posture_variables")
        expanded: dict[str, tuple[float, float]] = {}
        drives: dict[str, dict[str, float]] = {}
        for name, spec in specs.items():
            where = f"posture_variables.{name}"
            _name(name, where)
            spec = _mapping(spec, where)
            _keys(spec, where, {"range"}, {"bilateral", "spread", "drives"})
            if "spread" not in spec and "drives" not in spec:
                raise _fail(where, "give `spread` or `drives`: which coordinates the variable moves")
            rng = spec["range"]
            if not isinstance(rng, list) or len(rng) != 2:
                raise _fail(f"{where}.range", f"expected [negative limit, positive limit], got {rng!r}")
            lo, hi = (_number(v, f"{where}.range") for v in rng)
            if not lo < 0 < hi:
                raise _fail(f"{where}.range", f"bad range [{lo}, {hi}]: it must run from a negative to a positive limit")
            bilateral = spec.get("bilateral", False)
            if not isinstance(bilateral, bool):
                raise _fail(f"{where}.bilateral", f"expected true or false, got {bilateral!r}")
            per_degree = self._drive_of(spec, where)
            for coord in per_degree:
                if coord not in self.coordinate_sides:
                    raise _fail(where, f"unknown coordinate {coord!r}; known: {', '.join(self.coordinate_order)}")
                if self.coordinate_sides[coord] != bilateral:
                    kind = "bilateral" if bilateral else "midline"
                    raise _fail(where, f"a {kind} variable cannot drive the {'midline' if bilateral else 'bilateral'} coordinate {coord!r}")
            if bilateral:
                for side in SIDES:
                    var = f"{name}_{side}"
                    expanded[var] = (lo, hi)
                    drives[var] = {c + SIDE_SUFFIX[side]: v for c, v in per_degree.items()}
            else:
                expanded[name] = (lo, hi)
                drives[name] = dict(per_degree)
        missing = [v for v in self.variable_order if v not in expanded]
        extra = [v for v in expanded if v not in self.variable_order]
        if missing or extra:
            parts = []
            if missing:
                parts.append(f"missing {', '.join(missing)}")
            if extra:
                parts.append(f"unknown {', '.join(extra)}")
            raise _fail("posture_variables", "; ".join(parts) + f" (expected exactly: {', '.join(self.variable_order)})")
        self.variables = tuple(self.variable_order)
        self.ranges = {v: expanded[v] for v in self.variables}
        drive = np.zeros((len(self.coordinates), len(self.variables)))
        for j, var in enumerate(self.variables):
            for coord, slope in drives[var].items():
                drive[self.coordinate_index[coord], j] += np.deg2rad(slope)
        unused = [c.name for c, row in zip(self.coordinates, drive) if not np.any(row)]
        if unused:
            raise _fail("posture_variables", f"no posture variable moves coordinate(s) {', '.join(unused)}")
        self.drive = drive

    def _joint_limits(self) -> np.ndarray | None:
        """``joint_limits``: {coordinate: [lowest, highest] degrees} -> ``(n_coordinates, 2)``
        radians (unlimited coordinates get -inf/+inf), or None when the section is absent.
        A bilateral coordinate's limits hold on both sides."""
        specs = self.doc.get("joint_limits")
        if specs is None:
            return None
        specs = _mapping(specs, "joint_limits")
        out = np.tile([-np.inf, np.inf], (len(self.coordinates), 1))
        for coord, rng in specs.items():
            where = f"joint_limits.{coord}"
            if not _known(coord, self.coordinate_sides):
                raise _fail(where, f"unknown coordinate {shown(coord)}; known: {', '.join(self.coordinate_order)}")
            if not isinstance(rng, list) or len(rng) != 2:
                raise _fail(where, f"expected [lowest, highest] degrees, got {shown(rng)}")
            lo, hi = (_number(v, where) for v in rng)
            if not lo < 0 < hi:
                raise _fail(where, f"bad limits [{lo}, {hi}]: neutral (0) must lie strictly inside")
            names = [coord + SIDE_SUFFIX[side] for side in SIDES] if self.coordinate_sides[coord] else [coord]
            for n in names:
                out[self.coordinate_index[n]] = np.deg2rad([lo, hi])
        return out

    @staticmethod
    def _drive_of(spec: dict, where: str) -> dict[str, float]:
        """Degrees of each coordinate per degree of the variable."""
        out: dict[str, float] = {}
        if "spread" in spec:
            groups = spec["spread"]
            if not isinstance(groups, list) or not groups:
                raise _fail(f"{where}.spread", "expected a list of groups {rom, levels}")
            roms = []
            for k, g in enumerate(groups):
                gw = f"{where}.spread[{k}]"
                g = _mapping(g, gw)
                _keys(g, gw, {"rom", "levels"})
                rom = _number(g["rom"], f"{gw}.rom")
                if rom <= 0:
                    raise _fail(f"{gw}.rom", f"must be positive, got {rom}")
                levels = _mapping(g["levels"], f"{gw}.levels")
                weights = {c: _number(w, f"{gw}.levels.{c}") for c, w in levels.items()}
                if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
                    raise _fail(f"{gw}.levels", "weights must be >= 0 with a positive sum")
                roms.append((rom, weights))
            total = sum(r for r, _ in roms)
            for rom, weights in roms:
                wsum = sum(weights.values())
                for c, w in weights.items():
                    out[c] = out.get(c, 0.0) + rom / total * w / wsum
        if "drives" in spec:
            for c, v in _mapping(spec["drives"], f"{where}.drives").items():
                out[c] = out.get(c, 0.0) + _number(v, f"{where}.drives.{c}")
        return out

    # ----------------------------------------------------------------- muscles

    def _point(self, entry, where: str, side: str) -> tuple[PathPoint, str | None]:
        """One path entry -> (engine path point, landmark id or None for a via point)."""
        if isinstance(entry, str):
            entry = {"landmark": entry}
        entry = _mapping(entry, where)
        if "landmark" in entry:
            _keys(entry, where, {"landmark"}, {"offset"})
            lid = entry["landmark"]
            if not _known(lid, self.landmarks):
                raise _fail(where, f"unknown landmark {shown(lid)} (see docs/landmarks.md)")
            lm = self.landmarks[lid]
            at = np.array(lm.location) + (_vector(entry["offset"], f"{where}.offset") if "offset" in entry else 0.0)
            body, name = lm.body, lid
        elif "via" in entry:
            _keys(entry, where, {"via", "body", "at"})
            name = _name(entry["via"], f"{where}.via")
            body = self._check_body(entry["body"], f"{where}.body")
            at = _vector(entry["at"], f"{where}.at")
            if at[2] < 0 or (at[2] == 0 and self._is_bilateral(body)):
                raise _fail(f"{where}.at", "give the right-side position (z > 0 on a bilateral body, z >= 0 elsewhere)")
        else:
            raise _fail(where, "a path point is a landmark id, {landmark, offset} or {via, body, at}")
        if side == "left":
            at = at * _MIRROR
        engine_body = body + (SIDE_SUFFIX[side] if self._is_bilateral(body) else "")
        local = at - self.origins[engine_body]
        return PathPoint(engine_body, tuple(float(v) for v in local), name), (name if "landmark" in entry else None)

    def _muscles(self) -> None:
        specs = _mapping(self.doc["muscles"], "muscles")
        missing = [m for m in self.muscle_order if m not in specs]
        if missing:
            raise _fail("muscles", f"missing contract muscle(s): {', '.join(missing)}")
        order = list(self.muscle_order) + [m for m in specs if m not in self.muscle_order]
        self.muscle_ids = tuple(order)
        self.engine_muscles: list[Muscle] = []
        self.bundle_map: dict[tuple[str, str], tuple[str, ...]] = {}
        self.bundle_labels: dict[str, tuple[str, ...]] = {}
        self.attachments: dict[str, dict[str, tuple[str, ...]]] = {}
        self.wrap_refs: list[tuple[str, str]] = []  # (entry, surface name), checked once surfaces are read
        for muscle in order:
            where = f"muscles.{muscle}"
            _name(muscle, where)
            spec = _mapping(specs[muscle], where)
            _keys(spec, where, set(), {"bundles", "path", "wrap"})
            muscle_wrap = spec.get("wrap")
            if muscle_wrap is not None:
                self.wrap_refs.append((f"{where}.wrap", muscle_wrap))
            if ("bundles" in spec) == ("path" in spec):
                raise _fail(where, "give either `path` (one line) or `bundles` (several)")
            if "path" in spec:
                bundles = {"": {"path": spec["path"]}}
            else:
                bundles = _mapping(spec["bundles"], f"{where}.bundles")
                if not bundles:
                    raise _fail(f"{where}.bundles", "no bundles")
            self.bundle_labels[muscle] = tuple(bundles)
            origins, insertions = [], []
            for side in SIDES:
                names = []
                for label, bspec in bundles.items():
                    bw = f"{where}.{label}" if label else where
                    if label:
                        _name(label, bw)
                    bspec = _mapping(bspec, bw)
                    _keys(bspec, bw, {"path"}, {"wrap"})
                    wrap = bspec.get("wrap", muscle_wrap)
                    if "wrap" in bspec and side == "right":
                        self.wrap_refs.append((f"{bw}.wrap", bspec["wrap"]))
                    path = bspec["path"]
                    if not isinstance(path, list) or len(path) < 2:
                        n = len(path) if isinstance(path, list) else 0
                        raise _fail(f"{bw}.path", f"a muscle path needs at least 2 points (origin and insertion), got {n}")
                    points, kinds = zip(*(self._point(e, f"{bw}.path[{k}]", side) for k, e in enumerate(path)))
                    if kinds[0] is None or kinds[-1] is None:
                        raise _fail(f"{bw}.path", "origin and insertion (first and last points) must be landmarks")
                    engine = ".".join(x for x in (muscle, label, side) if x)
                    wraps = (wrap,) if isinstance(wrap, str) else ()
                    self.engine_muscles.append(Muscle(engine, tuple(points), wraps))
                    names.append(engine)
                    if side == "right":
                        if kinds[0] not in origins:
                            origins.append(kinds[0])
                        if kinds[-1] not in insertions:
                            insertions.append(kinds[-1])
                self.bundle_map[(muscle, side)] = tuple(names)
            self.attachments[muscle] = {"origin": tuple(origins), "insertion": tuple(insertions)}

    # ----------------------------------------------------------------- extras

    def _surfaces(self) -> list[Ellipsoid]:
        """Ellipsoids fixed to midline bodies; a `bilateral` one is given for the right
        side and mirrored for the left (``wrap: name`` then means each side's own)."""
        out = []
        for name, spec in _mapping(self.doc.get("surfaces", {}) or {}, "surfaces").items():
            where = f"surfaces.{name}"
            spec = _mapping(spec, where)
            _keys(spec, where, {"body", "ellipsoid"}, {"bilateral"})
            body = self._check_body(spec["body"], f"{where}.body")
            if self._is_bilateral(body):
                raise _fail(f"{where}.body", "surfaces ride on midline bodies")
            bilateral = spec.get("bilateral", False)
            if not isinstance(bilateral, bool):
                raise _fail(f"{where}.bilateral", f"must be true or false, got {shown(bilateral)}")
            e = _mapping(spec["ellipsoid"], f"{where}.ellipsoid")
            _keys(e, f"{where}.ellipsoid", {"centre", "radii"}, {"axes"})
            centre = _vector(e["centre"], f"{where}.ellipsoid.centre")
            radii = _vector(e["radii"], f"{where}.ellipsoid.radii")
            if np.any(radii <= 0):
                raise _fail(f"{where}.ellipsoid.radii", "radii must be positive")
            axes = np.eye(3)
            if "axes" in e:
                rows = e["axes"]
                if not isinstance(rows, list) or len(rows) != 3:
                    raise _fail(f"{where}.ellipsoid.axes", "give three unit vectors, one per radius")
                axes = np.column_stack([_vector(r, f"{where}.ellipsoid.axes[{i}]") for i, r in enumerate(rows)])
                if not np.allclose(axes.T @ axes, np.eye(3), atol=1e-3) or np.linalg.det(axes) < 0:
                    raise _fail(f"{where}.ellipsoid.axes", "must be three orthogonal unit vectors, right-handed")
                u, _, vt = np.linalg.svd(axes)  # the nearest rotation (the file's are rounded)
                axes = u @ vt
            if not bilateral:
                out.append(Ellipsoid(name, body, tuple(centre), tuple(radii), _tuple_axes(axes)))
                continue
            if centre[2] <= 0:
                raise _fail(f"{where}.ellipsoid.centre", "a bilateral surface is given for the right side (z > 0)")
            mirror = np.diag([1.0, 1.0, -1.0])
            for side, c, a in (("right", centre, axes), ("left", mirror @ centre, mirror @ axes @ mirror)):
                out.append(Ellipsoid(name, body, tuple(c), tuple(radii), _tuple_axes(a), side))
        return out

    def _obstacles(self) -> list[Sphere]:
        out = []
        for name, spec in _mapping(self.doc.get("obstacles", {}) or {}, "obstacles").items():
            where = f"obstacles.{name}"
            spec = _mapping(spec, where)
            _keys(spec, where, {"body", "centre", "radius"})
            body = self._check_body(spec["body"], f"{where}.body")
            if self._is_bilateral(body):
                raise _fail(f"{where}.body", "obstacles ride on midline bodies")
            radius = _number(spec["radius"], f"{where}.radius")
            if radius <= 0:
                raise _fail(f"{where}.radius", "must be positive")
            out.append(Sphere(name, body, tuple(_vector(spec["centre"], f"{where}.centre")), radius))
        return out
