from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    main_block,
    open_page,
    screenshot,
    wait_idle,
)

PLOTS = ".js-plotly-plot"


def press_run(page, what: str = "race") -> None:
    page.get_by_role("button", name=f"Run the {what}").click()
    wait_idle(page)


def test_race_page_waits_for_run_then_races_in_chromium(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3200})  # the whole page in one shot
    open_page(page, app_url, "race", "rc_steps=60")
    assert_no_exception(page)
    main = main_block(page)
    # Nothing trains on opening: Run says what it will do and how long it takes.
    expect_texts(main, "trains 5 networks", "60 steps: about")
    expect(page.locator(PLOTS)).to_have_count(0)
    screenshot(page, "race_waiting")  # open_page waited for the widgets' lazy components too
    press_run(page)
    # The race's end state: its charts (the last ones drawn) and its table, Stop cleared.
    expect_texts(main, "Gradient norm per layer")
    expect(page.locator(PLOTS).nth(2)).to_be_attached()  # at least 3 charts
    table = page.locator("[data-testid='stDataFrame']")
    expect(table).to_be_visible()
    wait_idle(page)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)  # cleared after the race
    assert_no_exception(page)
    expect(page.get_by_role("heading", name="Optimizer race")).to_be_visible()
    expect(table).not_to_contain_text("None", use_inner_text=True)
    shot = screenshot(page, "race")
    assert shot.stat().st_size > 30_000


def test_race_sweep_mode_in_chromium(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1600})
    open_page(page, app_url, "race", "rc_mode=sweep&rc_steps=40&rc_sweep_n=5&rc_opts=sgd,adam")
    press_run(page, "sweep")
    expect(page.locator(PLOTS).first).to_be_attached()  # the sweep's chart, once it has run
    expect(main_block(page)).to_contain_text("learning rate", ignore_case=True, use_inner_text=True)
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "race_sweep")


def test_a_sweep_over_the_limit_cannot_be_started(page, app_url):
    opts = "sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamw,amsgrad,nadam,radam,adamax"
    open_page(page, app_url, "race", f"rc_mode=sweep&rc_steps=40&rc_opts={opts}")
    assert_no_exception(page)
    expect_texts(main_block(page), "12 optimizers × 9 learning rates = 108", "limit is 64")
    expect(page.get_by_role("button", name="Run the sweep")).to_be_disabled()
    expect(page.locator("[data-testid='stProgress']")).to_have_count(0)
    expect(page.get_by_role("button", name="Stop")).to_have_count(0)


def test_stop_keeps_the_partial_race(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1400})
    # A race long enough (about 20 ms a step here, 2000 steps) that it is still running when
    # Stop is pressed on any machine: the default size races 1500 steps in under 2 s, and a
    # Stop button that went away with the finished race was waited for until the timeout.
    open_page(page, app_url, "race", "rc_steps=2000&rc_seed=7&rc_n=2000&rc_width=64")
    page.get_by_role("button", name="Run the race").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for()
    # The first live update has arrived when the bar counts steps (it says "Training…" before).
    expect(page.locator("[data-testid='stProgress']")).to_contain_text("Step ")
    stop.click()
    main = main_block(page)
    # The stopped race's end state: its message, what it recorded, the offer to run it all.
    expect_texts(main, "Stopped at step", "of 2000", "Gradient norm per layer")
    expect(page.get_by_role("button", name="Run the whole race")).to_be_visible()
    expect(page.locator("[data-testid='stProgress']")).to_have_count(0)
    wait_idle(page)
    assert_no_exception(page)
    screenshot(page, "race_stopped")
