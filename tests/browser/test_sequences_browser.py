"""Gradients through time in a real browser: a preset trains live and draws its heatmaps; a long
run waits for the Train press and stops on Stop, keeping what it recorded."""

from tests.browser.conftest import (
    ARTIFACTS,
    IDLE,
    assert_no_exception,
    open_page,
    screenshot,
    wait_idle,
)

CHART = "[data-testid='stPlotlyChart']"


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def test_gru_preset_trains_and_draws_every_view(page, app_url):
    open_page(page, app_url, "sequences", "sq_preset=gru&sq_steps=60")
    assert_no_exception(page)
    text = main_text(page)
    assert "The GRU: an update gate instead of a cell" in text
    assert "update gate keeps" in text and "After 60 training steps" in text
    assert page.locator(f"{CHART}:has(.heatmaplayer)").count() == 4  # 3 cells + connectivity
    assert page.locator(f"{CHART} .main-svg").count() >= 6
    assert page.get_by_role("button", name="Download the probes through time (CSV)").is_visible()
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
    assert train.is_visible()
    train.click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible")
    page.wait_for_timeout(2000)  # let it record a few steps
    stop.click()
    wait_idle(page)
    assert_no_exception(page)
    page.wait_for_selector(IDLE)
    text = main_text(page)
    assert "Stopped (" in text
    steps = int(text.split("Stopped (")[1].split(" after ")[1].split(" steps")[0])
    assert 0 < steps < 2000
    assert page.get_by_role("button", name="Train again").is_visible()
    page.set_viewport_size({"width": 1400, "height": 3000})
    screenshot(page, "sequences_stopped")
