"""The engine's behaviour without OpenSim: shapes, chunking, limits, errors."""

from __future__ import annotations

import numpy as np
import pytest

from relieve.errors import ModelError, UnknownNameError
from relieve.model import (
    Constant,
    Coordinate,
    Joint,
    Linear,
    Model,
    Muscle,
    PathPoint,
    Spline,
    Transform,
    TransformAxis,
    load_model,
)

from conftest import DATA

V3 = DATA / "two_links_v3.osim"


def _pendulum(points=((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))):
    """A rod hinged about z at the ground origin; a muscle from (0, 1, 0) in the
    ground to a point on the rod. Its length has a closed form."""
    coords = [Coordinate("theta", default=0.0, range=(-1.0, 1.0), clamped=True)]
    joints = [Joint("hinge", "ground", "rod", axes=(TransformAxis("rotation", (0, 0, 1), "theta", Linear(1, 0)),))]
    muscle = Muscle("m", (PathPoint("ground", (0.0, 1.0, 0.0)), PathPoint("rod", points[1])))
    return Model("pendulum", coords, joints, [muscle])


def test_closed_form_length_and_moment_arm():
    model = _pendulum()
    theta = np.linspace(-0.9, 0.9, 7)[:, None]
    # rod tip at (cos t, sin t, 0); origin (0, 1, 0): L^2 = 2 - 2 sin t
    expected = np.sqrt(2 - 2 * np.sin(theta[:, 0]))
    np.testing.assert_allclose(model.muscle_lengths(theta)[:, 0], expected, atol=1e-14)
    derivative = -np.cos(theta[:, 0]) / expected
    np.testing.assert_allclose(model.moment_arms(theta, "theta")[:, 0], -derivative, atol=1e-10)


def test_clamped_coordinate_is_held_in_range():
    model = _pendulum()
    inside = model.muscle_lengths(np.array([[1.0]]))
    beyond = model.muscle_lengths(np.array([[1.7]]))
    np.testing.assert_allclose(beyond, inside)


def test_locked_coordinate_stays_at_default():
    model = load_model(V3)
    q = model.default_q()
    moved = q.copy()
    moved[model.coordinate_names.index("q5")] += 0.4
    np.testing.assert_allclose(model.muscle_lengths(moved), model.muscle_lengths(q))


def test_chunking_and_single_posture_agree():
    model = load_model(V3)
    rng = np.random.default_rng(0)
    q = model.default_q() + rng.normal(scale=0.2, size=(1001, len(model.coordinate_names)))
    whole = model.muscle_lengths(q)
    np.testing.assert_array_equal(model.muscle_lengths(q, chunk=7), whole)
    np.testing.assert_allclose(model.muscle_lengths(q[17]), whole[17:18])
    assert whole.shape == (1001, 2)


def test_length_jacobian_columns_are_moment_arms():
    model = load_model(V3)
    q = np.tile(model.default_q(), (3, 1))
    jac = model.length_jacobian(q)
    assert jac.shape == (3, 2, len(model.coordinate_names))
    for k, name in enumerate(model.coordinate_names):
        np.testing.assert_allclose(-jac[:, :, k], model.moment_arms(q, name))


def test_q_from_names_and_errors():
    model = load_model(V3)
    q = model.q_from({"q1": 0.3}, n=2)
    assert q.shape == (2, len(model.coordinate_names))
    assert q[0, model.coordinate_names.index("q1")] == 0.3
    with pytest.raises(UnknownNameError, match="no coordinate 'nope'"):
        model.q_from({"nope": 1.0})
    with pytest.raises(UnknownNameError, match="driven by a coupler"):
        model.q_from({"q4": 1.0})
    with pytest.raises(ModelError, match=r"shape \(N, 5\)"):
        model.muscle_lengths(np.zeros((2, 3)))


def test_spline_rejects_bad_knots():
    with pytest.raises(ValueError):
        Spline((0.0,), (1.0,))
    with pytest.raises(ValueError):
        Spline((0.0, 0.0, 1.0), (1.0, 2.0, 3.0))


