"""Gradient flow in a real browser: a small preset trains live and shows its heatmap; Stop works."""

from tests.browser.conftest import IDLE, assert_no_exception, open_page, screenshot, wait_idle

CHART = "[data-testid='stPlotlyChart']"


def main_text(page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def test_small_preset_trains_and_shows_the_heatmap(page, app_url):
    open_page(page, app_url, "gradient_flow", "gf_preset=dead_relu&gf_steps=40")
    assert_no_exception(page)
    text = main_text(page)
    assert "Dead ReLUs after a too-large learning rate" in text
    # The 40 steps were trained: the training curves are drawn (their plot title is SVG text).
    page.locator(".gtitle", has_text="Loss and accuracy").first.wait_for(state="attached")
    heatmaps = page.locator(f"{CHART}:has(.heatmaplayer)")
    assert heatmaps.count() >= 2
    assert page.locator(f"{CHART} .main-svg").count() >= 8
    page.set_viewport_size({"width": 1400, "height": 5600})  # the main pane scrolls inside
    wait_idle(page)
    shot = screenshot(page, "gradient_flow")
    assert shot.stat().st_size > 50_000


def press_train(page) -> None:
    """A long run waits for its Train press, with the estimate on screen."""
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for(state="visible")
    assert "press Train" in main_text(page)
    train.click()


def test_stop_button_stops_a_long_run_and_keeps_the_rows(page, app_url):
    page.goto(f"{app_url}/gradient_flow?gf_preset=selu&gf_steps=2000&gf_seed=3")
    press_train(page)
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible")
    page.wait_for_timeout(1500)  # let it record a few steps
    stop.click()
    wait_idle(page)
    assert_no_exception(page)
    page.wait_for_selector(IDLE)
    text = main_text(page)
    assert "Stopped (A after" in text
    steps = int(text.split("Stopped (A after ")[1].split(" steps")[0])
    assert 0 < steps < 2000
    assert page.get_by_role("button", name="Train again").is_visible()
    page.set_viewport_size({"width": 1400, "height": 3000})
    screenshot(page, "gradient_flow_stopped")


def test_stop_while_a_trains_in_a_comparison_keeps_a_and_offers_train_again(page, app_url):
    page.goto(f"{app_url}/gradient_flow?gf_preset=residual&gf_steps=2000&gf_seed=5")
    press_train(page)
    page.get_by_text("Training A: step").wait_for()  # A is training, B has not started
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Stop").click()
    wait_idle(page)
    page.wait_for_selector(IDLE)
    assert_no_exception(page)
    text = main_text(page)
    assert "failed" not in text
    assert "Stopped (A after " in text and "B not trained" in text
    steps = int(text.split("Stopped (A after ")[1].split(" steps")[0])
    assert 0 < steps < 2000
    assert page.get_by_role("button", name="Train again").is_visible()
    assert page.locator(f"{CHART}:has(.heatmaplayer)").count() == 1  # A's layer x step heatmap
    page.set_viewport_size({"width": 1400, "height": 3600})
    wait_idle(page)
    screenshot(page, "gradient_flow_stopped_comparison")


def test_default_view_single_configuration(page, app_url):
    open_page(page, app_url, "gradient_flow", "gf_steps=60")
    assert_no_exception(page)
    text = main_text(page)
    assert "Vanishing: deep sigmoid + MSE" in text and "At initialisation" in text
    assert page.locator(CHART).count() >= 7
    page.set_viewport_size({"width": 1400, "height": 4600})
    wait_idle(page)
    screenshot(page, "gradient_flow_default")
