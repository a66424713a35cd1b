"""deploy/serve_many.sh: two Streamlit processes behind Debian's nginx, sticky per browser.

The page, its WebSocket and every later request of one browser must reach the process that
holds its session; different browsers must spread over the processes. nginx's access log
names the upstream of every request.
"""

from __future__ import annotations

import re
import shutil
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _cannot_run, assert_no_exception, wait_idle
from tests.browser.plots import kept_plot_js
from tests.load.servers import serve

NGINX = "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    if not Path(NGINX).exists() and not shutil.which("nginx"):
        _cannot_run(f"{NGINX} is missing (apt-get install -y nginx-light)")
    run_dir = tmp_path_factory.mktemp("serve-many")
    with serve(2, run_dir, run_dir / "timing.jsonl") as (url, pids):
        yield url, run_dir, pids


def get(url: str, cookie: str | None = None):
    request = urllib.request.Request(
        url, headers={"Cookie": f"gradlab_backend={cookie}"} if cookie else {}
    )
    with urllib.request.urlopen(request, timeout=30) as resp:
        return resp.status, resp.headers


def upstreams(run_dir: Path) -> dict[str, set[str]]:
    """sticky value -> the upstreams its requests reached, from the access log."""
    seen: dict[str, set[str]] = {}
    for line in (run_dir / "access.log").read_text().splitlines():
        match = re.search(r"upstream=(\S+) sticky=(\S+)", line)
        if match:
            seen.setdefault(match[2], set()).add(match[1])
    return seen


def streams(run_dir: Path, cookie: str) -> list[str]:
    lines = (run_dir / "access.log").read_text().splitlines()
    return [line for line in lines if "/_stcore/stream" in line and f"sticky={cookie}" in line]


def test_each_browser_sticks_to_one_process_and_browsers_spread(proxy):
    url, run_dir, pids = proxy
    assert len(pids) == 2
    status, headers = get(f"{url}/")
    assert status == 200
    cookie = re.search(r"gradlab_backend=(\w+)", headers["Set-Cookie"])[1]
    for _ in range(3):  # the same browser again: no new cookie, the same process
        status, headers = get(f"{url}/_stcore/health", cookie)
        assert status == 200
        assert not any("gradlab_backend" in c for c in headers.get_all("Set-Cookie") or [])
    browsers = [f"browser{i}" for i in range(16)]
    for name in browsers * 2:
        get(f"{url}/_stcore/health", name)
    seen = upstreams(run_dir)
    assert len(seen[cookie]) == 1  # its first request too: the cookie is that request's id
    assert all(len(seen[name]) == 1 for name in browsers)
    assert len(set().union(*(seen[name] for name in browsers))) == 2


def test_the_app_works_through_the_proxy(proxy, browser):
    url, run_dir, _ = proxy
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.set_default_timeout(180_000)
        tab.goto(f"{url}/activations")
        wait_idle(tab)  # the script ran: the WebSocket goes through nginx
        tab.locator("[data-testid='stCheckbox']").filter(has_text="f″").first.click()
        # A rerun over the same WebSocket, in the same process, writes the box into the link.
        expect(tab).to_have_url(re.compile("act_d2f="))
        wait_idle(tab)
        assert_no_exception(tab)
        [cookie] = [c["value"] for c in context.cookies() if c["name"] == "gradlab_backend"]
    finally:
        context.close()
    # nginx logs the WebSocket once it closes (with the context, above).
    deadline = time.monotonic() + 30
    while not (stream := streams(run_dir, cookie)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert stream and " 101 " in stream[0]  # the WebSocket upgrade went through


def test_the_playgrounds_kept_charts_load_through_the_proxy(proxy, browser):
    """The map and the 3D view are frames whose page and plotly.js the app serves: through nginx
    they must come from the process that declared them (the browser's sticky cookie)."""
    url, _, _ = proxy
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        tab = context.new_page()
        tab.set_default_timeout(180_000)
        tab.goto(url)
        wait_idle(tab)
        tab.goto(f"{url}/playground")
        for index in (0, 1):  # the map, then the 3D view
            tab.wait_for_function(
                f"() => {{ const gd = {kept_plot_js(index)}; return Boolean(gd && gd._fullData); }}"
            )
        assert_no_exception(tab)
    finally:
        context.close()
