"""Turning laid-out panels into image bytes with matplotlib (object API, Agg and SVG
renderers, no pyplot). matplotlib is imported here, inside the functions, only when a
picture is actually rendered."""

from __future__ import annotations

import io
import re
import textwrap
import threading
from typing import Callable, Sequence

from ._panels import Panel, layout_callouts
from ._style import INK, PNG_DPI, SCALE

RC = {
    "svg.hashsalt": "relieve-figures",  # stable element ids: same inputs, same bytes
    "svg.fonttype": "none",  # text stays text: searchable and small
    "font.family": "DejaVu Sans",  # ships with matplotlib: nothing to download
    "font.size": 8,
}
# rc_context changes matplotlib's process-wide settings: one figure at a time, so that
# threads (a web server) never see each other's settings half-way.
_RENDER_LOCK = threading.Lock()


def encode(build: Callable[[], tuple[list[Panel], str, list[str]]], fmt: str, *, desc: str = "",
           dpi_scale: float = 1.0) -> bytes:
    """Build the panels (title, caption) and render them, under the figures' settings.
    An SVG carries ``<title>`` and ``<desc>`` (the alt text: ``desc``, else the caption)."""
    import matplotlib

    with _RENDER_LOCK, matplotlib.rc_context(RC):
        panels, title, caption = build()
        data = render(panels, title, caption, fmt, dpi_scale=dpi_scale)
    if fmt == "svg":
        data = _titled(data, title, desc or " ".join(caption))
    return data


# Coordinates to a tenth of a point (a 1/720 inch): a third less SVG, nothing visible.
_ATTRIBUTE = re.compile(r'\b(d|x|y|width|height|transform)="([^"]*)"')
_DECIMALS = re.compile(r"-?\d+\.\d+")
# What else makes matplotlib's SVG large and does nothing in a browser: the DOCTYPE and
# the RDF metadata, path data and styles spelt with spaces and newlines, a group around
# every single artist, indentation, and the same style repeated on hundreds of elements
# (one CSS class each instead). Together with the decimals: about 40 % of the bytes, so
# that a plan page with all its pictures stays under 300 KB before compression.
_PROLOGUE = re.compile(r"<!DOCTYPE[^>]*>\s*|\s*<metadata>.*?</metadata>", re.S)
_PATH_DATA = re.compile(r'\bd="([^"]*)"')
_COMMAND = re.compile(r" ?([MLCQZzHVSAT]) ?")
_STYLE = re.compile(r'\bstyle="([^"]*)"')
_STYLE_SPACE = re.compile(r"\s*([:;])\s*")
_ONE_CHILD_GROUP = re.compile(r'<g id="(?:line2d|patch|text|PathCollection|PolyCollection|LineCollection)_\d+">'
                              r"\s*(<(?:path|use|text|g)\b[^>]*?/>)\s*</g>")
_BETWEEN_TAGS = re.compile(r">\s+<")


def _one_decimal(m: re.Match) -> str:
    value = f"{float(m.group(0)):.1f}"
    return "0" if value in ("0.0", "-0.0") else value.removesuffix(".0")


def _compact(text: str) -> str:
    text = _ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{_DECIMALS.sub(_one_decimal, m.group(2))}"', text)
    text = _PROLOGUE.sub("", text)
    text = _PATH_DATA.sub(lambda m: 'd="' + _COMMAND.sub(r"\1", " ".join(m.group(1).split())) + '"', text)
    text = _ONE_CHILD_GROUP.sub(r"\1", text)
    text = _BETWEEN_TAGS.sub("><", text)
    classes: dict[str, str] = {}

    def to_class(m: re.Match) -> str:
        style = _STYLE_SPACE.sub(r"\1", m.group(1)).strip()
        return f'class="{classes.setdefault(style, f"s{len(classes)}")}"'

    text = _STYLE.sub(to_class, text)
    css = "".join(f".{name}{{{style}}}" for style, name in classes.items())
    return text.replace("</style>", css + "</style>", 1)


def _titled(svg: bytes, title: str, desc: str) -> bytes:
    """The SVG, compacted, with ``<title>`` and ``<desc>`` as the first children of its root."""
    from xml.sax.saxutils import escape

    text = _compact(svg.decode("utf-8"))
    start = text.index("<svg")
    end = text.index(">", start) + 1
    head = f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
    return (text[:end] + head + text[end:]).encode("utf-8")


def render(panels: Sequence[Panel], title: str, caption: Sequence[str], fmt: str, dpi_scale: float = 1.0) -> bytes:
    """Lay the panels out side by side at one scale, draw them, and encode the figure."""
    from matplotlib.figure import Figure

    boxes = [layout_callouts(p) for p in panels]
    margin, gap, title_h, head_h = 0.25, 0.3, 0.5, 0.3
    widths = [(b[1] - b[0]) * SCALE for b in boxes]
    height = max((b[3] - b[2]) * SCALE for b in boxes)
    title_w = len(title) * 12 * 0.62 / 72  # inches, bold 12 pt
    fig_w = max(sum(widths) + gap * (len(panels) - 1) + 2 * margin, title_w + 2 * margin, 6.0)
    per_line = int((fig_w - 2 * margin) * 72 / (8 * 0.56))
    caption_lines = [ln for item in caption for ln in textwrap.wrap(item, per_line)]
    caption_h = 0.16 * len(caption_lines) + 0.15
    fig_h = height + title_h + head_h + caption_h + margin
    fig = Figure(figsize=(fig_w, fig_h))
    x = (fig_w - sum(widths) - gap * (len(panels) - 1)) / 2
    for panel, box, w in zip(panels, boxes, widths):
        umin, umax, vmin, vmax = box
        bottom = caption_h + margin / 2
        ax = fig.add_axes((x / fig_w, bottom / fig_h, w / fig_w, height / fig_h))
        # Same scale everywhere; a shorter panel keeps its top level with the others.
        ax.set_xlim(umin, umax)
        ax.set_ylim(vmax - height / SCALE, vmax)
        ax.set_aspect("equal")
        ax.set_autoscale_on(False)
        ax.set_axis_off()
        for z, command in panel.commands:
            _with_zorder(ax, z, command)
        fig.text((x + w / 2) / fig_w, (bottom + height + 0.08) / fig_h, panel.view.title, ha="center",
                 va="bottom", fontsize=9, color="#555555", style="italic")
        x += w + gap
    fig.text(0.5, 1 - 0.12 / fig_h, title, ha="center", va="top", fontsize=12, fontweight="bold", color=INK)
    for i, line in enumerate(caption_lines):
        fig.text(0.5, (caption_h - 0.1 - 0.16 * (i + 0.5)) / fig_h, line, ha="center", va="center", fontsize=8,
                 color="#444444")
    buffer = io.BytesIO()
    # No date or software version in the file: the same inputs give the same bytes.
    if fmt == "svg":
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buffer, format="png", dpi=PNG_DPI * dpi_scale, metadata={"Software": None, "Title": title})
        return _small_png(buffer.getvalue())
    return buffer.getvalue()


def _small_png(png: bytes) -> bytes:
    """The PNG with a 256-colour palette (a third of the bytes; the same every time)."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return out.getvalue()


def _with_zorder(ax, z: float, command: Callable) -> None:
    """Run a drawing command and put what it drew at depth ``z`` (matplotlib otherwise
    stacks all lines over all patches, whatever the order they came in)."""
    groups = (ax.lines, ax.patches, ax.texts)
    counts = [len(g) for g in groups]
    command(ax)
    for group, n in zip(groups, counts):
        for artist in list(group)[n:]:
            artist.set_zorder(z)
