"""Where a page's Plotly plots are, as JS expressions for a real browser: ``st.plotly_chart``'s,
and the kept charts' (pages/_common/kept_chart.py), each a same-origin frame holding one plot.
Shared by the browser tests, the load test's browser client and ``bench.e2e``."""

from __future__ import annotations

KEPT = "[data-testid='stCustomComponentV1']"


def kept_plot_js(index: int) -> str:
    """A JS expression: the Plotly graph div of the page's ``index``-th kept chart, or null."""
    return (
        f'(() => {{ const f = document.querySelectorAll("{KEPT}")[{index}];'
        " const d = f && f.contentDocument;"
        " return d && d.querySelector('.js-plotly-plot'); })()"
    )


# Every Plotly plot on the page, st.plotly_chart's and the kept charts', with each plot's offset
# from the page's top edge added for a plot inside a frame: [[graph div, frame top], ...].
PLOTS_JS = (
    "(() => { const out = [...document.querySelectorAll("
    "\"[data-testid='stPlotlyChart'] .js-plotly-plot\")].map(gd => [gd, 0]);"
    f' for (const f of document.querySelectorAll("{KEPT}")) {{'
    " const gd = f.contentDocument && f.contentDocument.querySelector('.js-plotly-plot');"
    " if (gd && gd._fullLayout) out.push([gd, f.getBoundingClientRect().top]); }"
    " const top = ([gd, at]) => gd.getBoundingClientRect().top + at;"
    " return out.sort((a, b) => top(a) - top(b)); })()"
)
