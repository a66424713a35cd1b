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
