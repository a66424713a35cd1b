"""Loss landscape in a real browser: the default experiment draws both planes side by side, the
race preset its paths; a long computation waits for a press and Stop ends it."""

from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    main_block,
    open_page,
    screenshot,
    wait_idle,
)

CHART = "[data-testid='stPlotlyChart']"


def test_default_experiment_draws_two_landscapes(page, app_url):
    page.set_default_timeout(240_000)  # the first computation on a busy 2-core machine
    open_page(page, app_url, "landscape")
    page.get_by_role("heading", name="Loss landscape").wait_for()  # after a first-link reroute
    expect_texts(main_block(page), "Skip connections smooth the landscape", "Hessian λₘₐₓ")
    expect_texts(main_block(page), "roughness")
    wait_idle(page)
    assert_no_exception(page)
    # Plotly draws after the script ends.
    expect(page.locator(f"{CHART}:has(.contourlayer path)")).to_have_count(2)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)  # cleared after the work
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
    expect_texts(main_block(page), "trained as a race")
    page.set_viewport_size({"width": 1400, "height": 3400})
    wait_idle(page)
    assert_no_exception(page)
    expect(page.locator(f"{CHART}:has(.contourlayer path)")).to_have_count(2)
    # Path + markers, twice.
    expect(page.locator(f"{CHART} .scatterlayer .trace").nth(3)).to_be_attached()
    expect(page.locator(CHART)).to_have_count(6)  # 2 contours, 2 surfaces, 2 lines
    screenshot(page, "landscape_race")


def test_a_long_run_waits_for_a_press_and_stop_ends_it(page, app_url):
    page.set_default_timeout(120_000)
    open_page(page, app_url, "landscape", "ls_preset=skip&ls_steps=2000&ls_seed=5")
    expect_texts(main_block(page), "wait for you")
    assert_no_exception(page)
    expect(page.locator(CHART)).to_have_count(0)
    page.get_by_role("button", name="Compute (about").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible")
    page.wait_for_selector("[data-testid='stProgress']")
    page.wait_for_timeout(1500)
    stop.click()
    page.get_by_text("Stopped before the landscape was complete").wait_for()
    expect(page.get_by_role("button", name="Compute the landscape")).to_be_visible()
    wait_idle(page)
    assert_no_exception(page)
    expect(page.locator(CHART)).to_have_count(0)
    screenshot(page, "landscape_stopped")
