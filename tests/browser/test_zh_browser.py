"""The Chinese pages in chromium: each page with ?lang=zh (screenshots under tests/artifacts/,
zh_*.png, looked at for missing-glyph boxes and cut-off labels), a zh-CN browser without
``lang``, and the sidebar switch back to English keeping the link's other settings."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    open_page,
    screenshot,
    wait_idle,
)

SHOTS = Path("/work/wt/shots/i14-zh")  # a copy for review where that folder exists
# The Chinese pages with the title each must show.
PAGES = {
    "home": "梯度实验室",
    "playground": "优化器游乐场",
    "activations": "激活函数探索",
    "gradient_flow": "梯度流",
    "race": "优化器竞赛",
    "sequences": "随时间的梯度",
    "landscape": "损失地形",
}


def _shot(page, name: str) -> Path:
    path = screenshot(page, name)
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        shutil.copy(path, SHOTS / path.name)
    return path


@pytest.mark.parametrize("url_path", list(PAGES))
def test_each_page_in_chinese(page, app_url, url_path):
    open_page(page, app_url, "" if url_path == "home" else url_path, "lang=zh")
    expect(page.get_by_role("heading", name=PAGES[url_path]).first).to_be_visible()
    sidebar = page.locator("[data-testid='stSidebar']")
    # The switch is a lazily loaded widget: its text comes after the navigation's.
    expect_texts(sidebar, "简体中文", "优化器竞赛")  # the navigation is translated too
    expect(page).to_have_url(re.compile("lang=zh"))
    wait_idle(page)
    assert_no_exception(page)
    _shot(page, f"zh_{url_path}")


def test_a_chinese_browser_opens_chinese_without_lang(browser, app_url):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 1000})
    tab = context.new_page()
    tab.set_default_timeout(180_000)
    try:
        open_page(tab, app_url)
        expect(tab.get_by_role("heading", name="梯度实验室")).to_be_visible()
        # The link a student copies opens in Chinese elsewhere too.
        expect(tab).to_have_url(re.compile("lang=zh"))
    finally:
        context.close()


def test_the_switch_goes_back_to_english_keeping_the_settings(page, app_url):
    open_page(page, app_url, "race", "lang=zh&rc_steps=30")
    page.locator("[data-testid='stSidebar']").get_by_text("English", exact=True).click()
    expect(page.get_by_role("heading", name="Optimizer race")).to_be_visible()
    expect(page).to_have_url(re.compile("lang=en"))
    expect(page).to_have_url(re.compile("rc_steps=30"))
    wait_idle(page)
    _shot(page, "zh_switched_to_en_race")
