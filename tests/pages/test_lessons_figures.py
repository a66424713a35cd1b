"""Lessons 5 and 6 restyle figures of the explorer's and gradient flow's builders, which are
plain dict specs (viz/spec_figure.py): their sizes and the lesson's own titles reach the page."""

from __future__ import annotations

from pages._lessons.frame import FIG_HEIGHT
from pages._lessons.text import load
from tests.pages.lesson_links import figures, lesson


def test_l5_figures_take_the_lessons_height():
    figs = figures(lesson(5))
    assert len(figs) == 2
    assert [f["layout"]["height"] for f in figs] == [FIG_HEIGHT, FIG_HEIGHT]


def test_l6_profile_carries_the_lessons_titles_and_height():
    fig = figures(lesson(6, depth=20))[0]
    layout = fig["layout"]
    label = load("06_vanishing", "en").label
    assert layout["height"] == FIG_HEIGHT
    assert layout["title"]["text"] == label("profile_title", depth=20)
    assert layout["xaxis"]["title"]["text"] == layout["xaxis2"]["title"]["text"] == label("layer")
    assert layout["yaxis"]["title"]["text"] == label("norm")
    assert [a["text"] for a in layout["annotations"]] == [
        label("weight_panel"),
        label("signal_panel"),
    ]
