"""A fresh server opened by a class at once: every session's first imports happen together.

Streamlit runs each session's script in its own thread, so on a fresh server several threads
import pandas, pyarrow, torch.func and plotly's trace classes for the first time at once; without
a warm-up behind a lock they saw half-initialised modules ("partially initialized module
'pandas'") and the race's progress froze. This test starts its own server (the shared one is
already warm), opens six sessions in one go and checks that every page finishes cleanly.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    serve_app,
    server_log,
    wait_idle,
)

# (url path, query, text the finished page shows)
SESSIONS = [
    ("race", "rc_steps=200", "Gradient norm per layer"),
    ("race", "rc_mode=sweep&rc_steps=60&rc_sweep_n=4&rc_opts=sgd,adam", "final training loss"),
    ("gradient_flow", "", "Training"),
    ("playground", "", "Optimizer playground"),
    ("activations", "", "Activation explorer"),
    ("race", "rc_steps=100&rc_data=digits&rc_opts=sgd,adam,rmsprop", "Gradient norm per layer"),
]
RUN = re.compile(r"^Run the (race|sweep)$")


def _errors(tab) -> list[str]:
    boxes = tab.locator(
        "[data-testid='stAlertContentError'], [data-testid='stAlertContentWarning'],"
        " [data-testid='stException']"
    )
    return boxes.all_inner_texts()


def test_a_fresh_server_serves_several_sessions_at_once(browser):
    with serve_app() as url:
        contexts = [browser.new_context(viewport={"width": 1400, "height": 1000}) for _ in SESSIONS]
        try:
            tabs = [ctx.new_page() for ctx in contexts]
            for tab in tabs:
                tab.set_default_timeout(180_000)
            # "commit": do not wait for the page to load, so that the sessions start together.
            for tab, (path, query, _) in zip(tabs, SESSIONS, strict=True):
                tab.goto(f"{url}/{path}?{query}", wait_until="commit")
            for tab in tabs:
                wait_idle(tab)
            # The race waits for a press: press every Run at once, so that the races train
            # together too.
            for tab, (path, _, _) in zip(tabs, SESSIONS, strict=True):
                if path == "race":
                    tab.get_by_role("button", name=RUN).click()
            for tab, (path, _, text) in zip(tabs, SESSIONS, strict=True):
                tab.get_by_text(text, exact=False).first.wait_for()
                wait_idle(tab)
                expect(tab.locator("[data-testid='stProgress']")).to_have_count(0)
                # app.py's navigation, not the legacy pages/ one: every session was rerouted.
                expect_texts(tab.locator("[data-testid='stSidebarNav']"), "Optimizer race")
                assert_no_exception(tab)
                assert _errors(tab) == [], (path, _errors(tab))
        finally:
            for ctx in contexts:
                ctx.close()
        log = server_log(url).read_text()
    assert "Traceback" not in log, log
    assert "partially initialized" not in log, log
