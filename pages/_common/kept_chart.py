"""A Plotly figure that stays on the page across reruns and takes each new figure in place.

``st.plotly_chart`` names its element after a hash of the figure, and Streamlit's frontend keys
the chart by that name: every changed figure is a new chart, drawn from nothing. For the
playground's 3D view that meant, on every slider move, a new WebGL context, its shaders
compiled again and the surface drawn from scratch (0.85 s in chromium's software WebGL on the
2-core test machine, where the same change applied with ``Plotly.react`` costs 0.18 s), and the
reader's rotated camera snapped back to the default one.

A custom component with a key keeps its name (Streamlit builds it from the key, the component's
name and its URL only), so the same frame receives every new figure; its page
(``kept_chart_frontend/index.html``) applies it with ``Plotly.react``, which redraws what changed
and keeps what the reader did (camera, zoom, legend). The page loads the smallest plotly.js
bundle that draws its figure (:func:`bundle_for`): a partial one from ``kept_chart_frontend/vendor``
(a third of the full one's size each: the frame parses it on every page load), else the full
``plotly.min.js`` that the plotly package ships; and Streamlit's body font. Streamlit serves a
component's files only from under its own folder (symlinks resolved), so they are copied into
one folder per version (:func:`served_folder`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import plotly
import streamlit as st
import streamlit.components.v1 as components

from pages._common import kept_parts
from viz.spec_figure import SpecFigure

NAME = "kept_chart"
FRONTEND = Path(__file__).with_name("kept_chart_frontend") / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# Streamlit's own body font, so that the charts' text is set as in its chart element (without it
# the frame falls back to a wider sans-serif and legends wrap to more rows).
FONTS = Path(st.__file__).parent / "static" / "static" / "media"
DEFAULT_HEIGHT = 450
VENDOR = FRONTEND.parent / "vendor"
FULL = "plotly.min.js"
#: The partial bundles (vendor/README.md) and the trace types each draws, smallest first.
PARTIAL = {
    "plotly-cartesian.min.js": frozenset(
        {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour",
         "image", "pie", "scatter", "scatterternary", "violin"}
    ),
    "plotly-gl3d.min.js": frozenset(
        {"cone", "isosurface", "mesh3d", "scatter", "scatter3d", "streamtube", "surface",
         "volume"}
    ),
}  # fmt: skip


def js_version(path: Path) -> str | None:
    """The plotly.js version in a bundle's header comment (``plotly.js ... v4.1.1``)."""
    with path.open("rb") as f:
        head = f.read(300).decode("utf-8", "replace")
    found = re.search(r"plotly\.js\b[^\n]*? v(\d+\.\d+\.\d+)", head)
    return found.group(1) if found else None


@functools.cache
def _usable_partials() -> dict[str, frozenset[str]]:
    """The partial bundles of the full bundle's own version (another one could draw a figure
    differently from the full bundle, or not read it): none when plotly was upgraded alone."""
    version = js_version(PLOTLY_JS)
    return {
        name: traces
        for name, traces in PARTIAL.items()
        if (VENDOR / name).exists() and js_version(VENDOR / name) == version
    }


def bundle_for(spec: dict[str, Any]) -> str:
    """The file name of the smallest bundle that holds every trace type of ``spec`` (a figure's
    JSON: its data and its frames' data), else the full one."""
    traces = list(spec.get("data") or [])
    for frame in spec.get("frames") or []:
        traces += frame.get("data") or []
    kinds = {t.get("type") or "scatter" for t in traces}
    for name, drawn in _usable_partials().items():
        if kinds <= drawn:
            return name
    return FULL


def _body_font() -> Path | None:
    found = sorted(FONTS.glob("SourceSansVF-Upright*.woff2"))
    return found[0] if found else None


def served_folder() -> Path:
    """The folder Streamlit serves the component from: the page, copies of the plotly.js
    bundles (the package's full one and the usable partial ones) and Streamlit's body font,
    made once per page, plotly version, partial bundles and font (several server processes may
    race to make it: each builds its own and renames it into place; the losers' copies are
    dropped)."""
    page, font = FRONTEND.read_bytes(), _body_font()
    partials = sorted(_usable_partials())
    made_from = page + plotly.__version__.encode() + (font.name.encode() if font else b"")
    made_from += json.dumps(partials).encode()
    digest = hashlib.sha256(made_from).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"gradlab-{NAME}-{digest}"
    if (target / "index.html").exists():
        return target
    draft = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
    shutil.copyfile(PLOTLY_JS, draft / FULL)
    for name in partials:
        shutil.copyfile(VENDOR / name, draft / name)
    if font is not None:
        shutil.copyfile(font, draft / "source-sans.woff2")
    (draft / "index.html").write_bytes(page)  # last: its presence marks a complete folder
    try:
        os.rename(draft, target)
    except OSError:  # another process got there first; its folder is the same
        shutil.rmtree(draft, ignore_errors=True)
    return target


@functools.cache
def _component() -> Any:
    return components.declare_component(NAME, path=str(served_folder()))


class Encoded(NamedTuple):
    """A figure as the frame receives it: its JSON as UTF-8 bytes (a bytes argument travels
    as it is, where a string one is escaped into the arguments' JSON and parsed twice), a
    short digest of them that names the figure, its bundle and its height."""

    spec: bytes
    digest: str
    bundle: str
    height: int
    parts: dict[str, bytes]  # its large traces, named in ``spec`` (pages/_common/kept_parts.py)


def encoded(fig: Any) -> Encoded:
    """``fig`` encoded for the frame. A :class:`SpecFigure` (read-only once shown) is encoded
    once and keeps it: a rerun that shows the same cached figure again (any gesture that does
    not change the paths) sends it without encoding it again, 4 ms of the playground's warm
    rerun. A graph-object figure can change after it is shown: it is encoded every time."""
    if isinstance(fig, SpecFigure):
        return fig.derived("kept_chart", _encode)
    return _encode(fig)


def _encode(fig: Any) -> Encoded:
    as_dict = fig.to_dict()
    spec, parts = kept_parts.encode(as_dict)
    height = as_dict.get("layout", {}).get("height") or DEFAULT_HEIGHT
    digest = hashlib.blake2b(spec, digest_size=8).hexdigest()  # the parts' names are in spec
    return Encoded(spec, digest, bundle_for(as_dict), int(height), parts)


def kept_chart(container: Any, fig: Any, *, key: str, clicks: bool = False) -> Any:
    """Draw ``fig`` (a plotly figure) in ``container`` (``st``, a column) as a chart that stays
    on the page: the next run's figure under the same ``key`` updates it in place.

    ``clicks``: a click on the plot area reruns the script with the point clicked, in data
    coordinates, as ``st.session_state[key]`` (and the return value), in the shape of
    ``st.plotly_chart``'s point selection: ``{"selection": {"points": [{"x": .., "y": ..}]}}``.
    """
    enc = encoded(fig)
    parts, part_names = kept_parts.to_send(enc.parts, key)
    draw = functools.partial(
        _component(),
        spec=enc.spec,
        parts=parts,
        part_names=part_names,
        digest=enc.digest,
        bundle=enc.bundle,
        height=enc.height,
        clicks=clicks,
        key=key,
        default=None,
    )
    if container is st:
        return draw()
    with container:
        return draw()
