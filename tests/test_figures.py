"""The pictures: drawn from the model, readable, deterministic, and refusing bad input.

Each test renders the real figure (matplotlib's Agg and SVG renderers, no mocks) and
checks what a person would rely on: the names on it, the mirror image of the other side,
the head where the posture puts it.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from relieve import figures
from relieve.anatomy import knowledge_base
from relieve.errors import RelieveError, UnknownNameError, ValidationError
from relieve.model import default_model
from relieve.vocabulary import LANDMARK_IDS

SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def body():
    return default_model()


@pytest.fixture(scope="module")
def kb():
    return knowledge_base()


def svg_text(svg: bytes) -> str:
    """All the text of an SVG figure, in drawing order, joined by spaces (a wrapped label
    comes back as its original words)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    return " ".join(" ".join((t.text or "").split()) for t in root.iter(f"{SVG_NS}text"))


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


@pytest.fixture(scope="module")
def levator_cards():
    return {side: figures.muscle_card_figure("levator_scapulae", side) for side in ("left", "right")}


# ---------------------------------------------------------------------------- muscle cards


def test_card_svg_names_the_muscle_and_its_ends(levator_cards, body, kb):
    text = svg_text(levator_cards["left"])
    assert "Left levator scapulae" in text
    ends = body.attachments("levator_scapulae", "left")
    for landmark in ends["origin"] + ends["insertion"]:
        assert kb.landmark(landmark).name in text
    for view in ("from the front", "from the left side", "from behind"):
        assert view in text
    assert "from the right side" in svg_text(levator_cards["right"])


def test_card_png_is_a_sensible_image():
    png = figures.muscle_card_figure("sternocleidomastoid", "right", fmt="png")
    width, height = png_size(png)
    assert 800 < width < 2500 and 300 < height < 1200
    assert width > height  # three panels side by side


def test_cards_are_deterministic_and_sides_differ(levator_cards):
    assert figures.muscle_card_figure("levator_scapulae", "left") == levator_cards["left"]
    assert levator_cards["left"] != levator_cards["right"]
    png = figures.muscle_card_figure("rhomboid_minor", "left", fmt="png")
    assert figures.muscle_card_figure("rhomboid_minor", "left", fmt="png") == png


def test_left_is_the_mirror_of_right_in_every_view(body):
    left = np.vstack(list(body.muscle_paths("upper_trapezius", "left").values()))
    right = np.vstack(list(body.muscle_paths("upper_trapezius", "right").values()))
    flip = np.array([-1.0, 1.0])
    for view in ("front", "back", "top"):
        v = figures.VIEWS[view]
        np.testing.assert_allclose(v.project(left), v.project(right) * flip, atol=1e-9)
    # Each side is seen from its own side: the two side views are mirror images too.
    np.testing.assert_allclose(
        figures.VIEWS["left"].project(left), figures.VIEWS["right"].project(right) * flip, atol=1e-9
    )
    # From the back the right muscle is on the viewer's right; from the front, on the left.
    assert figures.VIEWS["back"].project(right)[:, 0].mean() > 0
    assert figures.VIEWS["front"].project(right)[:, 0].mean() < 0


def test_skeleton_is_symmetric_in_neutral():
    shapes = figures.skeleton_2d({}, "back")
    for part in ("clavicle", "scapula", "rib3"):
        np.testing.assert_allclose(shapes[f"{part}.left"] * [-1, 1], shapes[f"{part}.right"], atol=1e-9)
    # The shoulder blades are on the back, below the skull, level with the upper ribs.
    scapula = shapes["scapula.right"]
    assert scapula[:, 1].max() < shapes["skull"][:, 1].min()
    assert 0.04 < scapula[:, 0].min() < scapula[:, 0].max() < 0.25


def test_a_group_card_draws_every_member(body, kb):
    text = svg_text(figures.muscle_card_figure("scalenes", "left"))
    assert "Left scalenes" in text
    for member in body.groups["scalenes"]:
        for landmark in body.attachments(member, "left")["origin"]:
            assert kb.landmark(landmark).name in text


MUSCLE_LINE = re.compile(r'<path d="[^"]*"[^>]*style="[^"]*stroke:#b8332a;stroke-opacity:0\.85')


