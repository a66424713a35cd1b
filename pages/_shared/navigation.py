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
# ensure_app_entry(): if app.py has not run in this process yet, it clears the legacy flag and
# reruns, and the rerun goes through app.py with the same URL. (Checked on streamlit 1.67;
# tests/browser/test_deep_link_browser.py pins the behaviour.)
_app_has_run = False


def mark_app_entry() -> None:
    """Called by app.py on every run: the process now routes through st.navigation."""
    global _app_has_run
    _app_has_run = True


def ensure_app_entry() -> None:
    """First line of every page: route a legacy-mode first run back through app.py."""
    global _app_has_run
    if _app_has_run:
        return
    _app_has_run = True  # reroute once at most: a page run on its own must never loop
    import streamlit as st
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.uses_pages_directory = False
    st.rerun()
