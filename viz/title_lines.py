"""A chart title in two lines when it is too wide for its chart: plotly does not wrap a title,
it cuts it at the chart's edge. Used for projector mode's large type (viz/projector.py), where
the chart's width is only estimated; a kept chart measures its title in the browser instead
(pages/_common/kept_chart_frontend/index.html).
"""

from __future__ import annotations

import re
import unicodedata

#: A title character's width, in font sizes, a little over what Streamlit's bold body font
#: measures at 1280 px ("A: 20 layers, no skips, adam, full batch": 40 characters, 398 px at
#: 24 px, 0.41 of the size each).
TITLE_CHAR = 0.45
_TAG = re.compile(r"<[^>]*>")


def _char_width(ch: str) -> float:
    """A character's width in font sizes: a Chinese character (or a full-width sign) is as wide
    as the size, a Latin one :data:`TITLE_CHAR` of it."""
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else TITLE_CHAR


def break_title(text: str, width_px: float, size: float) -> str | None:
    """``text`` on two lines (plotly's ``<br>``), broken where its two halves are closest to
    even, when it is wider than ``width_px`` at ``size`` px; None when it fits or has nowhere
    to break.

    Plotly does not wrap a title: one wider than its chart is cut at the chart's edge. A line
    may break at a space (which the break replaces) or after a Chinese character or sign; not
    inside an HTML tag (``<span style=...>``)."""
    shown = _TAG.sub("", text)
    total = sum(_char_width(ch) for ch in shown)
    if "<br>" in text or total * size <= width_px:
        return None
    breaks, depth, seen = [], 0, 0.0  # (distance from the middle, index, replaces a space)
    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(depth - 1, 0)
        elif depth == 0:
            if ch == " ":
                breaks.append((abs(seen - total / 2), i, True))
            seen += _char_width(ch)
            if _char_width(ch) == 1.0 and i + 1 < len(text) and text[i + 1] != " ":
                breaks.append((abs(seen - total / 2), i + 1, False))
    if not breaks:
        return None
    _middle, at, space = min(breaks)
    return text[:at] + "<br>" + text[at + 1 if space else at :]
