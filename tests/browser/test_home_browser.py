from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    main_block,
    open_page,
    screenshot,
)


def test_home_page_renders_in_chromium(page, app_url):
    open_page(page, app_url)
    expect(page.get_by_role("heading", name="Gradient lab")).to_be_visible()
    expect_texts(main_block(page), "See how neural networks learn")
    assert_no_exception(page)
    shot = screenshot(page, "home")
    assert shot.stat().st_size > 10_000
