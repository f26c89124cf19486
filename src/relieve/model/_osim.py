"""Read an OpenSim ``.osim`` file into a ``Model`` from the XML itself (no OpenSim at run time).

Both layouts OpenSim 4.6 still reads are understood: the 4.0 layout (joints in a
JointSet, frames and sockets addressed by component paths) and the older one
(each joint inside its child body, ``parent_body`` / ``location_in_parent``).

Wrapping: a muscle may wrap over one WrapEllipsoid, unconstrained (quadrant
``all``), with PathWrap method ``midpoint`` over the whole path (range -1 -1); the
engine computes it as OpenSim does (``_kernel._wrap_ellipsoid``). An inactive wrap
object is left out, as OpenSim leaves it out.

Anything else that would change a muscle's length and that we cannot compute — any
other wrap (a cylinder, sphere, torus or obstacle-set object, a constrained quadrant,
the hybrid or axial method, a partial range, two wraps on one path), a kinematic
constraint other than a coordinate coupler, a joint type or function we do not
implement — is refused with a message naming the element and the muscle or joint
concerned. Nothing is silently ignored.
"""

from __future__ import annotations

import math
import posixpath
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from .._input import shown
from ..errors import ModelError
from ._functions import Constant, Function, Linear, Multiplier, Spline
from ._model import Coordinate, Coupler, Joint, Model, Muscle, PathPoint, Transform, TransformAxis, WrapEllipsoid

_FUNCTION_TAGS = {"Constant", "LinearFunction", "SimmSpline", "MultiplierFunction"}
_KNOWN_UNSUPPORTED_FUNCTIONS = {
    "NaturalCubicSpline",
    "GCVSpline",
    "PolynomialFunction",
    "PiecewiseLinearFunction",
    "PiecewiseConstantFunction",
    "StepFunction",
    "Sine",
    "MultivariatePolynomialFunction",
    "FunctionBasedBushingForce",
}
_SUPPORTED_JOINTS = {"CustomJoint", "WeldJoint", "PinJoint", "SliderJoint"}
_SET_NAMES = {
    "BodySet": "bodyset",
    "JointSet": "jointset",
    "ForceSet": "forceset",
    "ConstraintSet": "constraintset",
    "ComponentSet": "componentset",
    "MarkerSet": "markerset",
    "ContactGeometrySet": "contactgeometryset",
    "ControllerSet": "controllerset",
    "ProbeSet": "probeset",
}


def load_osim(path) -> Model:
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise ModelError(f"{path.name}: malformed XML ({exc})", field="path") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read ({exc.strerror})", field="path") from None
    model_el = root.find("Model") if root.tag == "OpenSimDocument" else None
    if model_el is None:
        raise ModelError(f"{path.name}: not an OpenSim model (no <OpenSimDocument><Model>)", field="path")
    try:
        version = int(root.get("Version", "40000"))
    except ValueError:
        version = 40000
    reader = _Reader(path.name, model_el, version)
    try:
        # Odd but finite numbers (nested multipliers...) must not print NumPy warnings;
        # a length that is not finite is refused where it is computed for output.
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            return reader.build()
    except ModelError as exc:
        if exc.field is None and not exc.message.startswith(path.name + ":"):
            # A number or a reference deep in the file: say which file.
            raise ModelError(f"{path.name}: {exc.message}", field="path") from None
        raise
    except RecursionError:
        # Frames, functions or components nested thousands deep.
        raise ModelError(f"{path.name}: elements are nested too deeply to read", field="path") from None


# --------------------------------------------------------------------------- helpers


# No number a model means comes near this (the largest in the reference models is a
# coordinate range of 99,999.9); beyond it squares and spline slopes would overflow.
_MAX_MAGNITUDE = 1e12


