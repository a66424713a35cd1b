"""The optimizer playground in a real browser: loads cleanly, Play moves the markers, a click on
the map moves the start, a first look at a steep surface shows no red boxes, an optimizer's
panel stays open while its η changes. Screenshots land in tests/artifacts/ (look at them)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    main_block,
    open_page,
    screenshot,
    wait_idle,
)
from tests.browser.plots import KEPT, kept_plot_js

# The map and the 3D view are kept charts (frames of their own): the map is the first.
MAP_GD = kept_plot_js(0)

# The playback markers' current positions, read from the live Plotly graph div.
MARKERS_JS = f"""() => {{
  const gd = {MAP_GD};
  return gd._fullData.filter(t => (t.name || '').endsWith('(now)'))
                .map(t => [Number(t.x[0]), Number(t.y[0])]);
}}"""
# How many markers stand elsewhere than at ``before`` (the positions MARKERS_JS gave).
MOVED_JS = f"""([before]) => ({MARKERS_JS})()
  .filter((p, i) => p[0] !== before[i][0] || p[1] !== before[i][1]).length"""
START_JS = f"""() => {{
  const gd = {MAP_GD};
  const t = gd && gd._fullData && gd._fullData.find(t => t.name === 'start');
  return t ? [Number(t.x[0]), Number(t.y[0])] : [NaN, NaN];
}}"""
MAP_DRAWN = f"() => {{ const gd = {MAP_GD}; return Boolean(gd && gd._fullData); }}"


def _open(page, app_url):
    # Open the root first: on a fresh server, a deep link served before any st.navigation call
    # falls back to Streamlit's pages/ auto-discovery (reported; app.py is not this page's).
    open_page(page, app_url)
    open_page(page, app_url, "playground")
    page.wait_for_function(MAP_DRAWN)
    page.wait_for_timeout(500)
    assert_no_exception(page)


def test_playground_loads_and_play_moves_the_markers(page, app_url):
    _open(page, app_url)
    expect_texts(main_block(page), "Optimizer playground")
    page.set_viewport_size({"width": 1400, "height": 1000})
    screenshot(page, "playground")
    page.wait_for_function(f"() => ({MARKERS_JS})().length === 5")  # every optimizer's marker
    before = page.evaluate(MARKERS_JS)
    assert all(x == x for x, _ in before), before  # numbers, not NaN
    the_map = page.frame_locator(KEPT).first
    the_map.locator(".updatemenu-button").first.click()
    # Play runs in the browser: wait until at least 4 of the 5 markers have left their place.
    page.wait_for_function(f"(before) => ({MOVED_JS})([before]) >= 4", arg=before, polling=100)
    page.locator(KEPT).first.screenshot(path="tests/artifacts/playground_playing.png")
    assert_no_exception(page)


def test_click_on_the_map_moves_the_start(page, app_url):
    _open(page, app_url)
    before = page.evaluate(START_JS)
    box = page.frame_locator(KEPT).first.locator(".nsewdrag").first.bounding_box()
    # Click well inside the plotting area, away from the default start (upper right).
    page.mouse.click(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.25)
    # The rerun that the click starts redraws the map with the new start and writes the link.
    expect(page).to_have_url(re.compile("pg_x0="))
    page.wait_for_function(
        f"(before) => {{ const now = ({START_JS})(); "
        "return now[0] !== before[0] || now[1] !== before[1]; }",
        arg=before,
        polling=100,
    )
    wait_idle(page)
    after = page.evaluate(START_JS)
    assert after[0] > 2.0 and after[1] > 1.0, after  # Beale's region is [-4.5, 4.5]²
    assert_no_exception(page)
    screenshot(page, "playground_clicked")
    # The lower panels, in a tall window (Streamlit scrolls inside its own container).
    page.set_viewport_size({"width": 1400, "height": 3200})
    wait_idle(page)
    page.wait_for_timeout(1500)
    screenshot(page, "playground_tall")
    for tab in ("Internals", "Comparison table", "Update rules"):
        page.get_by_role("tab", name=tab).click()
        page.wait_for_timeout(1200)
        screenshot(page, "playground_tab_" + tab.split()[0].lower())


def test_many_starts_and_sweep_modes_render(page, app_url):
    open_page(page, app_url)
    page.set_viewport_size({"width": 1400, "height": 1400})
    open_page(page, app_url, "playground", "pg_mode=starts&pg_surface=himmelblau&pg_grid=20")
    page.wait_for_selector("[data-testid='stPlotlyChart']")
    page.wait_for_timeout(1000)
    expect_texts(page.locator("[data-testid='stPlotlyChart']").first, "converged")
    assert_no_exception(page)
    screenshot(page, "playground_starts")
    open_page(page, app_url, "playground", "pg_mode=sweep")
    page.wait_for_selector("[data-testid='stPlotlyChart']")
    page.wait_for_timeout(1000)
    assert_no_exception(page)
    expect(page.get_by_role("button", name="Use η =").first).to_be_visible()
    screenshot(page, "playground_sweep")


@pytest.mark.parametrize("surface", ["rosenbrock", "beale", "goldstein_price"])
def test_first_look_at_a_steep_surface_shows_no_red_boxes(page, app_url, surface):
    # SGD and Momentum diverged on Rosenbrock with their defaults, RAdam on Beale.
    open_page(page, app_url)
    everyone = (
        "sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamw,amsgrad,nadam,radam,adamax"
    )
    open_page(page, app_url, "playground", f"pg_surface={surface}&pg_opts={everyone}")
    page.wait_for_function(MAP_DRAWN)
    page.wait_for_timeout(800)
    assert_no_exception(page)
    screenshot(page, f"playground_first_look_{surface}")
    red = page.locator("[data-testid='stAlertContentError']")
    assert red.count() == 0, red.all_inner_texts()
    assert "diverged" not in page.locator("[data-testid='stMain']").inner_text()


def _adams_panel(page):
    """Adam's panel in the sidebar, opened with a click as a person would (a closed panel
    draws no widgets), and its learning-rate slider."""
    sidebar = page.locator("[data-testid='stSidebar']")
    panel = sidebar.locator("[data-testid='stExpander']").filter(has_text="adam").first
    panel.locator("summary").click()
    wait_idle(page)
    return panel, panel.get_by_role("slider").first


def _lower_adams_rate(page) -> None:
    """Adam's learning rate one notch down, with the keyboard (the page reruns)."""
    _, lr = _adams_panel(page)
    lr.focus()
    page.keyboard.press("ArrowLeft")


