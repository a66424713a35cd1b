"""A shared link opened as the very first request of a fresh server gets the real app.

Streamlit treats an app with a pages/ folder as a legacy multipage app until app.py's
st.navigation has run once in the process; pages/_common/navigation.ensure_app_entry reroutes
that first run through app.py.
"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_no_exception,
    expect_texts,
    open_page,
    screenshot,
    serve_app,
)


def test_deep_link_as_first_request_goes_through_app_py(page):
    with serve_app() as fresh_url:
        open_page(page, fresh_url, "activations", "act_depth=12")
        expect(page.get_by_role("heading", name="Activation explorer")).to_be_visible()
        # app.py's navigation titles, not the legacy file names ("activations", "gradient flow").
        expect_texts(page.locator("[data-testid='stSidebarNav']"), "Activation explorer", "Home")
        # app.py's wide layout is in force and the link's query survived the reroute.
        expect(page).to_have_url(re.compile("act_depth=12"))
        assert_no_exception(page)
        screenshot(page, "deep_link_first_request")