def test_constant_axis_and_offsets_compose():
    # A fixed 90 degree turn about z then a translation: the rod points along y.
    coords = [Coordinate("unused", default=0.0)]
    joints = [
        Joint(
            "fixed",
            "ground",
            "rod",
            parent_offset=Transform.from_xyz_body_fixed((0, 0, 0), (0.0, 0.0, 0.5)),
            axes=(
                TransformAxis("rotation", (0, 0, 1), None, Constant(np.pi / 2)),
                TransformAxis("rotation", (1, 0, 0), "unused", Linear(1, 0)),
            ),
        )
    ]
    muscle = Muscle("m", (PathPoint("ground", (0.0, 0.0, 0.5)), PathPoint("rod", (2.0, 0.0, 0.0))))
    model = Model("fixed", coords, joints, [muscle])
    np.testing.assert_allclose(model.muscle_lengths(np.zeros((1, 1))), [[2.0]])
    tip = model.points_in_ground(np.zeros((1, 1)), "rod", [(2.0, 0.0, 0.0)])
    np.testing.assert_allclose(tip[0, 0], (0.0, 2.0, 0.5), atol=1e-15)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s.replace("<parent_body>upper</parent_body>", "<parent_body>elsewhere</parent_body>"),
         "joint 'elbow': parent body 'elsewhere' does not exist"),
        (lambda s: s.replace(
            """                <PathPoint name="plain-P2">""",
            """                <PathPoint name="gone">""",
        ).replace(
            """<PathPoint name="plain-P1">
                  <location>-0.03 1.1 0.02</location>
                  <body>ground</body>
                </PathPoint>""", "").replace(
            """                <PathPoint name="plain-P3">
                  <location>-0.02 -0.15 0.01</location>
                  <body>upper</body>
                </PathPoint>
                <PathPoint name="plain-P4">
                  <location>-0.01 -0.1 -0.02</location>
                  <body>lower</body>
                </PathPoint>""", ""),
         "muscle 'plain' has 1 path point(s); it needs at least 2"),
        (lambda s: s.replace("<x> -1 -0.3 0.4 1</x><y> -0.8 -0.2 0.5 0.7</y></SimmSpline>",
                             "</SimmSpline>").replace("<SimmSpline></SimmSpline>",
                                                     "<NaturalCubicSpline><x>0 1</x><y>0 1</y></NaturalCubicSpline>"),
         "function type NaturalCubicSpline is not supported"),
        (lambda s: s.replace("</GeometryPath>\n          <max_isometric_force>100</max_isometric_force>\n          <optimal_fiber_length>0.1</optimal_fiber_length>\n          <tendon_slack_length>0.2</tendon_slack_length>\n        </Thelen2003Muscle>\n        <Thelen2003Muscle name=\"plain\">",
                             "<PathWrapSet><objects><PathWrap name=\"w\"><wrap_object>Cyl</wrap_object></PathWrap></objects></PathWrapSet></GeometryPath>\n          <max_isometric_force>100</max_isometric_force>\n        </Thelen2003Muscle>\n        <Thelen2003Muscle name=\"plain\">"),
         "muscle 'crossing': it wraps over 'Cyl', which is not a wrap object of the model"),
        (lambda s: s.replace("<Body name=\"lower\">", "<Body name=\"lower\"", 1), "malformed XML"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, mutate, message):
    text = V3.read_text()
    bad = mutate(text)
    assert bad != text
    path = tmp_path / "bad.osim"
    path.write_text(bad)
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_missing_and_unknown_files(tmp_path):
    with pytest.raises(ModelError, match="not found"):
        load_model(tmp_path / "absent.osim")
    other = tmp_path / "model.txt"
    other.write_text("hello")
    with pytest.raises(ModelError, match="unknown model format"):
        load_model(other)
    not_osim = tmp_path / "x.osim"
    not_osim.write_text("<Other/>")
    with pytest.raises(ModelError, match="not an OpenSim model"):
        load_model(not_osim)


# --------------------------------------------------------------------------- wrapping