def test_an_optimizers_panel_stays_open_while_its_learning_rate_changes(page, app_url):
    _open(page, app_url)
    panel, lr = _adams_panel(page)
    before = lr.get_attribute("aria-valuetext")
    for _ in range(3):  # each key press reruns the page; the panel must not close in between
        link = page.url
        lr.focus()
        page.keyboard.press("ArrowLeft")
        expect(page).not_to_have_url(link)  # the rerun wrote the new η into the link
        wait_idle(page)
        expect(panel.locator("details")).to_have_attribute("open", re.compile(".*"))
    after = panel.get_by_role("slider").first.get_attribute("aria-valuetext")
    assert after != before, (before, after)
    expect(page).to_have_url(re.compile("pg_adam_lr="))
    page.set_viewport_size({"width": 1400, "height": 2000})  # the whole panel, labels and digits
    wait_idle(page)
    screenshot(page, "playground_panel_open")
    assert_no_exception(page)


ADAM_ON_MAP = f"() => {{ const gd = {MAP_GD}; return gd._fullData.some(t => t.name === 'adam'); }}"


def test_an_optimizer_taken_out_and_back_keeps_its_learning_rate(page, app_url):
    # Taken out, an optimizer's settings wait outside session state (state.park): in the live
    # server, where the browser sends its widgets' values, they must come back as they were.
    _open(page, app_url)
    _lower_adams_rate(page)
    wait_idle(page)
    expect(page).to_have_url(re.compile("pg_adam_lr="))
    lowered = re.search(r"pg_adam_lr=([^&]+)", page.url).group(1)
    picker = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect']").first
    picker.get_by_role("button", name="Remove adam · adaptive").click()
    wait_idle(page)
    page.wait_for_function(f"() => !({ADAM_ON_MAP})()")
    expect(page).to_have_url(re.compile(f"pg_adam_lr={re.escape(lowered)}"))  # the link keeps it
    picker.get_by_role("combobox").fill("adam")
    page.get_by_role("option", name=re.compile("^adam · ")).click()
    page.keyboard.press("Escape")
    wait_idle(page)
    page.wait_for_function(ADAM_ON_MAP)
    expect(page).to_have_url(re.compile(f"pg_adam_lr={re.escape(lowered)}"))
    _, lr = _adams_panel(page)
    assert float(lr.get_attribute("aria-valuetext")) == pytest.approx(float(lowered))
    assert_no_exception(page)


# The map's contour (drawn), and Adam's path's last point.
CONTOUR_AND_ADAM = f"""() => {{
  const gd = {MAP_GD};
  if (!gd || !gd._fullData) return null;
  const adam = gd._fullData.find(t => t.name === 'adam');
  const contour = gd._fullData.find(t => t.type === 'contour');
  return [Boolean(contour && contour.z && contour.z.length), Number(adam.x[adam.x.length - 1])];
}}"""


def test_the_contour_comes_once_and_a_frame_that_lost_it_asks_again(page, app_url):
    # The contour and the 3D surface travel with the first view only (pages/_common/kept_parts.py);
    # a tab's frames keep them in one store. Emptied (as a reload of the frames would), the map
    # asks for its contour and the next run brings it.
    _open(page, app_url)
    drawn, adam = page.evaluate(CONTOUR_AND_ADAM)
    assert drawn
    _, lr = _adams_panel(page)
    for lost in (False, True):
        if lost:
            page.evaluate("() => window.__keptChartParts.clear()")
        lr.focus()
        page.keyboard.press("ArrowLeft")
        wait_idle(page)
        page.wait_for_function(f"() => ({CONTOUR_AND_ADAM})()[1] !== {adam!r}")
        page.wait_for_function(f"() => ({CONTOUR_AND_ADAM})()[0]")
        drawn, adam = page.evaluate(CONTOUR_AND_ADAM)
        frame = page.frame_locator(KEPT).first
        expect(frame.locator("body")).not_to_contain_text("could not be drawn")
    assert page.evaluate("() => window.__keptChartParts.size") >= 1  # sent again, kept again
    assert_no_exception(page)