def _floats(text: str | None, n: int | None, where: str) -> list[float]:
    """The numbers of an element's text; each must be finite (``nan``, ``inf`` and
    ``1e999`` are refused: they would make every length NaN or infinite) and at most
    ``_MAX_MAGNITUDE`` in size."""
    words = (text or "").split()
    vals = []
    for k, word in enumerate(words):
        try:
            value = float(word)
        except ValueError:
            raise ModelError(f"{where}: expected numbers, got {shown(word)}") from None
        place = f" (number {k + 1})" if len(words) > 1 else ""
        if not math.isfinite(value):
            raise ModelError(f"{where}: {shown(word)}{place} is not a finite number")
        if abs(value) > _MAX_MAGNITUDE:
            raise ModelError(f"{where}: {shown(word)}{place} is too large (the limit is {_MAX_MAGNITUDE:g})")
        vals.append(value)
    if n is not None and len(vals) != n:
        raise ModelError(f"{where}: expected {n} numbers, got {len(vals)}")
    return vals


def _axis(text: str | None, where: str) -> tuple[float, float, float]:
    """A joint axis: three finite numbers, not all zero. Only its direction counts, so
    it is scaled to a largest component of 1 (``1e308 1e308 0`` would overflow its
    length, ``1e-320 0 0`` underflow it)."""
    axis = _floats(text, 3, f"{where} axis")
    largest = max(abs(a) for a in axis)
    if largest == 0:
        raise ModelError(f"{where} axis: the axis has zero length")
    return tuple(a / largest for a in axis)


def _name_of(el: ET.Element, kind: str) -> str:
    """An element's ``name`` attribute, which later steps look things up by."""
    name = el.get("name")
    if not name or not name.strip():
        raise ModelError(f"a {kind} ({el.tag}) has no name")
    return name


def _bool(text: str | None, default: bool = False) -> bool:
    if text is None:
        return default
    return text.strip().lower() in ("true", "1")


def _function_child(el: ET.Element) -> ET.Element | None:
    """The function element of a property: the child itself (4.0) or wrapped in <function>."""
    for child in el:
        if child.tag in _FUNCTION_TAGS or child.tag in _KNOWN_UNSUPPORTED_FUNCTIONS:
            return child
        if child.tag == "function" and len(child):
            return _function_child(child)
    return None


class _Unsupported(ModelError):
    """Something OpenSim has that we do not compute (collected and reported together);
    a malformed or non-finite number is a plain ``ModelError``, raised at once."""


def _parse_function(el: ET.Element, where: str) -> Function:
    tag = el.tag
    if tag == "Constant":
        return Constant(_floats(el.findtext("value"), 1, f"{where} Constant")[0])
    if tag == "LinearFunction":
        coeffs = _floats(el.findtext("coefficients"), 2, f"{where} LinearFunction coefficients")
        return Linear(coeffs[0], coeffs[1])
    if tag == "SimmSpline":
        x = _floats(el.findtext("x"), None, f"{where} SimmSpline x")
        y = _floats(el.findtext("y"), None, f"{where} SimmSpline y")
        try:
            return Spline(tuple(x), tuple(y))
        except ValueError as exc:
            raise ModelError(f"{where}: SimmSpline {exc}") from None
    if tag == "MultiplierFunction":
        holder = el.find("function")
        inner_el = _function_child(holder) if holder is not None else None
        if inner_el is None:
            raise ModelError(f"{where}: MultiplierFunction has no inner function")
        scale = _floats(el.findtext("scale") or "1", 1, f"{where} MultiplierFunction scale")[0]
        return Multiplier(_parse_function(inner_el, where), scale)
    raise _Unsupported(f"{where}: function type {tag} is not supported (supported: {', '.join(sorted(_FUNCTION_TAGS))})")


def _property_function(el: ET.Element, prop: str, where: str) -> Function | None:
    holder = el.find(prop)
    if holder is None:
        return None
    fn_el = _function_child(holder)
    if fn_el is None:
        return None
    return _parse_function(fn_el, where)


# --------------------------------------------------------------------------- reader


