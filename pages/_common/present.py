"""Projector mode: big text, the main figure above the fold, the sidebar's controls put away.

A switch in the sidebar and ``?present=1`` in the URL turn it on, on every page (every page's first
line, ``navigation.ensure_app_entry``, calls :func:`setup` before the page draws). The mode lives in the URL like any other
field, so a shared link opens on the projector as it was left. In projector mode:

- every chart drawn through :func:`chart` gets larger fonts, lines and markers
  (:func:`viz.projector.for_projector`, on a copy: cached figures are shared between sessions);
- the page header and the title shrink, so the main figure starts near the top of the screen;
- the sidebar's controls hide behind one toggle ("Show the controls"); the widgets stay drawn
  (only hidden), so their values are kept.

Plots follow Streamlit's light or dark theme: the figures use Streamlit's plotly template,
whose colours the browser fills in from the theme.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from engine.core.i18n import _
from pages._common import state
from pages._common.kept_chart import kept_chart
from pages._common.state import BoolField
from viz.projector import TITLE_PAD_PX, for_projector

PRESENT = BoolField("present", False)
CONTROLS = "present_controls"  # session-state key of the "Show the controls" toggle
_KEPT = "_present_kept"  # the mode, outside the widget's state (which a page change drops)
_CONTROLS_KEPT = "_present_controls_kept"  # the same for "Show the controls"
BOX = "present_box"  # the sidebar container holding the two toggles (its CSS class: st-key-…)

# Streamlit marks a keyed container with the class ``st-key-<key>``; everything else in the
# sidebar's own content (the page's widgets) is hidden. The navigation is not in that block.
_HIDE_CONTROLS = f"""
[data-testid="stSidebarUserContent"] [data-testid="stVerticalBlock"]
  > :not(:has(.st-key-{BOX})):not(.st-key-{BOX}):not(.st-key-{BOX} *) {{ display: none; }}
"""
# A smaller header and title: at 1280x720 the title took the top third of the screen.
_PROJECTOR_CSS = """
[data-testid="stMainBlockContainer"] { padding-top: 3.2rem; padding-bottom: 2rem; }
[data-testid="stMain"] h1 { font-size: 1.9rem; padding: 0 0 0.25rem 0; }
[data-testid="stMain"] { font-size: 1.15rem; }
"""


def active() -> bool:
    """Whether this session is in projector mode."""
    return bool(state.value(PRESENT))


def _style(css: str) -> None:
    st.html(f"<style>{css}</style>")


def _keep() -> None:
    """The switch was flipped: that is the mode from now on, on every page."""
    st.session_state[_KEPT] = bool(st.session_state[PRESENT.key])


def _keep_controls() -> None:
    st.session_state[_CONTROLS_KEPT] = bool(st.session_state[CONTROLS])


def setup() -> None:
    """Read the mode from the URL, draw its switch in the sidebar, style the page."""
    if _KEPT in st.session_state:
        # A page change resets the switch (a new page's widget): the mode is kept beside it.
        st.session_state[PRESENT.key] = st.session_state[_KEPT]
    state.restore([PRESENT])
    with st.sidebar, st.container(key=BOX):
        st.toggle(
            _("Projector mode"),
            key=PRESENT.key,
            on_change=_keep,
            help=_("Large text and figures for a classroom projector; the link keeps it."),
        )
        if active():
            if _CONTROLS_KEPT in st.session_state:  # a page change resets it too
                st.session_state[CONTROLS] = st.session_state[_CONTROLS_KEPT]
            st.toggle(_("Show the controls"), key=CONTROLS, on_change=_keep_controls)
    st.session_state[_KEPT] = active()
    state.publish([PRESENT])
    if active():
        _style(_PROJECTOR_CSS + ("" if st.session_state.get(CONTROLS) else _HIDE_CONTROLS))


# The main column's width at 1280 px in projector mode (the sidebar open, its controls hidden),
# and the gap between two columns: what a chart's title must fit in on the projector.
PAGE_WIDTH_PX = 820
COLUMN_GAP_PX = 16


def title_width(container: Any) -> float:
    """About how wide, in px, a title of a chart in ``container`` can be on a 1280 px projector:
    the page's width, or a column's equal share of it in a row of st.columns (Streamlit keeps
    no column's weight; most of the app's rows are of equal columns)."""
    block = _drawing_into(container)
    n = _columns_in_row(block) if getattr(block, "_block_type", None) == "column" else 1
    width = (PAGE_WIDTH_PX - COLUMN_GAP_PX * (n - 1)) / n
    return width - TITLE_PAD_PX


def _drawing_into(container: Any) -> Any:
    """The block that ``container.plotly_chart`` draws into: inside ``with column:``, ``st``
    draws into the column."""
    try:
        return (container._main if container is st else container)._active_dg
    except AttributeError:
        return container


def _columns_in_row(column: Any) -> int:
    """How many columns share ``column``'s row: the row's cursor opened one block per column
    (a row holds nothing else). Two where Streamlit's internals differ from that."""
    try:
        return max(1, int(column._parent._cursor.index))
    except (AttributeError, TypeError, ValueError):
        return 2


def figure(fig: Any, width: float | None = None) -> Any:
    """``fig`` as this session shows it: enlarged (a copy) in projector mode, else itself.
    ``width``: the title's room in px (:func:`title_width`), None to leave the title as it is."""
    return for_projector(fig, width) if active() else fig


def chart(container: Any, fig: Any, **kwargs: Any) -> Any:
    """``container.plotly_chart(fig, **kwargs)`` (``container``: ``st``, a column, a slot) for
    this session's mode: every chart of the app is drawn through here. In projector mode a
    title too long for the chart is set on two lines: plotly would cut it at the chart's edge."""
    return container.plotly_chart(figure(fig, title_width(container)), **kwargs)


def kept(container: Any, fig: Any, *, key: str, clicks: bool = False) -> Any:
    """Like :func:`chart`, as a chart that stays on the page and takes the next run's figure in
    place (:mod:`pages._common.kept_chart`): for a figure redrawn on every slider move."""
    return kept_chart(container, figure(fig), key=key, clicks=clicks)


def title(text: str) -> str:
    """An engine title in the session's language. A typed formula's title, "Custom: <formula>"
    (built once in a cache that sessions share, so in English), keeps the formula as typed."""
    head, sep, formula = text.partition(": ")
    if head == "Custom" and sep:
        return _("Custom: {formula}").format(formula=formula)
    return _(text)
