"""Projector mode in a real browser at 1280x720: on every page no plot text is under 16 px and
the main figure starts above the fold; the sidebar's controls hide behind one toggle.
Screenshots land in tests/artifacts/present_<page>.png (look at them)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, open_page, screenshot, serve_app, wait_idle
from tests.browser.plots import KEPT, PLOTS_JS, kept_plot_js

PLOTTED = f"() => {PLOTS_JS}.length > 0"
# Every visible piece of text of every plot (st.plotly_chart's and the kept charts' in their
# frames): its font size in px, and the plot's top edge on the page.
SIZES_JS = f"""() => {PLOTS_JS}.map(([gd, at]) => ({{
  top: gd.getBoundingClientRect().top + at,
  sizes: [...gd.querySelectorAll('text')]
    .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
    .map(t => [t.textContent.trim(),
               parseFloat(t.ownerDocument.defaultView.getComputedStyle(t).fontSize)]),
}}))"""
# Every plot's title (st.plotly_chart's and the kept charts'): its text, and whether it lies
# within its chart, not cut at the left, right or top edge.
EVERY_TITLE_JS = f"""() => {PLOTS_JS}.map(([gd]) => {{
  const node = gd.querySelector('.gtitle');
  if (!node || !node.textContent.trim()) return null;
  const box = node.getBBox(), full = gd._fullLayout;
  return {{text: full.title.text,
           inside: box.x >= 0 && box.x + box.width <= full.width && box.y >= -box.height / 4}};
}}).filter(Boolean)"""
PAGES = ["playground", "activations", "gradient_flow", "sequences", "landscape", "race", "lessons"]


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab = context.new_page()
    tab.set_default_timeout(180_000)
    yield tab
    context.close()


@pytest.mark.parametrize("name", PAGES)
def test_projector_mode_is_readable_and_the_main_figure_is_above_the_fold(projector, app_url, name):
    open_page(projector, app_url)
    open_page(projector, app_url, name, "present=1")
    if name == "race":  # nothing long starts unasked: the race's figure comes with its run
        projector.get_by_role("button", name="Run the race").click()
        wait_idle(projector)
    projector.wait_for_function(PLOTTED)
    projector.wait_for_timeout(1500)
    assert_no_exception(projector)
    screenshot(projector, f"present_{name}")
    plots = projector.evaluate(SIZES_JS)
    small = [(text, size) for plot in plots for text, size in plot["sizes"] if size < 16]
    assert small == []
    cut = [t for t in projector.evaluate(EVERY_TITLE_JS) if not t["inside"]]
    assert cut == []  # no plot's title runs past its chart's edge
    assert plots[0]["top"] < 720 - 200, plots[0]["top"]  # and most of it on the screen
    assert "present=1" in projector.url


def test_the_sidebar_controls_hide_behind_one_toggle(projector, app_url):
    open_page(projector, app_url)
    open_page(projector, app_url, "playground", "present=1")
    sidebar = projector.locator("[data-testid='stSidebar']")
    expect(sidebar.get_by_text("Projector mode")).to_be_visible()
    # The style that hides the controls comes with the script run's first elements; a run that
    # was still streaming when the page looked idle once showed them: wait for the end state.
    surface = sidebar.get_by_text("Surface", exact=True)
    expect(surface).to_be_hidden()
    sidebar.get_by_text("Show the controls").click()
    wait_idle(projector)
    expect(surface).to_be_visible()
    # The play buttons stay on the map in projector mode.
    expect(projector.frame_locator(KEPT).first.locator(".updatemenu-button").first).to_be_visible()


# The map (a kept chart: transparent over the page, so the page's colour is what shows).
THEME_JS = f"""() => {{
  const [gd, at] = {PLOTS_JS}[0];
  const tick = gd.querySelector('.xtick text');
  const paper = gd._fullLayout.paper_bgcolor;
  const clear = paper.replace(/ /g, '') === 'rgba(0,0,0,0)';
  const page = getComputedStyle(document.querySelector("[data-testid='stApp']")).backgroundColor;
  return {{paper: clear ? page : paper,
           tick: tick.ownerDocument.defaultView.getComputedStyle(tick).fill}};
}}"""


def _brightness(color: str) -> float:
    """0 (black) to 1 (white), from '#rrggbb' or 'rgb(r, g, b)'."""
    if color.startswith("#"):
        rgb = [int(color[i : i + 2], 16) for i in (1, 3, 5)]
    else:
        rgb = [int(float(v)) for v in color[color.index("(") + 1 : -1].split(",")[:3]]
    return sum(rgb) / (3 * 255)


def test_plots_follow_a_dark_theme_in_projector_mode(browser, monkeypatch):
    """The app ships a light theme (.streamlit/config.toml); with a dark one the enlarged plots
    turn dark too: their colours come from Streamlit's theme, not from the figures."""
    monkeypatch.setenv("STREAMLIT_THEME_BASE", "dark")
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab = context.new_page()
    tab.set_default_timeout(180_000)
    try:
        with serve_app() as url:
            open_page(tab, url)
            open_page(tab, url, "playground", "present=1")
            tab.wait_for_function(PLOTTED)
            tab.wait_for_timeout(1000)
            colors = tab.evaluate(THEME_JS)
            screenshot(tab, "present_playground_dark")
    finally:
        context.close()
    assert _brightness(colors["paper"]) < 0.2, colors
    assert _brightness(colors["tick"]) > 0.7, colors


