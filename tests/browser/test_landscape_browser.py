"""Loss landscape in a real browser: the default experiment draws both planes side by side, the
race preset its paths; a long computation waits for a press and Stop ends it."""

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_idle

CHART = "[data-testid='stPlotlyChart']"


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def test_default_experiment_draws_two_landscapes(page, app_url):
    page.set_default_timeout(240_000)  # the first computation on a busy 2-core machine
    open_page(page, app_url, "landscape")
    page.get_by_role("heading", name="Loss landscape").wait_for()  # after a first-link reroute
    wait_idle(page)
    assert_no_exception(page)
    text = main_text(page)
    assert "Skip connections smooth the landscape" in text
    assert "Hessian λₘₐₓ" in text and "roughness" in text
    page.wait_for_selector(f"{CHART} .contourlayer path")  # plotly draws after the script ends
    assert page.locator(f"{CHART}:has(.contourlayer path)").count() == 2
    assert page.get_by_role("button", name="Stop").count() == 0  # cleared after the work
    page.set_viewport_size({"width": 1400, "height": 2400})
    wait_idle(page)
    shot = screenshot(page, "landscape")
    assert shot.stat().st_size > 50_000
    page.set_viewport_size({"width": 1280, "height": 720})
    wait_idle(page)
    page.screenshot(path=str(shot.with_name("landscape_1280x720.png")))


def test_race_preset_draws_the_paths(page, app_url):
    page.set_default_timeout(240_000)
    open_page(page, app_url, "landscape", "ls_preset=race&ls_steps=120&ls_3d=1")
    assert_no_exception(page)
    assert "trained as a race" in main_text(page)
    page.set_viewport_size({"width": 1400, "height": 3400})
    page.wait_for_selector(f"{CHART} .contourlayer path")
    assert page.locator(f"{CHART}:has(.contourlayer path)").count() == 2
    assert page.locator(f"{CHART} .scatterlayer .trace").count() >= 4  # path + markers, twice
    assert page.locator(CHART).count() == 6  # 2 contours, 2 surfaces, 2 lines
    wait_idle(page)
    screenshot(page, "landscape_race")


def test_a_long_run_waits_for_a_press_and_stop_ends_it(page, app_url):
    page.set_default_timeout(120_000)
    open_page(page, app_url, "landscape", "ls_preset=skip&ls_steps=2000&ls_seed=5")
    assert_no_exception(page)
    assert "wait for you" in main_text(page)
    assert page.locator(CHART).count() == 0
    page.get_by_role("button", name="Compute (about").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible")
    page.wait_for_selector("[data-testid='stProgress']")
    page.wait_for_timeout(1500)
    stop.click()
    wait_idle(page)
    assert_no_exception(page)
    page.get_by_text("Stopped before the landscape was complete").wait_for()
    assert page.get_by_role("button", name="Compute the landscape").is_visible()
    assert page.locator(CHART).count() == 0
    screenshot(page, "landscape_stopped")
