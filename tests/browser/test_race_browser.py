from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_idle


def press_run(page, what: str = "race") -> None:
    page.get_by_role("button", name=f"Run the {what}").click()
    wait_idle(page)


def test_race_page_waits_for_run_then_races_in_chromium(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 3200})  # the whole page in one shot
    open_page(page, app_url, "race", "rc_steps=60")
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']")
    # Nothing trains on opening: Run says what it will do and how long it takes.
    assert page.locator(".js-plotly-plot").count() == 0
    assert "trains 5 networks" in main.inner_text() and "60 steps: about" in main.inner_text()
    page.wait_for_function(  # the widgets' lazily loaded components, for the screenshot
        "document.querySelectorAll(\"[data-testid='stSkeleton']\").length === 0"
    )
    screenshot(page, "race_waiting")
    press_run(page)
    assert_no_exception(page)
    assert page.get_by_role("heading", name="Optimizer race").is_visible()
    assert "Gradient norm per layer" in main.inner_text()
    assert page.locator(".js-plotly-plot").count() >= 3
    assert page.get_by_role("button", name="Stop").count() == 0  # cleared after the race
    assert "None" not in page.locator("[data-testid='stDataFrame']").inner_text()
    shot = screenshot(page, "race")
    assert shot.stat().st_size > 30_000


def test_race_sweep_mode_in_chromium(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1600})
    open_page(page, app_url, "race", "rc_mode=sweep&rc_steps=40&rc_sweep_n=5&rc_opts=sgd,adam")
    press_run(page, "sweep")
    assert_no_exception(page)
    assert page.locator(".js-plotly-plot").count() >= 1
    assert "learning rate" in page.locator("[data-testid='stMain']").inner_text().lower()
    screenshot(page, "race_sweep")


def test_a_sweep_over_the_limit_cannot_be_started(page, app_url):
    opts = "sgd,momentum,nesterov,adagrad,rmsprop,adadelta,adam,adamw,amsgrad,nadam,radam,adamax"
    open_page(page, app_url, "race", f"rc_mode=sweep&rc_steps=40&rc_opts={opts}")
    assert_no_exception(page)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "12 optimizers × 9 learning rates = 108" in text and "limit is 64" in text
    assert page.get_by_role("button", name="Run the sweep").is_disabled()
    assert page.locator("[data-testid='stProgress']").count() == 0
    assert page.get_by_role("button", name="Stop").count() == 0


def test_stop_keeps_the_partial_race(page, app_url):
    page.set_viewport_size({"width": 1400, "height": 1400})
    open_page(page, app_url, "race", "rc_steps=1500&rc_seed=7")
    page.get_by_role("button", name="Run the race").click()
    stop = page.get_by_role("button", name="Stop")
    stop.wait_for()
    page.wait_for_selector("[data-testid='stProgress']")
    page.wait_for_timeout(1500)  # let a few live updates arrive
    stop.click()
    wait_idle(page)
    assert_no_exception(page)
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("Stopped at step").wait_for()
    text = main.inner_text()
    assert "of 1500" in text and "Gradient norm per layer" in text
    assert page.get_by_role("button", name="Run the whole race").is_visible()
    assert page.locator("[data-testid='stProgress']").count() == 0
    screenshot(page, "race_stopped")
