from pages._common.navigation import available


def test_home_page_links_every_existing_page(run_page):
    at = run_page("home")
    assert at.title[0].value == "Gradient lab"
    links = at.get("page_link")
    expected = {page.title for page in available() if page.url_path != "home"}
    assert {link.proto.label for link in links} == expected
    assert all(link.proto.page.endswith(".py") or link.proto.page for link in links)


def test_app_serves_home_by_default():
    from streamlit.testing.v1 import AppTest

    from tests.helpers import APP_TIMEOUT, ROOT

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT).run()
    assert not at.exception
    assert at.title[0].value == "Gradient lab"
