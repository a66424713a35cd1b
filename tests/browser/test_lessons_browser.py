"""A lesson in Chromium at a projector's 1280x720, in projector mode: it draws, its figures are
on screen, and its "Open in the full page" link points at the full page with its settings."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_idle

SHOTS = Path("/work/wt/shots/i13-la")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lesson", "lang"), [(1, "en"), (2, "en"), (3, "en"), (4, "zh"), (5, "zh")]
)
def test_lesson_at_1280x720(browser, app_url, lesson, lang):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    tab = context.new_page()
    tab.set_default_timeout(180_000)
    try:
        open_page(tab, app_url, "lessons", f"lesson={lesson}&lang={lang}&present=1")
        wait_idle(tab)
        assert_no_exception(tab)
        expect(tab.locator(".js-plotly-plot").nth(1)).to_be_attached()  # 2 or more
        link = tab.locator("[data-testid='stLinkButton'] a")
        href = link.get_attribute("href")
        full_page = "activations?act_sel=" if lesson == 5 else "playground?"
        assert href.startswith(full_page)
        assert (f"lang={lang}" in href) == (lang != "en")
        name = f"lesson{lesson}_{lang}"
        view = tab.screenshot()  # what the projector shows without scrolling
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{name}_fold.png").write_bytes(view)
        # Scrolled to the figures: both side by side on one screen, with their numbers below.
        tab.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
        tab.wait_for_timeout(500)
        shot = screenshot(tab, f"lessons_{name}")
        shutil.copy(shot, SHOTS / f"{name}_figures.png")
        box = tab.locator(".js-plotly-plot").nth(1).bounding_box()
        assert box["y"] + box["height"] <= 720 + 1  # the second figure is wholly on screen
        assert shot.stat().st_size > 20_000
    finally:
        context.close()
