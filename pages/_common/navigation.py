"""The app's pages in one list, used by app.py's navigation and by the home page's links."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[2]


class PageInfo(NamedTuple):
    path: str  # relative to the repository root
    title: str
    url_path: str
    icon: str
    blurb: str  # one line for the home page


PAGES: tuple[PageInfo, ...] = (
    PageInfo("pages/home.py", "Home", "home", ":material/home:", ""),
    PageInfo(
        "pages/playground.py",
        "Optimizer playground",
        "playground",
        ":material/landscape:",
        "Every optimizer on one 2D loss surface: trajectories, internals, sweeps.",
    ),
    PageInfo(
        "pages/activations.py",
        "Activation explorer",
        "activations",
        ":material/show_chart:",
        "Activation functions, their derivatives, and what depth does to them.",
    ),
    PageInfo(
        "pages/gradient_flow.py",
        "Gradient flow",
        "gradient_flow",
        ":material/stacked_line_chart:",
        "Per-layer gradient norms in deep networks: vanishing, exploding, and the cures.",
    ),
    PageInfo(
        "pages/race.py",
        "Optimizer race",
        "race",
        ":material/sprint:",
        "Several optimizers train the same network from the same weights, side by side.",
    ),
    PageInfo(
        "pages/sequences.py",
        "Gradients through time",
        "sequences",
        ":material/timeline:",
        "RNN, LSTM and GRU: the gradient through time vanishes, explodes, or flows.",
    ),
    PageInfo(
        "pages/landscape.py",
        "Loss landscape",
        "landscape",
        ":material/terrain:",
        "The loss surface of a network you just trained, and the path its optimizer took.",
    ),
    PageInfo(
        "pages/lessons.py",
        "Lessons",
        "lessons",
        ":material/school:",
        "Classroom-ready presets for the classic experiments.",
    ),
)


def available() -> list[PageInfo]:
    """The pages whose files exist (later pages appear as they land)."""
    return [page for page in PAGES if (ROOT / page.path).exists()]


# --- deep links on a fresh server ------------------------------------------------------------
# Streamlit decides once per process, before any of our code runs, that an app with a pages/
# folder is a legacy (v1) multipage app. Only app.py's st.navigation clears that, so when the
# very first request of a fresh server is a deep link (/playground?...), Streamlit runs the page
# file alone: no page config, raw file names in the sidebar. Every page therefore starts with
# ensure_app_entry(): if this session has never gone through app.py, it clears the legacy flag
# and reruns, and the rerun goes through app.py with the same URL. (Checked on streamlit 1.67;
# tests/browser/test_deep_link_browser.py pins the behaviour.) The mark is per session, not per
# process: when a class opens several links at once, every session that started in legacy mode
# is rerouted, not only the first (the others would draw before app.py's warm-up, see
# pages/_common/warmup.py).
_ENTERED = "_app_entered"  # session-state keys
_REROUTED = "_app_rerouted"


def mark_app_entry() -> None:
    """Called by app.py on every run: this session routes through st.navigation."""
    import streamlit as st

    st.session_state[_ENTERED] = True


def ensure_app_entry() -> None:
    """First line of every page: route a session's legacy-mode run back through app.py, then
    the setup every page shares (projector mode, pages/_common/present.py)."""
    import streamlit as st

    if not (st.session_state.get(_ENTERED) or st.session_state.get(_REROUTED)):
        st.session_state[_REROUTED] = True  # once at most: a page run alone must never loop
        from streamlit.runtime.pages_manager import PagesManager

        PagesManager.uses_pages_directory = False
        st.rerun()
    from pages._common import present

    present.setup()
