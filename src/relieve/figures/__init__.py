"""Pictures drawn from the model: a card per muscle and a figure per technique position.

Nothing here is hand-drawn. The skeleton is built from the model's landmarks, bone
volumes and rib-cage surface in the posture asked for; each muscle follows its model
path (via points included); the arrows are the paths that points fixed to the head or a
shoulder blade travel while the posture variables change. So the left side comes out as
the mirror image of the right, and a posture that bends the neck draws the head bent.

>>> import relieve
>>> pictures = plan_figures(relieve.plan([("levator_scapulae", "left")]))
>>> [p.name for p in pictures][:3]   # one per group of steps, numbered like the steps
['1a_shortening_start', '1b_shortening_position', '1c_shortening_press']
>>> name, title, alt_text, svg, png = pictures[0]      # also .png_small, .files()
>>> svg = muscle_card_figure("levator_scapulae", "left")
>>> group = muscle_card_figure("scalenes", "left")  # a group: its members together
>>> png = technique_figure([("levator_scapulae", "left")], {"neck_side_bend": -30},
...                        kind="shortening", fmt="png")

Both return the image as ``bytes`` (callers write files), and the same inputs give the
same bytes. Only matplotlib's object API with its Agg and SVG renderers is used, no
pyplot, and matplotlib is imported only when a picture is rendered.

Also here: ``choose_views`` (which views show a movement), ``skeleton_2d`` (the
skeleton as drawn in one view, as numbers), ``VIEWS`` and ``KINDS``.

``plan_figures`` draws a human figure (head with face and ears, neck, shoulders, upper
body, arms and hands) around the model's bones, in the posture the plan computed with
the catalogue's support and arm positions, the hands where the steps put them, the
muscle in colour, its ends in plain words, fingertip spots and arrows (``_person``,
``_sequence``).

The modules, by concern:

- ``_scene``: the model in one posture (landmarks, points fixed to a bone) and the
  skeleton built from it;
- ``_views``: the views (projection onto the screen), what each shows of a shape;
- ``_motion``: which views show a movement, and its arrows (which bone a posture
  variable moves comes from ``vocabulary.VARIABLES``);
- ``_panels``: one view's drawing as recorded commands, and the layout of its labels;
- ``_render``: matplotlib, and the SVG / PNG bytes with no date or version in them;
- ``_card``, ``_technique``: the two pictures;
- ``_style``, ``_inputs``: sizes and colours; checking and naming what callers ask for.

Screen conventions: ``front`` looks at the face (the person's right on the viewer's
left), ``back`` at the back (right on the right), ``left`` / ``right`` from that side,
``top`` from above with the face toward the top of the picture and the person's right on
the right.
"""

from ._card import muscle_card_figure
from ._motion import choose_views
from ._scene import Shape, skeleton_2d
from ._sequence import Picture, plan_figures
from ._style import FORMATS, KINDS, Kind
from ._technique import technique_figure
from ._views import VIEWS, View

__all__ = [
    "FORMATS",
    "KINDS",
    "VIEWS",
    "Kind",
    "Picture",
    "Shape",
    "View",
    "choose_views",
    "muscle_card_figure",
    "plan_figures",
    "skeleton_2d",
    "technique_figure",
]
