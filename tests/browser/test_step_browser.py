"""The playground's Step control in a real browser: Next moves the arrows to the next point.
Screenshot: tests/artifacts/step_<n>.png (look at them)."""

from __future__ import annotations

from tests.browser.conftest import assert_no_exception, open_page, screenshot, wait_idle
from tests.browser.plots import PLOTS_JS

# The arrows of the step figure (a kept chart, in a frame of its own): name -> [tail x, tail y,
# head x, head y], from the live graph.
ARROWS_JS = """() => {
  const gd = PLOTS_JS.map(([g]) => g)
    .find(g => ((g.layout.title || {}).text || '').includes(': update'));
  if (!gd) return null;
  const out = {title: gd.layout.title.text};
  for (const a of gd.layout.annotations || []) if (a.name) out[a.name] = [a.ax, a.ay, a.x, a.y];
  return out;
}""".replace("PLOTS_JS", PLOTS_JS)


def test_next_moves_the_arrows(page, app_url):
    open_page(page, app_url)
    open_page(page, app_url, "playground", "pg_tab=Step+by+step&pg_step=3")
    page.wait_for_function(ARROWS_JS)
    page.wait_for_timeout(800)
    before = page.evaluate(ARROWS_JS)
    assert "update 3" in before["title"], before
    # The first optimizer with a velocity is followed: momentum among the defaults.
    assert "momentum" in before["title"] and {"-g", "delta", "-moment"} <= set(before)
    page.get_by_text("Optimizer to follow").scroll_into_view_if_needed()
    screenshot(page, "step_3")
    page.get_by_role("button", name="Next ▶").click()
    wait_idle(page)
    page.wait_for_function(f"() => ({ARROWS_JS})().title.includes('update 4')")
    after = page.evaluate(ARROWS_JS)
    assert after["delta"][:2] != before["delta"][:2]  # the arrows start at the next point
    page.get_by_text("Optimizer to follow").scroll_into_view_if_needed()
    screenshot(page, "step_4")
    assert_no_exception(page)
