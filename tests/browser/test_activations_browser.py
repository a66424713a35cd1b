"""The Activation explorer in a real browser: charts drawn, tabs work, a bad formula is harmless."""

from playwright.sync_api import expect

from tests.browser.conftest import (
    ARTIFACTS,
    assert_no_exception,
    expect_texts,
    main_block,
    open_page,
    screenshot,
    wait_idle,
)


def _open(page, app_url, query=""):
    """Open the page by its deep link, after one run of app.py.

    Streamlit treats the first script run of a fresh server as a legacy ``pages/`` app (the
    class flag ``PagesManager.uses_pages_directory`` is cleared only by ``st.navigation``), so a
    deep link as the very first request would bypass app.py. Opening the root first avoids it.
    """
    open_page(page, app_url)
    open_page(page, app_url, "activations", query)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .scatterlayer .trace")
    page.wait_for_timeout(300)
    assert_no_exception(page)


def _chart_shot(page, key: str, name: str) -> None:
    """Scroll a chart into view (the main area scrolls inside the page) and screenshot it all."""
    block = page.locator(f".st-key-{key}")
    block.scroll_into_view_if_needed()
    page.wait_for_timeout(400)
    expect(block.locator(".scatterlayer .trace, .barlayer .trace").first).to_be_attached()
    screenshot(page, name)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    block.screenshot(path=str(ARTIFACTS / f"{name}_chart.png"))


def _traces(page):
    return page.locator("[data-testid='stPlotlyChart']").first.locator(".scatterlayer .trace")


def test_activations_page_renders_in_chromium(page, app_url):
    _open(page, app_url)
    main = main_block(page)
    expect_texts(main, "Activation explorer")
    expect_texts(page.locator("[data-testid='stSidebarNav']"), "Activation explorer")
    # Four activations x (f, f') curves drawn as SVG paths in the first chart.
    first = page.locator("[data-testid='stPlotlyChart']").first
    expect(first.locator(".scatterlayer .trace")).to_have_count(8)
    expect_texts(first, "Sigmoid (logistic)")  # the legend
    shot = screenshot(page, "activations")
    assert shot.stat().st_size > 20_000

    page.get_by_role("tab", name="Depth").click()
    wait_idle(page)
    expect_texts(main, "per layer")  # shown once the tab is open
    _chart_shot(page, "act_depth_chart", "activations_depth")

    page.get_by_role("tab", name="Input distribution").click()
    page.wait_for_timeout(500)
    _chart_shot(page, "act_hist_chart", "activations_inputs")

    page.get_by_role("tab", name="Formulas and properties").click()
    page.wait_for_timeout(500)
    expect(page.locator(".katex").nth(7)).to_be_attached()  # at least 8 formulas
    screenshot(page, "activations_formulas")
    assert_no_exception(page)


def test_bad_formula_shows_the_parser_message(page, app_url):
    _open(page, app_url, "act_custom=x%2B*2")
    sidebar = page.locator("[data-testid='stSidebar']")
    expect(sidebar.locator("[data-testid='stAlert']")).to_have_count(1)
    expect(_traces(page)).to_have_count(8)  # the other curves are still there
    screenshot(page, "activations_bad_formula")


def test_custom_formula_and_rrelu_band(page, app_url):
    _open(page, app_url, "act_sel=relu,rrelu&act_custom=x*tanh(x)&act_d2f=1")
    chart = page.locator("[data-testid='stPlotlyChart']").first
    expect_texts(chart, "Custom: x * tanh(x)")
    # Per panel of f, f′, f″: ReLU, the custom curve, RReLU's mean and (f, f′) its band's edges.
    expect(chart.locator(".scatterlayer .trace")).to_have_count(13)
    screenshot(page, "activations_custom")

    # A pole: 1/x is drawn in two pieces per panel, never joined across x = 0, with one legend
    # entry; the y axes keep to the bulk and say where the spikes were cut off.
    box = page.get_by_label("Custom activation f(x) =", exact=True)
    box.fill("1/x")
    box.press("Enter")
    expect_texts(chart, "Custom: 1 / x", "cut off: spikes reach |f| = 50")
    wait_idle(page)
    expect(chart.locator(".scatterlayer .trace")).to_have_count(16)
    expect(chart.locator(".legend .traces")).to_have_count(3)
    _chart_shot(page, "act_curves_chart", "activations_pole")
    assert_no_exception(page)


def test_formula_messages_show_their_operators_as_typed(page, app_url):
    _open(page, app_url, "act_custom=2x")
    alert = page.locator("[data-testid='stSidebar'] [data-testid='stAlert']")
    expect_texts(alert, "'2x'", "write multiplication with '*', e.g. 2*x")
    box = page.get_by_label("Custom activation f(x) =", exact=True)
    box.fill("__import__('os')")
    box.press("Enter")
    expect_texts(alert, "'__import__' cannot be called")  # once the rerun has drawn it
    wait_idle(page)
    screenshot(page, "activations_formula_message")


def test_all_activations_and_an_undefined_formula(page, app_url):
    names = (
        "linear,sigmoid,tanh,hard_sigmoid,hard_tanh,softsign,arctan,relu,relu6,leaky_relu,prelu,"
        "rrelu,elu,selu,celu,gelu,gelu_tanh,silu,swish,mish,softplus,hardswish,sinusoid,gaussian,"
        "maxout"
    )
    _open(page, app_url, f"act_sel={names}&act_custom=x%2F0&act_x=-5,5&act_d2f=1")
    main = main_block(page)
    warning = main.locator("[data-testid='stAlert']").first
    expect_texts(warning, "'x/0' divides by zero", "everywhere on [−5, 5]")
    screenshot(page, "activations_undefined")
    expect_texts(main, "cut off: spikes reach |f″|")  # hard_sigmoid's kinks
    _chart_shot(page, "act_curves_chart", "activations_all_25")
