"""Browser sessions of a load test: what each one opens, changes and must then show.

Every session is its own browser context (its own cookies, so behind nginx its own process),
driven concurrently by Playwright's async API in one Debian chromium. Each URL carries
``lt=<tag>``: the server's timing log finds the session's script runs by it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from typing import Any

from tests.browser.plots import PLOTS_JS
from tests.load.report import Session

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
# A drawn figure: st.plotly_chart's, or a kept chart's in its own frame (the playground's map).
FIGURE_JS = f"() => {PLOTS_JS}.some(([gd]) => Boolean(gd.querySelector('.main-svg')))"
ERRORS = "[data-testid='stException'], [data-testid='stAlertContentError']"
PROGRESS = "[data-testid='stProgress']"
HEATMAPS = ("signal_norms", "act_std", "act_mean", "saturated", "dead")  # not the default
HEATMAP_TITLES = {  # the start of each quantity's title and option text
    "signal_norms": "back-propagated signal",
    "act_std": "activation std",
    "act_mean": "activation mean",
    "saturated": "saturated share",
    "dead": "dead units",
}
CLASSROOM_LINK = "gradient_flow?gf_preset=sigmoid_mse"
RACE_GROUPS = (("sgd", "adam"), ("rmsprop", "adagrad"))
MIXED_PRESETS = ("sigmoid_mse", "relu_he", "exploding", "sigmoid_mse", "zero_init")


@dataclasses.dataclass(frozen=True)
class Change:
    """One light change, made in a browser (:func:`make_change`) or by the protocol client
    (tests/load/protocol.py)."""

    kind: str  # "selectbox" (pick an option), "slider" (one step up), "checkbox", "button"
    label: str  # the start of the widget's label
    value: Any = None  # selectbox: the start of the option's text; checkbox: its new value


@dataclasses.dataclass
class Plan:
    """What one session does: open ``path``; ``spec`` (if any) then waits for ``expect``."""

    tag: str
    pattern: str
    page: str
    path: str  # URL path and query, without ``lt``
    spec: Change | None = None
    expect: str | None = None  # text its own answer shows (a figure title, a legend entry)
    foreign: tuple[str, ...] = ()  # texts that would mean it shows another session's result
    figure: bool = True  # the page opens with a figure (the race waits for Run; home has none)


def classroom(n: int) -> list[Plan]:
    """Everyone opens the same preset link; then each picks its own heatmap quantity."""
    plans = []
    for i in range(n):
        quantity = HEATMAPS[i % len(HEATMAPS)]
        others = tuple(_heatmap_title(q) for q in HEATMAP_TITLES if q != quantity)
        plans.append(Plan(f"c{i}", "classroom", "gradient_flow", CLASSROOM_LINK,
                          _pick_heatmap(quantity), _heatmap_title(quantity), others))  # fmt: skip
    return plans


def mixed(n: int) -> list[Plan]:
    """Sessions spread over every page, one interaction each."""
    plans = []
    for i in range(n):
        tag, kind = f"m{i}", i % 5
        if kind == 0:
            plans.append(Plan(tag, "mixed", "home", "home", figure=False))
        elif kind == 1:
            plans.append(Plan(tag, "mixed", "playground", "playground",
                              _press_slider("Steps"), None))  # fmt: skip
        elif kind == 2:
            plans.append(Plan(tag, "mixed", "activations", "activations",
                              _tick("f″"), None))  # fmt: skip
        elif kind == 3:
            preset = MIXED_PRESETS[(i // 5) % len(MIXED_PRESETS)]
            quantity = HEATMAPS[(i // 5) % len(HEATMAPS)]
            plans.append(Plan(tag, "mixed", "gradient_flow", f"gradient_flow?gf_preset={preset}",
                              _pick_heatmap(quantity), _heatmap_title(quantity)))  # fmt: skip
        else:
            mine, other = RACE_GROUPS[(i // 5) % 2], RACE_GROUPS[(i // 5 + 1) % 2]
            path = f"race?rc_steps=100&rc_opts={','.join(mine)}"
            plans.append(Plan(tag, "mixed", "race", path, _press("Run the race"),
                              mine[0], other, figure=False))  # fmt: skip
    return plans


# ------------------------------------------------------------------------------- interactions
def _heatmap_title(quantity: str) -> str:
    """The layer x step heatmap's title for configuration A (other figures use the same words)."""
    return f"A: {HEATMAP_TITLES[quantity]}"


def _pick_heatmap(quantity: str) -> Change:
    return Change("selectbox", "Heatmap shows", HEATMAP_TITLES[quantity])


def _press_slider(label: str) -> Change:
    return Change("slider", label)