# The 3D view: the second kept chart.
IN_3D = f"""(f) => {{
  const gd = {kept_plot_js(1)};
  return gd && gd._fullData ? f(gd) : null;
}}"""
# The camera the reader sees (the scene's own; the layout's copy follows it on mouse-up only).
EYE_3D = "gd => gd._fullLayout.scene._scene.getCamera().eye"
ADAM_3D = """gd => { const t = gd._fullData.find(t => t.name === 'adam');
  return [t.x.length, Number(t.x[t.x.length - 1]), Number(t.y[t.y.length - 1])]; }"""


def _turn(page) -> dict:
    """Drag across the 3D view as a reader would, until its camera has moved (a scene that
    has only just been drawn may not listen yet); the camera's eye after the turn."""
    frame = page.locator(KEPT).nth(1)
    frame.scroll_into_view_if_needed()
    default = {"x": 1.25, "y": 1.25, "z": 1.25}
    for _ in range(5):
        box = frame.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        for step in range(1, 11):  # paced: the scene reads the mouse once per animation frame
            page.mouse.move(x + 12 * step, y + 3 * step)
            page.wait_for_timeout(30)
        page.mouse.up()
        page.wait_for_timeout(300)
        eye = page.evaluate(f"() => ({IN_3D})({EYE_3D})")
        if eye != pytest.approx(default):
            return eye
        page.wait_for_timeout(500)
    screenshot(page, "playground_3d_not_turned")
    under = page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).outerHTML.slice(0, 200)", [x, y]
    )
    raise AssertionError(f"dragging did not turn the 3D view: {eye}; under the mouse: {under}")


def test_the_3d_view_takes_a_new_learning_rate_in_place_and_keeps_the_camera(page, app_url):
    _open(page, app_url)
    page.wait_for_function(f"() => ({IN_3D})(gd => gd._fullData.length) === 6")  # surface + 5
    # Each frame loaded the partial plotly.js bundle that draws it, not the full one.
    scripts = page.evaluate(
        f"""() => [...document.querySelectorAll("{KEPT}")].map(f => [...f.contentDocument
            .querySelectorAll("script[src]")].map(s => s.src.split("/").pop()))"""
    )
    # The map, the 3D view, the loss and the distance; and no st.plotly_chart on the page, so
    # Streamlit's own plotly.js is not loaded at all.
    cartesian, gl3d = ["plotly-cartesian.min.js"], ["plotly-gl3d.min.js"]
    assert scripts == [cartesian, gl3d, cartesian, cartesian], scripts
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0
    before = page.evaluate(f"() => ({IN_3D})({ADAM_3D})")
    # The plot is marked, so that a redrawn one would show; the reader turns the view by dragging.
    page.evaluate(f"() => ({IN_3D})(gd => {{ gd.__kept = true; return true; }})")
    eye = _turn(page)
    _lower_adams_rate(page)
    page.wait_for_function(
        f"(before) => JSON.stringify(({IN_3D})({ADAM_3D})) !== JSON.stringify(before)",
        arg=before,
        polling=100,
    )
    wait_idle(page)
    same = page.evaluate(f"() => ({IN_3D})(gd => gd.__kept === true)")
    camera = page.evaluate(f"() => ({IN_3D})({EYE_3D})")
    assert same, "the 3D view was drawn anew instead of updated in place"
    assert camera == pytest.approx(eye), camera  # the reader's turn survived the new paths
    assert_no_exception(page)
    page.locator(KEPT).nth(1).screenshot(path="tests/artifacts/playground_3d_kept.png")


def test_a_figure_the_kept_chart_cannot_draw_is_said_so_and_the_next_one_is_drawn(page, app_url):
    _open(page, app_url)
    page.wait_for_function(f"() => ({IN_3D})(gd => gd._fullData.length) === 6")
    frame = page.locator(KEPT).nth(1)
    # What Streamlit would send if a figure could not be read: the frame says so in its place.
    page.evaluate(
        f"""() => document.querySelectorAll("{KEPT}")[1].contentWindow.postMessage(
            {{type: 'streamlit:render', args: {{spec: '{{not json', height: 620}}}}, '*')"""
    )
    expect(page.frame_locator(KEPT).nth(1).locator("#chart")).to_contain_text(
        "This chart could not be drawn"
    )
    # The next run's figure is drawn again in the same frame.
    _lower_adams_rate(page)
    page.wait_for_function(f"() => ({IN_3D})(gd => gd._fullData.length) === 6", polling=100)
    expect(page.frame_locator(KEPT).nth(1).locator("#chart")).not_to_contain_text("could not")
    assert frame.bounding_box()["height"] > 600
    assert_no_exception(page)