def styled(svg: bytes) -> str:
    """The SVG text with each element's CSS class written back as its style attribute
    (the files carry one class per distinct style), so that a test reads what is drawn."""
    text = svg.decode()
    css = dict(re.findall(r"\.(s\d+)\{([^}]*)\}", text))
    return re.sub(r'class="(s\d+)"', lambda m: f'style="{css[m.group(1)]}"', text)


@pytest.mark.parametrize("group", ["suboccipitals", "scalenes", "rhomboids", "trapezius"])
@pytest.mark.parametrize("side", ["left", "right"])
def test_group_cards_draw_all_members_together(group, side, body, kb):
    svg = figures.muscle_card_figure(group, side)
    text = svg_text(svg)
    assert f"{side.capitalize()} {group}" in text
    members = kb.expand(group)
    assert len(members) > 1
    for member in members:
        ends = body.attachments(member, side)
        for landmark in ends["origin"] + ends["insertion"]:
            if landmark in LANDMARK_IDS:  # the others are the model's own, named from their ids
                assert kb.landmark(landmark).name in text
    # Every bundle of every member is drawn, once in each of the three panels.
    bundles = sum(len(body.bundles(m, side)) for m in members)
    assert len(MUSCLE_LINE.findall(styled(svg))) == 3 * bundles
    assert svg != figures.muscle_card_figure(members[0], side)


def test_a_card_group_comes_from_the_knowledge_base(body, kb):
    class WithPair:
        """The knowledge base, knowing one more group (the model does not know it)."""

        def expand(self, name):
            return ("levator_scapulae", "upper_trapezius") if name == "neck_pair" else kb.expand(name)

        def __getattr__(self, name):
            return getattr(kb, name)

    assert "neck_pair" not in body.groups
    svg = figures.muscle_card_figure("neck_pair", "left", kb=WithPair())
    assert "Left neck pair" in svg_text(svg)
    bundles = len(body.bundles("levator_scapulae", "left")) + len(body.bundles("upper_trapezius", "left"))
    assert len(MUSCLE_LINE.findall(styled(svg))) == 3 * bundles


