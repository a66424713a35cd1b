"""A shared link opened as the very first request of a fresh server gets the real app.

Streamlit treats an app with a pages/ folder as a legacy multipage app until app.py's
st.navigation has run once in the process; pages/_common/navigation.ensure_app_entry reroutes
that first run through app.py.
"""

from tests.browser.conftest import assert_no_exception, open_page, screenshot, serve_app


def test_deep_link_as_first_request_goes_through_app_py(page):
    with serve_app() as fresh_url:
        open_page(page, fresh_url, "activations", "act_depth=12")
        assert_no_exception(page)
        assert page.get_by_role("heading", name="Activation explorer").is_visible()
        # app.py's navigation titles, not the legacy file names ("activations", "gradient flow").
        nav = page.locator("[data-testid='stSidebarNav']").inner_text()
        assert "Activation explorer" in nav and "Home" in nav
        # app.py's wide layout is in force and the link's query survived the reroute.
        assert "act_depth=12" in page.url
        screenshot(page, "deep_link_first_request")