def _tick(label: str) -> Change:
    return Change("checkbox", label, True)


def _press(label: str) -> Change:
    return Change("button", label)


async def make_change(tab, change: Change) -> None:
    """``change`` made in a browser tab as a person would: click, type, press."""
    if change.kind == "selectbox":
        box = tab.locator("[data-testid='stSelectbox']").filter(has_text=change.label)
        await box.click()
        await tab.keyboard.type(change.value)  # the list filters to that option
        await tab.keyboard.press("Enter")
    elif change.kind == "slider":
        slider = tab.locator("[data-testid='stSlider']").filter(has_text=change.label).first
        await slider.get_by_role("slider").first.focus()
        await tab.keyboard.press("ArrowRight")
    elif change.kind == "checkbox":
        await tab.locator("[data-testid='stCheckbox']").filter(has_text=change.label).first.click()
    else:
        await tab.get_by_role("button", name=change.label).click()


# ----------------------------------------------------------------------------------- driving
class Together:
    """The moment every session of a pattern has loaded (or failed): then all change at once."""

    def __init__(self, n: int) -> None:
        self.left, self.go = n, asyncio.Event()

    def arrive(self) -> None:
        self.left -= 1
        if self.left <= 0:
            self.go.set()

    async def gathered(self, deadline: float) -> None:
        """Arrive, then wait for the others (until the deadline)."""
        self.arrive()
        await asyncio.wait_for(self.go.wait(), max(1.0, deadline - time.monotonic()))


def check_answer(session: Session, plan: Plan, shown: str) -> None:
    """Cross-talk: the figures' text ``shown`` after the change must carry the session's own
    setting (``plan.expect``) and none of its neighbours' (``plan.foreign``)."""
    if plan.expect is not None and plan.expect not in shown:
        session.crosstalk = f"expected {plan.expect!r}"
    wrong = [t for t in plan.foreign if t in shown]
    if wrong:
        session.crosstalk = f"shows {wrong} instead of its own {plan.expect!r}"


async def settled(tab, deadline: float) -> None:
    """Wait until the page's script has finished and no progress bar is left (twice, a moment
    apart: a rerun may start just after an idle instant)."""
    for _ in range(2):
        await tab.wait_for_selector(IDLE, timeout=_ms(deadline))
        await tab.wait_for_function(f'!document.querySelector("{PROGRESS}")', timeout=_ms(deadline))
        await tab.wait_for_timeout(300)
    await tab.wait_for_selector(IDLE, timeout=_ms(deadline))


def _ms(deadline: float) -> float:
    return max(1.0, (deadline - time.monotonic()) * 1000)


async def _errors(tab) -> list[str]:
    return [t.strip()[:200] for t in await tab.locator(ERRORS).all_inner_texts()]


async def _figures_text(tab) -> str:
    return " ".join(await tab.locator("[data-testid='stPlotlyChart']").all_inner_texts())


async def run_session(
    browser, base: str, plan: Plan, deadline: float, crowd: Together | None
) -> Session:
    """Open, settle, (wait for the ``crowd``), change, settle; timings and checks."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    tab = await context.new_page()
    sep = "&" if "?" in plan.path else "?"
    session = Session(plan.tag, plan.pattern, plan.page, time.time())
    arrived = crowd is None
    try:
        await tab.goto(f"{base}/{plan.path}{sep}lt={plan.tag}", wait_until="commit",
                       timeout=_ms(deadline))  # fmt: skip
        if plan.figure:
            await tab.wait_for_function(FIGURE_JS, timeout=_ms(deadline), polling=100)
            session.first_figure = time.time() - session.opened
        await settled(tab, deadline)
        session.loaded = time.time() - session.opened
        session.errors += await _errors(tab)
        if not arrived:
            arrived = True
            await crowd.gathered(deadline)
        if plan.spec is None:
            return session
        session.changed = time.time()
        await make_change(tab, plan.spec)
        await tab.wait_for_timeout(200)  # the click's rerun has started
        if plan.expect is not None:
            await (
                tab.locator("[data-testid='stPlotlyChart']")
                .filter(has_text=plan.expect)
                .first.wait_for(timeout=_ms(deadline))
            )
        await settled(tab, deadline)
        session.answered = time.time() - session.changed
        session.errors += await _errors(tab)
        check_answer(session, plan, await _figures_text(tab))
    except Exception as exc:  # noqa: BLE001 - a session that fails is reported, not raised
        if "Timeout" not in type(exc).__name__:
            session.errors.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        if not arrived:
            crowd.arrive()  # a failed session does not hold the others back
        await context.close()
    return session
