from tests.browser.conftest import assert_no_exception, open_page, screenshot


def test_home_page_renders_in_chromium(page, app_url):
    open_page(page, app_url)
    assert_no_exception(page)
    heading = page.get_by_role("heading", name="Gradient lab")
    assert heading.is_visible()
    assert "See how neural networks learn" in page.locator("[data-testid='stMain']").inner_text()
    shot = screenshot(page, "home")
    assert shot.stat().st_size > 10_000