WRAP = DATA / "ellipsoid_wrap.osim"


def _wrap_postures(model, n=200, seed=3):
    rng = np.random.default_rng(seed)
    lo = np.array([model.coordinate(c).range[0] for c in model.coordinate_names])
    hi = np.array([model.coordinate(c).range[1] for c in model.coordinate_names])
    return lo + (hi - lo) * rng.random((n, len(lo)))


def test_wrapped_path_points_give_the_wrapped_length():
    """muscle_path inserts the wrap's tangent points and arc (the kernel's own function,
    run as Python); the polyline's length is the computed length within the chords'
    shortfall (24 points a radian: < 0.05 mm here), and no point of it is inside the
    ellipsoid."""
    model = load_model(WRAP)
    q = _wrap_postures(model)
    lengths = model.muscle_lengths(q)
    w = model.wrap_objects[0]
    bodies = model.body_transforms(q)
    r, p = bodies[w.body]
    wrapped = 0
    for j, name in enumerate(model.muscle_names[:2]):
        for k, path in enumerate(model.muscle_path(q, name)):
            polyline = np.linalg.norm(np.diff(path, axis=0), axis=1).sum()
            assert polyline == pytest.approx(lengths[k, j], abs=5e-5)
            axes = r[k] @ w.frame.rotation
            local = (path - (r[k] @ w.frame.translation + p[k])) @ axes / np.array(w.radii)
            assert np.linalg.norm(local, axis=1).min() > 1 - 1e-9
            wrapped += len(path) > len(model.muscles[j].points)
    assert wrapped > 100


def test_compiled_kernel_and_jit_agree_on_wraps():
    from relieve.model import _kernel

    impl = _kernel.implementation()
    if impl.kind != "compiled":
        pytest.skip(f"the compiled kernel is not in use here ({impl.note}); nothing to compare the JIT with")
    model = load_model(WRAP)
    q = _wrap_postures(model, 500)
    full = model._full_coordinates(q)
    inputs = model._joint_inputs(full)
    got, want = np.empty((500, 3)), np.empty((500, 3))
    impl.lengths(*inputs, *model._kernel_args, model._constant_length, got)
    _kernel.jit_implementation().lengths(*inputs, *model._kernel_args, model._constant_length, want)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("<method>midpoint</method>", "<method>hybrid</method>", "uses method 'hybrid' (only 'midpoint' is supported)"),
        ("<method>midpoint</method>", "", "uses method 'hybrid'"),  # OpenSim's default
        ("<quadrant>all</quadrant>", "<quadrant>+x</quadrant>", "constrained to quadrant '+x'"),
        ("<range>-1 -1</range>", "<range>1 2</range>", "limited to points 1-2"),
        ("<WrapEllipsoid name=\"chest\">", "<WrapCylinder name=\"chest\">", "WrapCylinder 'chest'; of the wrap objects only"),
    ],
)
def test_unsupported_wraps_are_refused_by_name(tmp_path, old, new, message):
    text = WRAP.read_text()
    bad = text.replace(old, new, 1)
    if "WrapCylinder" in new:
        bad = bad.replace("</WrapEllipsoid>", "</WrapCylinder>", 1)
    assert bad != text
    path = tmp_path / "bad.osim"
    path.write_text(bad)
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert message in str(err.value) and "muscle 'back'" in str(err.value)


def test_an_inactive_wrap_object_is_left_out_as_opensim_does(tmp_path):
    path = tmp_path / "inactive.osim"
    path.write_text(WRAP.read_text().replace("<quadrant>all</quadrant>", "<active>false</active><quadrant>all</quadrant>"))
    model = load_model(path)
    assert model.wrap_objects == () and all(m.wraps == () for m in model.muscles)


def test_a_muscle_naming_an_unknown_wrap_object_is_refused():
    from relieve.model import Model, Muscle

    base = load_model(WRAP)
    with pytest.raises(ModelError, match="not a wrap object of the model"):
        Model("m", base.coordinates, base.joints, [Muscle("x", base.muscles[0].points, ("nothere",))])