class _Reader:
    def __init__(self, filename: str, model_el: ET.Element, version: int):
        self.filename = filename
        self.model_el = model_el
        self.version = version
        self.problems: list[str] = []
        # component path -> (element, owner path)
        self.paths: dict[str, ET.Element] = {}
        self.body_names: set[str] = set()
        self.ground = "ground"
        self.coordinates: dict[str, dict] = {}
        self.coordinate_order: list[str] = []
        self._by_tail: dict[str, list[str]] | None = None  # last path component -> paths
        self._by_tail_count = 0

    # ------------------------------------------------------------- entry point

    def build(self) -> Model:
        if self.version >= 40000:
            joints = self._joints_v4()
        else:
            joints = self._joints_v3()
        couplers = self._couplers()
        muscles = self._muscles()
        if self.problems:
            # One line, naming the first problem of each kind (joint, constraint, muscle...).
            firsts: dict[str, str] = {}
            for p in self.problems:
                firsts.setdefault(p.split(" ", 1)[0], p)
            rest = len(self.problems) - len(firsts)
            more = f" (and {rest} more)" if rest else ""
            raise ModelError(f"{self.filename}: cannot honour " + "; ".join(firsts.values()) + more, field="path")
        translational = {ax.coordinate for j in joints for ax in j.axes if ax.kind == "translation"}
        coords = []
        for name in self.coordinate_order:
            c = self.coordinates[name]
            motion = c.get("motion") or ("translational" if name in translational else "rotational")
            coords.append(
                Coordinate(
                    name=name,
                    default=c["default"],
                    range=c["range"],
                    motion=motion,
                    locked=c["locked"],
                    clamped=c["clamped"],
                )
            )
        name = self.model_el.get("name", self.filename)
        used = {w for m in muscles for w in m.wraps}
        wrap_objects = [self._ellipsoids[w] for w in sorted(used)]
        return Model(name, coords, joints, muscles, couplers, ground=self.ground, source=self.filename,
                     wrap_objects=wrap_objects)

    # ------------------------------------------------------------- 4.0 layout

    def _index_paths(self, el: ET.Element, path: str) -> None:
        for child in el:
            if child.tag in _SET_NAMES:
                self._index_paths(child, path.rstrip("/") + "/" + (child.get("name") or _SET_NAMES[child.tag]))
            elif child.tag in ("objects", "frames", "components", "attached_geometry", "coordinates"):
                self._index_paths(child, path)
            elif child.get("name") is not None and child.tag[0].isupper():
                p = path.rstrip("/") + "/" + child.get("name")
                self.paths.setdefault(p, child)
                self._index_paths(child, p)

    def _resolve(self, owner: str, ref: str, what: str) -> str:
        ref = (ref or "").strip()
        if not ref:
            raise ModelError(f"{self.filename}: {what} names no frame")
        path = ref if ref.startswith("/") else posixpath.normpath(posixpath.join(owner, ref))
        if path in self.paths:
            return path
        # OpenSim also accepts a bare name that is unique in the model. (Indexed once, so
        # a file of many such references is not read in quadratic time.)
        if self._by_tail is None or self._by_tail_count != len(self.paths):
            self._by_tail_count = len(self.paths)
            self._by_tail = {}
            for p in self.paths:
                self._by_tail.setdefault(p.rsplit("/", 1)[-1], []).append(p)
        hits = self._by_tail.get(ref.rstrip("/").split("/")[-1], [])
        if len(hits) == 1:
            return hits[0]
        raise ModelError(f"{self.filename}: {what} refers to {ref!r}, which does not exist")

    def _frame(self, path: str, what: str, seen: tuple = ()) -> tuple[str, Transform]:
        """(body name, pose of the frame in that body) for a frame path."""
        el = self.paths[path]
        if path == "/ground" or el.tag == "Ground":
            return self.ground, Transform()
        if el.tag == "Body":
            return el.get("name"), Transform()
        if el.tag == "PhysicalOffsetFrame":
            if path in seen:
                raise ModelError(f"{self.filename}: frame {path} is its own parent")
            parent_ref = el.findtext("socket_parent")
            parent = self._resolve(path, parent_ref, f"frame {path}")
            body, base = self._frame(parent, what, seen + (path,))
            here = Transform.from_xyz_body_fixed(
                _floats(el.findtext("orientation") or "0 0 0", 3, f"frame {path} orientation"),
                _floats(el.findtext("translation") or "0 0 0", 3, f"frame {path} translation"),
            )
            return body, base.compose(here)
        raise ModelError(f"{self.filename}: {what} uses {el.tag} {path}, which is not a physical frame")

    def _joints_v4(self) -> list[Joint]:
        self._index_paths(self.model_el, "/")
        ground_el = self.model_el.find("Ground")
        self.ground = ground_el.get("name", "ground") if ground_el is not None else "ground"
        self.paths["/" + self.ground] = ground_el if ground_el is not None else ET.Element("Ground")
        bodyset = self.model_el.find("BodySet/objects")
        self.body_names = {b.get("name") for b in (bodyset if bodyset is not None else [])}
        joints = []
        jointset = self.model_el.find("JointSet/objects")
        for jel in jointset if jointset is not None else []:
            jname = jel.get("name")
            jpath = f"/jointset/{jname}"
            parent_path = self._resolve(jpath, jel.findtext("socket_parent_frame"), f"joint {jname!r} parent frame")
            child_path = self._resolve(jpath, jel.findtext("socket_child_frame"), f"joint {jname!r} child frame")
            parent_body, parent_off = self._frame(parent_path, f"joint {jname!r}")
            child_body, child_off = self._frame(child_path, f"joint {jname!r}")
            coords = jel.findall("coordinates/Coordinate")
            joints.append(self._joint(jel, jname, parent_body, child_body, parent_off, child_off, coords))
        return joints

    # ------------------------------------------------------------- older layout

    def _joints_v3(self) -> list[Joint]:
        bodyset = self.model_el.find("BodySet/objects")
        bodies = list(bodyset if bodyset is not None else [])
        self.body_names = {b.get("name") for b in bodies}
        self.ground = "ground"
        joints = []
        for bel in bodies:
            holder = bel.find("Joint")
            jel = holder[0] if holder is not None and len(holder) else None
            if jel is None:
                continue  # the ground, or a body with no joint (refused below if used)
            jname = jel.get("name") or bel.get("name")
            parent_body = (jel.findtext("parent_body") or "").strip()
            parent_off = Transform.from_xyz_body_fixed(
                _floats(jel.findtext("orientation_in_parent") or "0 0 0", 3, f"joint {jname!r} orientation_in_parent"),
                _floats(jel.findtext("location_in_parent") or "0 0 0", 3, f"joint {jname!r} location_in_parent"),
            )
            child_off = Transform.from_xyz_body_fixed(
                _floats(jel.findtext("orientation") or "0 0 0", 3, f"joint {jname!r} orientation"),
                _floats(jel.findtext("location") or "0 0 0", 3, f"joint {jname!r} location"),
            )
            if _bool(jel.findtext("reverse")):
                self.problems.append(f"joint {jname!r} (reversed joints are not supported)")
            coords = jel.findall("CoordinateSet/objects/Coordinate")
            joints.append(self._joint(jel, jname, parent_body, bel.get("name"), parent_off, child_off, coords))
        return joints

    # ------------------------------------------------------------- shared

    def _coordinate(self, cel: ET.Element, jname: str) -> str:
        name = _name_of(cel, f"coordinate of joint {jname!r}")
        if name in self.coordinates:
            raise ModelError(f"{self.filename}: coordinate {name!r} is defined twice")
        where = f"coordinate {name!r}"
        rng = _floats(cel.findtext("range") or "-3.14159265 3.14159265", 2, f"{where} range")
        motion = (cel.findtext("motion_type") or "").strip() or None
        self.coordinates[name] = {
            "default": _floats(cel.findtext("default_value") or "0", 1, f"{where} default_value")[0],
            "range": (min(rng), max(rng)),
            "locked": _bool(cel.findtext("locked")),
            "clamped": _bool(cel.findtext("clamped")),
            "motion": motion if motion in ("rotational", "translational") else None,
        }
        self.coordinate_order.append(name)
        return name

    def _joint(self, jel, jname, parent_body, child_body, parent_off, child_off, coord_els) -> Joint:
        if parent_body != self.ground and parent_body not in self.body_names:
            raise ModelError(f"{self.filename}: joint {jname!r}: parent body {parent_body!r} does not exist")
        if jel.tag not in _SUPPORTED_JOINTS:
            self.problems.append(
                f"joint {jname!r} of type {jel.tag} (supported: {', '.join(sorted(_SUPPORTED_JOINTS))})"
            )
            return Joint(jname, parent_body, child_body, parent_off, child_off, ())
        names = [self._coordinate(c, jname) for c in coord_els]
        axes: list[TransformAxis] = []
        if jel.tag == "CustomJoint":
            st = jel.find("SpatialTransform")
            for ta in st if st is not None else []:
                kind = "rotation" if ta.get("name", "").startswith("rotation") else "translation"
                cnames = (ta.findtext("coordinates") or "").split()
                where = f"joint {jname!r} {ta.get('name')}"
                if len(cnames) > 1:
                    self.problems.append(f"{where}: a function of several coordinates ({', '.join(cnames)})")
                    continue
                axis = _axis(ta.findtext("axis"), where)
                fn_el = _function_child(ta)
                if fn_el is None:
                    fn: Function = Linear(1.0, 0.0) if cnames else Constant(0.0)
                else:
                    try:
                        fn = _parse_function(fn_el, where)
                    except _Unsupported as exc:
                        self.problems.append(str(exc))
                        continue
                coord = cnames[0] if cnames else None
                if coord is not None and coord not in names:
                    raise ModelError(f"{self.filename}: {where} uses coordinate {coord!r}, which joint {jname!r} does not own")
                axes.append(TransformAxis(kind, tuple(axis), coord, fn))
        elif jel.tag == "PinJoint" and names:
            axes.append(TransformAxis("rotation", (0.0, 0.0, 1.0), names[0], Linear(1.0, 0.0)))
        elif jel.tag == "SliderJoint" and names:
            axes.append(TransformAxis("translation", (1.0, 0.0, 0.0), names[0], Linear(1.0, 0.0)))
            self.coordinates[names[0]]["motion"] = "translational"
        return Joint(jname, parent_body, child_body, parent_off, child_off, tuple(axes))

    def _couplers(self) -> list[Coupler]:
        out = []
        cset = self.model_el.find("ConstraintSet/objects")
        for cel in cset if cset is not None else []:
            name = cel.get("name")
            enforced = _bool(cel.findtext("isEnforced"), True) and not _bool(cel.findtext("isDisabled"), False)
            if not enforced:
                continue
            if cel.tag != "CoordinateCouplerConstraint":
                self.problems.append(f"constraint {name!r} of type {cel.tag} (only CoordinateCouplerConstraint is supported)")
                continue
            where = f"constraint {name!r}"
            independent = (cel.findtext("independent_coordinate_names") or "").split()
            dependent = (cel.findtext("dependent_coordinate_name") or "").strip()
            if len(independent) != 1:
                self.problems.append(f"{where}: couples {len(independent)} independent coordinates (one is supported)")
                continue
            fn = _property_function(cel, "coupled_coordinates_function", where)
            if fn is None:
                raise ModelError(f"{self.filename}: {where} has no coupled_coordinates_function")
            scale = _floats(cel.findtext("scale_factor") or "1", 1, f"{where} scale_factor")[0]
            if scale != 1.0:
                fn = Multiplier(fn, scale)
            for c in independent + [dependent]:
                if c not in self.coordinates:
                    raise ModelError(f"{self.filename}: {where} refers to coordinate {c!r}, which does not exist")
            out.append(Coupler(name, dependent, independent[0], fn))
        return out

    def _wrap_objects(self) -> dict[str, str]:
        """Every wrap object's kind by name; WrapEllipsoids are read into
        ``self._ellipsoids`` (name -> WrapEllipsoid, or the reason it cannot be used)."""
        kinds: dict[str, str] = {}
        self._ellipsoids: dict[str, WrapEllipsoid | str] = {}
        for body_el in self.model_el.iter():
            holder = body_el.find("WrapObjectSet")
            if holder is None or body_el.tag not in ("Ground", "Body"):
                continue
            body = self.ground if body_el.tag == "Ground" else _name_of(body_el, "body")
            objs = holder.find("objects")
            for w in objs if objs is not None else []:
                wname = _name_of(w, "wrap object")
                kinds[wname] = w.tag
                if w.tag != "WrapEllipsoid":
                    continue
                where = f"WrapEllipsoid {wname!r}"
                if not _bool(w.findtext("active"), True):
                    self._ellipsoids[wname] = "inactive"
                    continue
                quadrant = (w.findtext("quadrant") or "all").strip().lower()
                if quadrant not in ("all", ""):
                    self._ellipsoids[wname] = f"it is constrained to quadrant {quadrant!r} (only unconstrained, 'all', is supported)"
                    continue
                radii = _floats(w.findtext("dimensions"), 3, f"{where} dimensions")
                if any(r <= 0 for r in radii):
                    raise ModelError(f"{self.filename}: {where} has dimensions {radii}; they must be positive")
                rot = _floats(w.findtext("xyz_body_rotation") or "0 0 0", 3, f"{where} xyz_body_rotation")
                trans = _floats(w.findtext("translation") or "0 0 0", 3, f"{where} translation")
                self._ellipsoids[wname] = WrapEllipsoid(
                    wname, body, tuple(radii), Transform.from_xyz_body_fixed(rot, trans)
                )
        return kinds

    def _muscle_wraps(self, name: str, gp: ET.Element, kinds: dict[str, str]) -> tuple[str, ...]:
        """The wrap objects a muscle's path uses, or problems recorded for the others."""
        out = []
        for pw in gp.findall("PathWrapSet/objects/PathWrap"):
            obj = (pw.findtext("wrap_object") or "").strip()
            kind = kinds.get(obj)
            if kind is None:
                self.problems.append(f"muscle {name!r}: it wraps over {obj!r}, which is not a wrap object of the model")
                continue
            if kind != "WrapEllipsoid":
                self.problems.append(
                    f"muscle {name!r}: it wraps over {kind} {obj!r}; of the wrap objects only WrapEllipsoid is supported"
                )
                continue
            found = self._ellipsoids[obj]
            if found == "inactive":
                continue
            if isinstance(found, str):
                self.problems.append(f"muscle {name!r}: it wraps over WrapEllipsoid {obj!r}, and {found}")
                continue
            method = (pw.findtext("method") or "hybrid").strip().lower()
            if method != "midpoint":
                self.problems.append(
                    f"muscle {name!r}: its wrap over WrapEllipsoid {obj!r} uses method {method!r} "
                    "(only 'midpoint' is supported)"
                )
                continue
            rng = pw.findtext("range")
            lo, hi = (int(v) for v in _floats(rng, 2, f"muscle {name!r} PathWrap range")) if rng else (-1, -1)
            if (lo, hi) != (-1, -1):
                self.problems.append(
                    f"muscle {name!r}: its wrap over WrapEllipsoid {obj!r} is limited to points {lo}-{hi} "
                    "(only the whole path, range -1 -1, is supported)"
                )
                continue
            out.append(obj)
        if len(out) > 1:
            self.problems.append(f"muscle {name!r}: it wraps over {len(out)} objects ({', '.join(out)}); one is supported")
            return ()
        return tuple(out)

    def _muscles(self) -> list[Muscle]:
        wraps = self._wrap_objects()
        muscles = []
        fset = self.model_el.find("ForceSet/objects")
        for fel in fset if fset is not None else []:
            if "Muscle" not in fel.tag:
                continue
            name = fel.get("name")
            gp = fel.find("GeometryPath")
            if gp is None:
                raise ModelError(f"{self.filename}: muscle {name!r} has no GeometryPath")
            muscle_wraps = self._muscle_wraps(name, gp, wraps)
            points = []
            pset = gp.find("PathPointSet/objects")
            for pel in pset if pset is not None else []:
                pt = self._path_point(pel, name)
                if pt is not None:
                    points.append(pt)
            if len(points) < 2:
                raise ModelError(f"{self.filename}: muscle {name!r} has {len(points)} path point(s); it needs at least 2")
            muscles.append(Muscle(name, tuple(points), muscle_wraps))
        return muscles

    def _point_body(self, pel: ET.Element, muscle: str) -> tuple[str, Transform]:
        pname = pel.get("name", "?")
        if self.version >= 40000:
            ref = pel.findtext("socket_parent_frame")
            owner = f"/forceset/{muscle}/geometrypath/{pname}"
            path = self._resolve(owner, ref, f"muscle {muscle!r} point {pname!r}")
            return self._frame(path, f"muscle {muscle!r} point {pname!r}")
        body = (pel.findtext("body") or "").strip()
        if body != self.ground and body not in self.body_names:
            raise ModelError(f"{self.filename}: muscle {muscle!r} point {pname!r} is on unknown body {body!r}")
        return body, Transform()

    def _coordinate_ref(self, pel: ET.Element, prop: str, muscle: str) -> str | None:
        ref = pel.findtext(f"socket_{prop}") or pel.findtext(prop)
        if ref is None or not ref.strip():
            return None
        name = ref.strip().rstrip("/").split("/")[-1]
        if name not in self.coordinates:
            raise ModelError(f"{self.filename}: muscle {muscle!r} point {pel.get('name')!r} uses unknown coordinate {name!r}")
        return name

    def _path_point(self, pel: ET.Element, muscle: str) -> PathPoint | None:
        pname = pel.get("name", "")
        where = f"muscle {muscle!r} point {pname!r}"
        if pel.tag not in ("PathPoint", "ConditionalPathPoint", "MovingPathPoint"):
            self.problems.append(f"{where}: path point type {pel.tag} is not supported")
            return None
        body, frame = self._point_body(pel, muscle)
        if pel.tag == "MovingPathPoint":
            parts = []
            for axis in ("x", "y", "z"):
                coord = self._coordinate_ref(pel, f"{axis}_coordinate", muscle)
                fn = _property_function(pel, f"{axis}_location", f"{where} {axis}_location")
                if fn is None:
                    fn = Constant(0.0)
                parts.append((coord, fn))
            if not np.allclose(frame.rotation, np.eye(3)) or np.any(frame.translation):
                # Express the moving location in the body by wrapping each axis is not
                # separable; refuse rather than guess.
                self.problems.append(f"{where}: a moving point on an offset frame is not supported")
                return None
            return PathPoint(body, (0.0, 0.0, 0.0), pname, moving=tuple(parts))
        loc = np.array(_floats(pel.findtext("location"), 3, f"{where} location"))
        loc = frame.rotation @ loc + frame.translation
        if pel.tag == "ConditionalPathPoint":
            coord = self._coordinate_ref(pel, "coordinate", muscle)
            rng = _floats(pel.findtext("range"), 2, f"{where} range")
            if coord is None:
                raise ModelError(f"{self.filename}: {where} names no coordinate")
            return PathPoint(body, tuple(loc), pname, coordinate=coord, active_range=(rng[0], rng[1]))
        return PathPoint(body, tuple(loc), pname)
