"""Gradient flow in a real browser: a small preset trains live and shows its heatmap; Stop works."""

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


def main_text(page) -> str:
    return main_block(page).inner_text()


def test_small_preset_trains_and_shows_the_heatmap(page, app_url):
    open_page(page, app_url, "gradient_flow", "gf_preset=dead_relu&gf_steps=40")
    expect_texts(main_block(page), "Dead ReLUs after a too-large learning rate")
    # The 40 steps were trained: the training curves are drawn (their plot title is SVG text).
    page.locator(".gtitle", has_text="Loss and accuracy").first.wait_for(state="attached")
    expect(page.locator(f"{CHART}:has(.heatmaplayer)").nth(1)).to_be_attached()  # 2 or more
    expect(page.locator(f"{CHART} .main-svg").nth(7)).to_be_attached()  # 8 or more
    wait_idle(page)
    assert_no_exception(page)
    page.set_viewport_size({"width": 1400, "height": 5600})  # the main pane scrolls inside
    wait_idle(page)
    shot = screenshot(page, "gradient_flow")
    assert shot.stat().st_size > 50_000


def press_train(page) -> None:
    """A long run waits for its Train press, with the estimate on screen."""
    train = page.get_by_role("button", name="Train", exact=True)
    train.wait_for(state="visible")
    expect_texts(main_block(page), "press Train")
    train.click()


def test_stop_button_stops_a_long_run_and_keeps_the_rows(page, app_url):
    page.goto(f"{app_url}/gradient_flow?gf_preset=selu&gf_steps=2000&gf_seed=3")
    press_train(page)
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for(state="visible")
    page.wait_for_timeout(1500)  # let it record a few steps
    stop.click()
    expect_texts(main_block(page), "Stopped (A after")
    expect(page.get_by_role("button", name="Train again")).to_be_visible()
    wait_idle(page)
    assert_no_exception(page)
    text = main_text(page)
    steps = int(text.split("Stopped (A after ")[1].split(" steps")[0])
    assert 0 < steps < 2000
    page.set_viewport_size({"width": 1400, "height": 3000})
    screenshot(page, "gradient_flow_stopped")


def test_stop_while_a_trains_in_a_comparison_keeps_a_and_offers_train_again(page, app_url):
    page.goto(f"{app_url}/gradient_flow?gf_preset=residual&gf_steps=2000&gf_seed=5")
    press_train(page)
    page.get_by_text("Training A: step").wait_for()  # A is training, B has not started
    page.wait_for_timeout(1000)
    page.get_by_role("button", name="Stop").click()
    expect_texts(main_block(page), "Stopped (A after ", "B not trained")
    expect(page.get_by_role("button", name="Train again")).to_be_visible()
    wait_idle(page)
    assert_no_exception(page)
    # A's layer x step heatmap.
    expect(page.locator(f"{CHART}:has(.heatmaplayer)")).to_have_count(1)
    text = main_text(page)
    assert "failed" not in text
    steps = int(text.split("Stopped (A after ")[1].split(" steps")[0])
    assert 0 < steps < 2000
    page.set_viewport_size({"width": 1400, "height": 3600})
    wait_idle(page)
    screenshot(page, "gradient_flow_stopped_comparison")


def test_default_view_single_configuration(page, app_url):
    open_page(page, app_url, "gradient_flow", "gf_steps=60")
    expect_texts(main_block(page), "Vanishing: deep sigmoid + MSE", "At initialisation")
    expect(page.locator(CHART).nth(6)).to_be_attached()  # 7 or more
    wait_idle(page)
    assert_no_exception(page)
    page.set_viewport_size({"width": 1400, "height": 4600})
    wait_idle(page)
    screenshot(page, "gradient_flow_default")
