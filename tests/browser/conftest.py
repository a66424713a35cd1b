"""Real-browser harness: the app served by `streamlit run` on a free loopback port, driven by
Playwright in Debian's chromium (`playwright install` cannot download a browser here).

Under CI=true a browser test that cannot run fails instead of skipping: a green CI must mean the
pages were really opened in a browser.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.load.servers import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# The page is at rest when Streamlit reports no script run, no element of an earlier run is left
# (``data-stale``) and no lazily loaded widget still shows its placeholder (``stSkeleton``), and
# all of that has held for ``settle`` ms in a row: a rerun that a click asked for starts only when
# the server answers, so one idle look right after the click can still see the old page.
SETTLED_JS = """([settle, call]) => {
  if (window.__quietCall !== call) { window.__quietCall = call; window.__quietSince = null; }
  const app = document.querySelector("[data-testid='stApp']");
  const quiet = app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector("[data-stale='true'], [data-testid='stSkeleton']") === null;
  const now = performance.now();
  if (!quiet) { window.__quietSince = null; return false; }
  if (window.__quietSince == null) window.__quietSince = now;
  return now - window.__quietSince >= settle;
}"""
# Every `expect(...)` wait on an end state (set in the browser fixture): a cold server on a loaded
# 2-core machine is slow, and an end state that never comes fails at this timeout.
WAIT_MS = 180_000
_CALLS = itertools.count()
# Flags for a root user on a machine without a display or outside network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _cannot_run(reason: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"real-browser test cannot run under CI: {reason}")
    pytest.skip(reason)


@contextlib.contextmanager
def serve_app() -> Iterator[str]:
    """Start `streamlit run app.py` on a free loopback port; yield its base URL."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / f"streamlit-{port}.log", "w")  # noqa: SIM115 - closed below
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_healthy(url, proc, Path(log.name), limit_s=180)
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def server_log(url: str) -> Path:
    """The log file of the server :func:`serve_app` started at ``url``."""
    return ARTIFACTS / f"streamlit-{url.rsplit(':', 1)[1]}.log"


@pytest.fixture(scope="session")
def app_url():
    """The app, started once per test session."""
    with serve_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _cannot_run(f"{CHROMIUM} is missing (apt-get install -y chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        _cannot_run("Python playwright is not installed")
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(180_000)  # catches a hang; a cold server on a loaded 2-core box is slow
    yield tab
    context.close()


def wait_idle(tab, settle_ms: int = 400) -> None:
    """Wait until the page has been at rest (SETTLED_JS) for ``settle_ms`` without a break.

    A rerun that starts later than that is not seen: assert on the end state with
    ``expect(...)`` (or :func:`expect_texts`), which waits for it.
    """
    tab.wait_for_selector("[data-testid='stApp']")
    # A new call number: the quiet an earlier call saw does not count for this one.
    tab.wait_for_function(SETTLED_JS, arg=[settle_ms, next(_CALLS)], polling=100)


def expect_texts(locator, *texts: str) -> None:
    """Wait until ``locator`` (a page block: main, sidebar, a chart) shows every text.

    The shown text (``innerText``), as a reader sees it: not that of a closed tab or expander.
    """
    from playwright.sync_api import expect

    for text in texts:
        expect(locator).to_contain_text(text, use_inner_text=True)


def main_block(tab):
    """The page's main block (the sidebar excluded)."""
    return tab.locator("[data-testid='stMain']")


def open_page(tab, base_url: str, url_path: str = "", query: str = ""):
    """Open ``/<url_path>?<query>`` and wait for its script run to finish."""
    tab.goto(f"{base_url}/{url_path}" + (f"?{query}" if query else ""))
    wait_idle(tab)
    return tab


def assert_no_exception(tab) -> None:
    errors = tab.locator("[data-testid='stException']")
    assert errors.count() == 0, errors.all_inner_texts()


def screenshot(tab, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path