def test_importing_the_figures_does_not_import_matplotlib():
    code = (
        "import sys\n"
        "import relieve.figures as f\n"
        "assert 'matplotlib' not in sys.modules, 'on import'\n"
        "f.skeleton_2d({'neck_side_bend': 20}, 'back')\n"
        "f.choose_views({'neck_rotation': 30}, [('levator_scapulae', 'left')])\n"
        "assert 'matplotlib' not in sys.modules, 'without a picture'\n"
        "f.muscle_card_figure('levator_scapulae', 'left')\n"
        "assert 'matplotlib' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_the_package_exports_its_public_names_only():
    assert sorted(figures.__all__) == sorted(
        ["FORMATS", "KINDS", "VIEWS", "Kind", "Picture", "Shape", "View", "choose_views", "muscle_card_figure",
         "plan_figures", "skeleton_2d", "technique_figure"]
    )
    for name in figures.__all__:
        assert getattr(figures, name) is not None


# ---------------------------------------------------------------------------- technique figures

POSTURES = {
    "shortening": {"neck_side_bend": -30, "neck_rotation": -20, "scapula_elevation_left": 15},
    "repositioning": {"scapula_elevation_left": 20, "scapula_upward_rotation_left": -10},
    "stretch": {"neck_side_bend": 30, "neck_flexion": 30, "neck_rotation": 30},
    "resist": {"neck_side_bend": 20},
    "jones": {"head_nod": 10, "neck_side_bend": -10},
}


@pytest.mark.parametrize("kind", sorted(figures.KINDS))
def test_every_kind_renders_one_and_two_muscles(kind, body):
    arrows = {"neck_side_bend": -1, "scapula_elevation_left": 1} if kind == "resist" else None
    one = figures.technique_figure([("levator_scapulae", "left")], POSTURES[kind], kind=kind, arrows=arrows)
    text = svg_text(one)
    assert "left levator scapulae" in text
    change = body.length_change_pct("levator_scapulae", "left", POSTURES[kind])
    assert f"{abs(change):.1f} %" in text  # the model's length change is in the caption
    assert "grey dashed: neutral" in text
    two = figures.technique_figure(
        [("levator_scapulae", "left"), ("upper_trapezius", "left")], POSTURES[kind], kind=kind, arrows=arrows
    )
    assert "left upper trapezius" in svg_text(two)
    assert two != one


def test_technique_png_and_determinism():
    args = ([("sternocleidomastoid", "right")], {"neck_rotation": -40, "neck_flexion": 20})
    png = figures.technique_figure(*args, kind="shortening", fmt="png")
    width, height = png_size(png)
    assert 500 < width < 2500 and 300 < height < 1200
    assert figures.technique_figure(*args, kind="shortening", fmt="png") == png
    svg = figures.technique_figure(*args, kind="shortening")
    assert figures.technique_figure(*args, kind="shortening") == svg


def test_push_arrows_and_finger_spots_are_drawn_and_labelled(kb):
    muscles = [("levator_scapulae", "left")]
    spots = [("superior_angle", "left"), ("c2_spinous_process", "midline")]
    pushed = svg_text(
        figures.technique_figure(muscles, {}, kind="resist", arrows={"neck_side_bend": 1}, finger_spots=spots)
    )
    assert "push" in pushed and "the way of the gentle push" in pushed
    assert f"{kb.landmark('superior_angle').name} (left)" in pushed
    assert kb.landmark("c2_spinous_process").name in pushed
    assert "green ring" in pushed
    moved = svg_text(figures.technique_figure(muscles, {"neck_side_bend": -30}, kind="shortening"))
    assert "push" not in moved and "arrow: the way to move" in moved
    still = svg_text(figures.technique_figure(muscles, {}, kind="shortening"))
    assert "arrow" not in still  # nothing moves: no arrow


def test_the_drawn_head_follows_the_posture():
    def centre(posture, view, shape="skull"):
        return figures.skeleton_2d(posture, view)[shape].mean(axis=0)

    neutral_front = centre({}, "front")
    # Right ear toward the right shoulder: from the front the head goes to the viewer's
    # left, from behind to the right.
    assert centre({"neck_side_bend": 30}, "front")[0] < neutral_front[0] - 0.03
    assert centre({"neck_side_bend": 30}, "back")[0] > centre({}, "back")[0] + 0.03
    # Flexion carries the head forward (toward +x, the right of the right-side view) and down.
    bent = centre({"neck_flexion": 40}, "right")
    assert bent[0] > centre({}, "right")[0] + 0.02 and bent[1] < centre({}, "right")[1]
    # Turning the chin to the right swings the nose to the right, seen from above.
    nose = figures.skeleton_2d({"neck_rotation": 45}, "top")["nose"]
    assert nose[1, 0] > 0.03
    # The shoulder blade rises with a shrug; the other one stays.
    shrug = figures.skeleton_2d({"scapula_elevation_left": 20}, "back")
    rest = figures.skeleton_2d({}, "back")
    assert shrug["scapula.left"][:, 1].mean() > rest["scapula.left"][:, 1].mean() + 0.03
    np.testing.assert_allclose(shrug["scapula.right"], rest["scapula.right"])


def test_a_moved_posture_draws_a_different_figure():
    muscles = [("upper_trapezius", "right")]
    still = figures.technique_figure(muscles, {}, kind="stretch")
    bent = figures.technique_figure(muscles, {"neck_side_bend": -30}, kind="stretch")
    assert still != bent


def test_views_follow_the_movement():
    lev = [("levator_scapulae", "left")]
    scm = [("sternocleidomastoid", "right")]
    assert figures.choose_views({"neck_side_bend": -30}, lev) == ("back", "left")
    assert figures.choose_views({"neck_side_bend": 30}, scm) == ("front", "right")
    assert "right" in figures.choose_views({"neck_flexion": 20}, scm)
    # A turned head reads in a three-quarter view from the front; never from above.
    assert figures.choose_views({"neck_rotation": 30}, lev)[-1] == "front_left"
    assert "top" not in figures.choose_views({"neck_rotation": 30, "neck_flexion": 20}, scm)
    assert figures.choose_views({"scapula_elevation_left": 15}, scm)[0] == "back"
    assert figures.choose_views({}, lev, arrows={"neck_rotation": 1})[-1] == "front_left"
    assert len(figures.choose_views({}, lev)) == 2


# ---------------------------------------------------------------------------- bad input


def test_unknown_format_is_refused():
    with pytest.raises(RelieveError) as err:
        figures.muscle_card_figure("levator_scapulae", "left", fmt="gif")
    assert err.value.field == "figure" and "gif" in str(err.value)
    with pytest.raises(RelieveError) as err:
        figures.technique_figure([], {}, kind="stretch", fmt="jpeg")
    assert err.value.field == "figure"


@pytest.mark.parametrize(
    ("muscle", "side", "field"),
    [("levator_scapula", "left", "muscle"), ("levator_scapulae", "both", "side"), ("trapezius", "middle", "side")],
)
def test_unknown_muscle_or_side_is_refused(muscle, side, field):
    with pytest.raises(UnknownNameError) as err:
        figures.muscle_card_figure(muscle, side)
    assert err.value.field == field
    with pytest.raises(UnknownNameError) as err:
        figures.technique_figure([(muscle, side)], {}, kind="shortening")
    assert err.value.field == field


def test_unknown_kind_posture_arrow_or_spot_is_refused():
    lev = [("levator_scapulae", "left")]
    with pytest.raises(UnknownNameError) as err:
        figures.technique_figure(lev, {}, kind="massage")
    assert err.value.field == "kind" and "massage" in str(err.value)
    with pytest.raises(UnknownNameError) as err:
        figures.technique_figure(lev, {"neck_tilt": 10}, kind="stretch")
    assert err.value.field == "neck_tilt"
    with pytest.raises(UnknownNameError) as err:
        figures.technique_figure(lev, {}, kind="resist", arrows={"shoulder_up": 1})
    assert err.value.field == "arrows.shoulder_up"
    with pytest.raises(ValidationError) as err:
        figures.technique_figure(lev, {}, kind="resist", arrows={"neck_side_bend": 2})
    assert "arrows.neck_side_bend" in str(err.value)
    with pytest.raises(UnknownNameError) as err:
        figures.technique_figure(lev, {}, kind="jones", finger_spots=[("superior_angle", None)])
    assert err.value.field == "finger_spots[0]"
    with pytest.raises(UnknownNameError) as err:
        figures.technique_figure(lev, {}, kind="jones", finger_spots=[("elbow", "left")])
    assert err.value.field == "finger_spots[0]"
    with pytest.raises(UnknownNameError):
        figures.skeleton_2d({}, "below")


# ---------------------------------------------------------------------------- a plan's pictures

import hashlib  # noqa: E402

import relieve  # noqa: E402
from conftest import run_cli  # noqa: E402

LIMIT = 150 * 1024  # bytes, every file


@pytest.fixture(scope="module")
def levator_plan():
    return relieve.plan([("levator_scapulae", "left")])


@pytest.fixture(scope="module")
def levator_pictures(levator_plan):
    return figures.plan_figures(levator_plan)


def svg_title_desc(svg: bytes) -> tuple[str, str]:
    root = ET.fromstring(svg)
    children = list(root)
    assert children[0].tag == f"{SVG_NS}title" and children[1].tag == f"{SVG_NS}desc"
    return children[0].text, children[1].text


def test_one_picture_per_step_group_numbered_like_the_steps(levator_plan, levator_pictures):
    expected = []
    for number, key in enumerate(("muscle_shortening", "repositioning", "strain_counterstrain",
                                  "jones_counterstrain"), 1):
        t = levator_plan.techniques[key]
        if t.get("available") is False:
            continue
        letters = iter("abcdefgh")
        versions = [("step_groups", "steps")] + ([("helper_step_groups", "helper_steps")] if t.get("helper_steps") else [])
        for groups_key, steps_key in versions:  # a helper's version follows the self-help one
            groups = [g for g in t[groups_key] if g["group"] != "return"]
            # the groups cover the steps in order, each step once
            covered = [n for g in t[groups_key] for n in range(g["first"], g["last"] + 1)]
            assert covered == list(range(1, len(t[steps_key]) + 1))
            for g in groups:
                expected.append((f"{number}{next(letters)}", key, g["group"], (g["first"], g["last"])))
    got = [(p.name.split("_")[0], p.technique, p.group, p.steps) for p in levator_pictures]
    assert got == expected
    assert any("with a helper" in p.title and "helper's" in p.alt for p in levator_pictures)
    assert {p.group for p in levator_pictures} == {"start", "position", "press", "push", "stretch"}
    for p in levator_pictures:
        first, last = p.steps
        assert (f"step {first}:" if first == last else f"steps {first}–{last}:") in p.title


def test_svg_has_title_and_alt_text_in_words(levator_plan, levator_pictures):
    for p in levator_pictures:
        title, desc = svg_title_desc(p.svg)
        assert title == p.title and desc == p.alt
        assert p.alt.startswith(p.title)
        assert "left levator scapulae" in p.alt
        assert re.search(r"sitting|lying", p.alt)
        name, title2, alt, svg, png = p  # unpacks like a tuple
        assert (name, title2, alt, svg, png) == (p.name, p.title, p.alt, p.svg, p.png)
    press = next(p for p in levator_pictures if p.group == "press")
    assert "hand presses the levator scapulae" in press.alt
    position = next(p for p in levator_pictures if p.name.startswith("1b"))
    assert "slack" in position.alt
    # the picture says in words the set-up the plan's position step gives (which one
    # the planner chooses follows the model), and names the arm's support
    shortening = levator_plan.to_contract()["techniques"]["muscle_shortening"]
    setting = shortening["steps"][3].split(": ", 1)[1]
    assert setting in position.alt
    assert re.search(r"pillow|armrest|cushion", position.alt)


def test_every_file_is_small_and_the_png_comes_at_two_sizes(levator_pictures):
    for p in levator_pictures:
        for name, data in p.files().items():
            assert 0 < len(data) < LIMIT, (name, len(data))
        big, small = png_size(p.png), png_size(p.png_small)
        assert 900 < big[0] < 2600 and big[1] > 500
        assert abs(small[0] - big[0] / 2) <= 2 and abs(small[1] - big[1] / 2) <= 2


def test_plan_pictures_are_deterministic(levator_plan, levator_pictures):
    again = figures.plan_figures(levator_plan)
    digest = lambda b: hashlib.sha256(b).hexdigest()  # noqa: E731
    for first, second in list(zip(levator_pictures, again))[::3]:
        assert digest(first.svg) == digest(second.svg)
        assert digest(first.png) == digest(second.png)
        assert digest(first.png_small) == digest(second.png_small)
    assert len({digest(p.png) for p in levator_pictures}) == len(levator_pictures)


def test_the_push_names_the_muscles_that_push(levator_plan, levator_pictures):
    t = levator_plan.techniques["strain_counterstrain"]
    push = next(p for p in levator_pictures if p.group == "push")
    text = svg_text(push.svg)
    kb = knowledge_base()
    for q in t["pushed_by"]:
        assert f"pushes: {q['side']} {kb.muscle(q['muscle']).common_name}" in text
    assert "pushes: left levator" not in text
    assert "the treated muscle, which only lets go" in text
    assert "push" in text and "press" not in text.replace("pressure", "")


def test_pictures_use_plain_words_and_no_view_from_above(levator_pictures, kb):
    for p in levator_pictures:
        text = svg_text(p.svg)
        assert "from above (face at the top)" not in text
        assert not re.search(r"[−-]\d+\.\d %", text)  # no signed decimals
        assert "ligamentum" not in text and "_" not in text
    start = svg_text(levator_pictures[0].svg)
    assert kb.landmark("superior_angle").name in start  # the ends in plain words
    assert "side process of C2–C4" in start  # heads that differ only by vertebra, once


def test_press_marks_every_head_of_the_pressed_end():
    plan = relieve.plan([("sternocleidomastoid", "left")])
    pictures = figures.plan_figures(plan, formats=("svg",))
    assert all(p.png == b"" and p.svg for p in pictures)
    press = [p for p in pictures if p.group == "press"]
    t = plan.techniques["muscle_shortening"]
    if not press:
        pytest.skip("no fingertip pressure for this muscle")
    ends = plan.plans[0]["attachments"]
    pressed_end = next(e for e in ("origin", "insertion") if any(a["landmark"] in t["pressed"] for a in ends[e]))
    rings = len(re.findall(r"stroke:#17803d;stroke-width:2\.2", styled(press[0].svg)))
    assert rings >= 2 * len(ends[pressed_end])  # a ring on every head, in both views


def test_press_rings_only_heads_under_one_hand(monkeypatch):
    """The lower trapezius arises from T6 down to T12, 155 mm: the fingertips pressing at
    T6 do not reach T12, so it gets no ring, in either view."""
    from relieve.figures import _sequence

    plan = relieve.plan([("lower_trapezius", "left")])
    assert plan.techniques["muscle_shortening"]["pressed"] == ["t6_spinous_process"]
    heads = [a["landmark"] for a in plan.plans[0]["attachments"]["origin"]]
    assert heads == ["t6_spinous_process", "t9_spinous_process", "t12_spinous_process"]

    def rings() -> int:
        press = [p for p in figures.plan_figures(plan, formats=("svg",)) if p.group == "press"]
        return len(re.findall(r"stroke:#17803d;stroke-width:2\.2", styled(press[0].svg)))

    drawn = rings()
    monkeypatch.setattr(_sequence, "FINGERTIP_REACH", 1.0)  # as if one hand covered every head
    assert rings() - drawn >= 2


@pytest.mark.parametrize("targets", [[("suboccipitals", "left")],
                                     [("scalenes", "right"), ("upper_trapezius", "right"), ("levator_scapulae", "right")]])
def test_groups_and_combined_plans_get_short_names(targets):
    plan = relieve.plan(targets)
    pictures = figures.plan_figures(plan, formats=("svg",))
    assert pictures
    for p in pictures:
        assert re.fullmatch(r"[1-4][a-h]_[a-z]+_[a-z]+", p.name) and len(p.name) <= 32
        assert len(p.svg) < LIMIT
        for member in plan.plans:
            assert f"{member['side']} {member['common_name'].lower()}" in p.alt


def test_cli_plan_figure_writes_svg_and_png(tmp_path):
    out = tmp_path / "pictures"
    result = run_cli("plan", "--muscle", "rhomboids", "--side", "right", "--figure", str(out), "--json")
    assert result.returncode == 0, result.stderr
    files = sorted(x.name for x in out.iterdir())
    assert any(f.endswith(".svg") for f in files) and any(f.endswith("_small.png") for f in files)
    stems = {f.removesuffix(".svg") for f in files if f.endswith(".svg")}
    for stem in stems:
        assert {f"{stem}.png", f"{stem}_small.png"} <= set(files)
        assert (out / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert all(len(f) < 40 for f in files)


@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_cli_muscle_figure_for_a_group(tmp_path, suffix):
    path = tmp_path / f"card.{suffix}"
    result = run_cli("muscle", "suboccipitals", "--side", "left", "--figure", str(path))
    assert result.returncode == 0, result.stderr
    data = path.read_bytes()
    assert len(data) < LIMIT
    assert data[:8] == b"\x89PNG\r\n\x1a\n" if suffix == "png" else b"<svg" in data[:400]


def test_the_gallery_page_shows_cards_and_pictures(tmp_path):
    from relieve.figures.gallery import build

    page = build(tmp_path, names=["rhomboids"], sides=("left",))
    text = page.read_text(encoding="utf-8")
    assert "rhomboids_left_card.svg" in text
    pictures = [f for f in tmp_path.iterdir() if f.name.endswith("_small.png")]
    assert pictures and all(f.name in text for f in pictures)
    assert all(f.stat().st_size < LIMIT for f in tmp_path.iterdir() if f.suffix in (".svg", ".png"))


def test_plan_picture_bytes_are_the_same_in_a_fresh_process(levator_pictures):
    code = (
        "import hashlib, relieve\n"
        "from relieve.figures import plan_figures\n"
        "p = plan_figures(relieve.plan([('levator_scapulae', 'left')]), formats=('svg', 'png'))\n"
        "print(hashlib.sha256(p[4].svg).hexdigest(), hashlib.sha256(p[4].png).hexdigest())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    svg_hash, png_hash = done.stdout.split()
    assert svg_hash == hashlib.sha256(levator_pictures[4].svg).hexdigest()
    assert png_hash == hashlib.sha256(levator_pictures[4].png).hexdigest()