# Each kept chart's title: its text, and whether it lies within the chart (not cut at its left,
# right or top edge).
TITLES_JS = f"""() => [...document.querySelectorAll("{KEPT}")].map(f => {{
  const gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot');
  const node = gd && gd.querySelector('.gtitle');
  if (!node) return null;
  const box = node.getBBox();
  const full = gd._fullLayout;
  return {{text: full.title.text,
           inside: box.x >= 0 && box.x + box.width <= full.width && box.y >= -box.height / 4}};
}})"""


# The distance chart's Adam curve, as a string: it changes with Adam's learning rate.
DISTANCE_JS = (
    f"(() => {{ const gd = {kept_plot_js(3)};"
    " const t = gd && gd._fullData.find(t => t.name === 'adam');"
    " return t ? String(t.y.length) + ':' + String(t.y[t.y.length - 1]) : null; })()"
)


def test_a_title_too_wide_for_its_chart_is_broken_into_two_lines(projector, app_url):
    """At 1280 px, projector mode's large type made 'Distance to the nearest known minimum' run
    past its chart's edge, where plotly cut it off; it is set on two lines, and stays so when
    the next figure comes."""
    open_page(projector, app_url)
    open_page(projector, app_url, "playground", "present=1")
    projector.wait_for_function(f"() => {TITLES_JS}().filter(Boolean).length >= 3")
    projector.wait_for_timeout(1000)
    titles = [t for t in projector.evaluate(TITLES_JS) if t]
    assert all(t["inside"] for t in titles), titles
    (distance,) = [t["text"] for t in titles if "minimum" in t["text"]]
    assert distance.count("<br>") == 1, titles  # two lines, of the same words
    assert distance.replace("<br>", " ") == "<b>Distance to the nearest known minimum</b>"
    assert "<b>Loss against step</b>" in [t["text"] for t in titles]  # fits as it is
    # The next figure (Adam's rate one notch down) comes with the same title: broken at once.
    sidebar = projector.locator("[data-testid='stSidebar']")
    sidebar.get_by_text("Show the controls").click()
    wait_idle(projector)
    panel = sidebar.locator("[data-testid='stExpander']").filter(has_text="adam").first
    panel.locator("summary").click()
    wait_idle(projector)
    before = projector.evaluate(f"() => {DISTANCE_JS}")
    panel.get_by_role("slider").first.focus()
    projector.keyboard.press("ArrowLeft")
    projector.wait_for_function(f"(before) => {DISTANCE_JS} !== before", arg=before)
    wait_idle(projector)
    projector.wait_for_timeout(500)
    again = [t for t in projector.evaluate(TITLES_JS) if t]
    assert distance in [t["text"] for t in again] and all(t["inside"] for t in again), again
    projector.locator(KEPT).nth(3).scroll_into_view_if_needed()
    screenshot(projector, "present_playground_titles")


# Each plot's title and legend boxes on the screen, where the plot has both.
TITLE_AND_LEGEND_JS = f"""() => {PLOTS_JS}.map(([gd]) => {{
  const title = gd.querySelector('.gtitle'), legend = gd.querySelector('.legend');
  if (!title || !title.textContent.trim() || !legend) return null;
  const a = title.getBoundingClientRect(), b = legend.getBoundingClientRect();
  return {{text: title.textContent, overlap: a.bottom > b.top && a.top < b.bottom
                                         && a.right > b.left && a.left < b.right}};
}}).filter(Boolean)"""


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("lesson", [1, 2, 3, 4])  # the lessons with charts side by side
def test_charts_side_by_side_keep_each_title_inside_its_chart_and_clear_of_its_legend(
    projector, app_url, lesson, lang
):
    """Lesson 4 sets three charts side by side: 'Loss above the minimum' ran past the third
    one's edge (its title was broken for half the page's width), and in Chinese the maps'
    legends held the star and the ring too, three rows that ran into the titles. In lessons
    1-3 a legend above a half-width chart wrapped to more rows than planned for a wide one,
    and its top rows ran into the title."""
    open_page(projector, app_url)
    open_page(projector, app_url, "lessons", f"lesson={lesson}&present=1&lang={lang}")
    projector.wait_for_function(f"() => {PLOTS_JS}.length >= 2")
    projector.wait_for_timeout(1500)
    assert_no_exception(projector)
    projector.locator("[data-testid='stPlotlyChart']").last.scroll_into_view_if_needed()
    screenshot(projector, f"present_lesson{lesson}_{lang}")
    titles = projector.evaluate(EVERY_TITLE_JS)
    assert len(titles) >= 2 and all(t["inside"] for t in titles), titles
    boxes = projector.evaluate(TITLE_AND_LEGEND_JS)
    assert boxes and not any(b["overlap"] for b in boxes), boxes
