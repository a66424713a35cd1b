"""Gradients through time in a real browser: a preset trains live and draws its heatmaps; a long
run waits for the Train press and stops on Stop, keeping what it recorded."""

from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    assert_no_exception,
    expect_texts,
    main_block,
    open_page,
    screenshot,
    wait_idle,
)

CHART = "[data-testid='stPlotlyChart']"


def test_gru_preset_trains_and_draws_every_view(page, app_url):
    open_page(page, app_url, "sequences", "sq_preset=gru&sq_steps=60")
    main = main_block(page)
    expect_texts(main, "The GRU: an update gate instead of a cell", "update gate keeps")
    expect_texts(main, "After 60 training steps")
    download = page.get_by_role("button", name="Download the probes through time (CSV)")
    expect(download).to_be_visible()
    expect(page.locator(f"{CHART} .main-svg").nth(5)).to_be_attached()  # 6 or more
    wait_idle(page)
    assert_no_exception(page)
    # 3 cells + connectivity.
    expect(page.locator(f"{CHART}:has(.heatmaplayer)")).to_have_count(4)
    page.set_viewport_size({"width": 1280, "height": 720})
    wait_idle(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "sequences_720.png"))  # what a projector shows first
    page.set_viewport_size({"width": 1400, "height": 4200})  # the main pane scrolls inside
    wait_idle(page)
    shot = screenshot(page, "sequences")
    assert shot.stat().st_size > 50_000


def test_a_long_run_waits_for_train_and_stops_on_stop(page, app_url):
    open_page(page, app_url, "sequences", "sq_preset=adding&sq_steps=2000&sq_seed=3")
    assert_no_exception(page)
    train = page.get_by_role("button", name="Train (about")
    expect(train).to_be_visible()
    train.click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible")
    page.wait_for_timeout(2000)  # let it record a few steps
    stop.click()
    main = main_block(page)
    expect_texts(main, "Stopped (")
    expect(page.get_by_role("button", name="Train again")).to_be_visible()
    wait_idle(page)
    assert_no_exception(page)
    text = main.inner_text()
    steps = int(text.split("Stopped (")[1].split(" after ")[1].split(" steps")[0])
    assert 0 < steps < 2000
    page.set_viewport_size({"width": 1400, "height": 3000})
    screenshot(page, "sequences_stopped")
