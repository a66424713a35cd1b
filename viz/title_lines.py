"""A chart title in two lines when it is too wide for its chart: plotly does not wrap a title,
it cuts it at the chart's edge. Used for projector mode's large type (viz/projector.py), where
the chart's width is only estimated; a kept chart measures its title in the browser instead
(pages/_common/kept_chart_frontend/index.html).
"""

from __future__ import annotations

import re
import unicodedata

#: A title character's width in font sizes, in the bold of Streamlit's body font (Source Sans),
#: rounded up from what chromium measures (canvas ``measureText``, bold, at 1280 px): a title
#: thought a little wider than it is breaks where it could have stayed whole, one thought
#: narrower runs past its chart. One average width (0.45) did not do: "Loss above the minimum"
#: (three m's) measures 0.50 a character, 263 px at 24 px, and ran past its 247 px.
_GROUPS = {
    0.20: " ",
    0.34: "ijlI.,:;'|!·′",
    0.40: "frt()[]-/",
    0.47: "csz?*",
    0.69: 'BCDGHKNOPQRU&"→αβ',
    0.86: "mwMW%",
}
_WIDTH = {ch: width for width, chars in _GROUPS.items() for ch in chars}
#: Every other character that is not a wide (Chinese) one: most letters, digits, Greek, signs.
LATIN = 0.58
_TAG = re.compile(r"<[^>]*>")


def _char_width(ch: str) -> float:
    """A character's width in font sizes: a Chinese character (or a full-width sign) is as wide
    as the size, others as :data:`_GROUPS` or :data:`LATIN` say."""
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 1.0
    return _WIDTH.get(ch, LATIN)


def text_width(text: str) -> float:
    """``text``'s width in font sizes (HTML tags left out), a little over what it measures."""
    return sum(_char_width(ch) for ch in _TAG.sub("", text))


def break_title(text: str, width_px: float, size: float) -> str | None:
    """``text`` on two lines (plotly's ``<br>``) when it is wider than ``width_px`` at ``size``
    px; None when it fits or has nowhere to break.

    Plotly does not wrap a title: one wider than its chart is cut at the chart's edge. A line
    may break at a space (which the break replaces) or after a Chinese character, never inside
    an HTML tag (``<span style=...>``). It breaks between words (a space, or after a Chinese
    sign such as 、or ，) nearest the middle when one is within a quarter of the width from it,
    so that a Chinese word is not split; else nearest the middle."""
    total = text_width(text)
    if "<br>" in text or total * size <= width_px:
        return None
    # (not between words, distance from the middle, index, replaces a space)
    breaks: list[tuple[bool, float, int, bool]] = []
    depth, seen = 0, 0.0

    def add(between_words: bool, at: int, space: bool) -> None:
        off = abs(seen - total / 2)
        breaks.append((not (between_words and off <= total / 4), off, at, space))

    for i, ch in enumerate(text):
        if ch == "<":
            depth += 1
        elif ch == ">":
            depth = max(depth - 1, 0)
        elif depth == 0:
            if ch == " ":
                add(True, i, True)
            width = _char_width(ch)
            seen += width
            # after a Chinese character, unless a space follows it (the space breaks there)
            if width == 1.0 and i + 1 < len(text) and text[i + 1] != " ":
                add(unicodedata.category(ch).startswith("P"), i + 1, False)
    if not breaks:
        return None
    *_rank, at, space = min(breaks)
    return text[:at] + "<br>" + text[at + 1 if space else at :]
