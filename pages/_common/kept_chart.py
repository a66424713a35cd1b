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
and keeps what the reader did (camera, zoom, legend). The page loads the ``plotly.min.js`` that
the plotly package ships, and Streamlit's body font: Streamlit serves a component's files only
from under its own folder (symlinks resolved), so they are copied into one folder per version
(:func:`served_folder`).
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import plotly
import plotly.io as pio
import streamlit as st
import streamlit.components.v1 as components

NAME = "kept_chart"
FRONTEND = Path(__file__).with_name("kept_chart_frontend") / "index.html"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
# Streamlit's own body font, so that the charts' text is set as in its chart element (without it
# the frame falls back to a wider sans-serif and legends wrap to more rows).
FONTS = Path(st.__file__).parent / "static" / "static" / "media"
DEFAULT_HEIGHT = 450


def _body_font() -> Path | None:
    found = sorted(FONTS.glob("SourceSansVF-Upright*.woff2"))
    return found[0] if found else None


def served_folder() -> Path:
    """The folder Streamlit serves the component from: the page and copies of plotly.min.js and
    Streamlit's body font, made once per page, plotly version and font (several server processes may race to make it: each
    builds its own and renames it into place; the losers' copies are dropped)."""
    page, font = FRONTEND.read_bytes(), _body_font()
    made_from = page + plotly.__version__.encode() + (font.name.encode() if font else b"")
    digest = hashlib.sha256(made_from).hexdigest()[:16]
    target = Path(tempfile.gettempdir()) / f"gradlab-{NAME}-{digest}"
    if (target / "index.html").exists():
        return target
    draft = Path(tempfile.mkdtemp(prefix=f"{target.name}-", dir=target.parent))
    shutil.copyfile(PLOTLY_JS, draft / "plotly.min.js")
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


def kept_chart(container: Any, fig: Any, *, key: str, clicks: bool = False) -> Any:
    """Draw ``fig`` (a plotly figure) in ``container`` (``st``, a column) as a chart that stays
    on the page: the next run's figure under the same ``key`` updates it in place.

    ``clicks``: a click on the plot area reruns the script with the point clicked, in data
    coordinates, as ``st.session_state[key]`` (and the return value), in the shape of
    ``st.plotly_chart``'s point selection: ``{"selection": {"points": [{"x": .., "y": ..}]}}``.
    """
    spec = pio.to_json(fig, validate=False)
    height = fig.to_dict().get("layout", {}).get("height") or DEFAULT_HEIGHT
    draw = functools.partial(
        _component(), spec=spec, height=int(height), clicks=clicks, key=key, default=None
    )
    if container is st:
        return draw()
    with container:
        return draw()
