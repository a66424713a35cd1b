"""The playground's "Step by step" tab: previous / next / a step number move one update at a
time, and the arrows at the current point are the run's recorded gradient, update and moment.

The oracle for the arrows is Adam written out by hand in this file (its textbook update on a
quadratic whose gradient is known in closed form), not the engine."""

from __future__ import annotations

import numpy as np

from pages._playground import data, step
from pages._playground.controls import Settings
from tests.helpers import assert_no_exception, figures, page_test
from viz import spec_figure, step_arrows

EXPR = "x**2 + 5*y**2"
LR, B1, B2, EPS = 0.1, 0.9, 0.999, 1e-8


def hand_adam(theta0: np.ndarray, steps: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(g_t, m_t, Δθ_t) of Adam's first ``steps`` updates on f = x² + 5y², by hand."""
    theta, m, v, out = theta0.astype(float), np.zeros(2), np.zeros(2), []
    for t in range(1, steps + 1):
        g = np.array([2 * theta[0], 10 * theta[1]])
        m = B1 * m + (1 - B1) * g
        v = B2 * v + (1 - B2) * g**2
        m_hat, v_hat = m / (1 - B1**t), v / (1 - B2**t)
        delta = -LR * m_hat / (np.sqrt(v_hat) + EPS)
        out.append((g, m.copy(), delta))
        theta = theta + delta
    return out


def cfg() -> Settings:
    return Settings(
        surface=("custom", EXPR),
        opts=(("adam", (("lr", LR),)),),
        start=(1.5, 1.0),
        steps=20,
        noise=0.0,
        seed=0,
        schedule=("constant", ()),
        tol=1e-3,
    )


def test_the_arrows_are_the_recorded_adam_step_checked_by_hand():
    result = data.paths(cfg())
    u = step.update(result, 0, 3, "adam", LR)
    g, m, delta = hand_adam(np.array([1.5, 1.0]), 3)[-1]
    np.testing.assert_allclose(u.grad, g, rtol=1e-12)
    np.testing.assert_allclose(u.delta, delta, rtol=1e-10)
    assert u.moment is not None and u.moment[0] == "m"
    np.testing.assert_allclose(u.moment[1], m, rtol=1e-12)
    # The drawn arrow: from the point before update 3, along the hand-computed Δθ.
    arrows = {a.name: a for a in step.arrows(u, "m")}
    np.testing.assert_allclose(arrows["delta"].vector, delta, rtol=1e-10)
    np.testing.assert_allclose(arrows["-g"].vector, -g, rtol=1e-12)
    np.testing.assert_allclose(arrows["-moment"].vector, -m, rtol=1e-12)
    # ...and as drawn on the map: from θ₂ along the hand-computed Δθ₃.
    bounds = ((-2.0, 2.0), (-2.0, 2.0))
    fig = step_arrows.add_step(
        spec_figure.figure([], {}), result.paths[0], 3, list(arrows.values()),
        color="black", label="adam", bounds=bounds,
    )  # fmt: skip
    drawn = next(a for a in fig.spec["layout"]["annotations"] if a.get("name") == "delta")
    theta2 = np.array([1.5, 1.0]) + sum(d for _, _, d in hand_adam(np.array([1.5, 1.0]), 2))
    np.testing.assert_allclose([drawn["ax"], drawn["ay"]], theta2, rtol=1e-10)
    length = step_arrows.ARROW_SHARE * 4.0 * arrows["delta"].length
    head = theta2 + length * delta / np.linalg.norm(delta)
    np.testing.assert_allclose([drawn["x"], drawn["y"]], head, rtol=1e-9)
    # Adam's step is not the gradient's: the two arrows point different ways here.
    cos = np.dot(delta, -g) / np.linalg.norm(delta) / np.linalg.norm(g)
    assert cos < 0.999
    # Effective step size |Δθ_i|/|g_i|, per coordinate.
    np.testing.assert_allclose(u.effective, np.abs(delta) / np.abs(g), rtol=1e-10)


def test_sgd_has_no_moment_arrow_and_momentum_has_its_velocity():
    result = data.paths(
        cfg()._replace(opts=(("sgd", (("lr", 0.05),)), ("momentum", (("lr", 0.05),))))
    )
    assert step.update(result, 0, 2, "sgd", 0.05).moment is None
    u = step.update(result, 1, 2, "momentum", 0.05)
    assert u.moment is not None and u.moment[0] == "v"
    np.testing.assert_allclose(u.delta, -0.05 * u.moment[1], rtol=1e-12)  # θ_t = θ_{t-1} − η v_t


def test_highlight_colours_the_lines_that_produced_the_numbers():
    latex = r"\begin{aligned} g_t &= a \\ m_t &= b \\ v_t &= c \\ \theta_t &= d \end{aligned}"
    out = step_arrows.highlight_lines(latex, {"g_t": "red", "m_t": "blue"})
    lines = out.split(r"\\")
    assert r"\color{red}" in lines[0] and r"\color{blue}" in lines[1]
    assert r"\color" not in lines[2] and r"\color" not in lines[3]


def _step_figure(at) -> dict:
    return next(f for f in figures(at) if "update" in f["layout"].get("title", {}).get("text", ""))


def _arrow_tails_and_heads(fig) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {
        a["name"]: (np.array([a["ax"], a["ay"]]), np.array([a["x"], a["y"]]))
        for a in fig["layout"]["annotations"]
        if a.get("name")
    }


def test_next_previous_and_the_number_move_the_arrows_and_keep_the_link():
    at = page_test("playground", {"pg_tab": "Step by step", "pg_step": "5"}).run()
    assert_no_exception(at)
    at.selectbox(key=step.OPT).set_value("adam").run()
    fig = _step_figure(at)
    assert fig["layout"]["title"]["text"] == "adam: update 5"
    before = _arrow_tails_and_heads(fig)
    assert set(before) == {"-g", "delta", "-moment"}
    at.button(key="pg_step_next").click().run()
    after = _arrow_tails_and_heads(_step_figure(at))
    assert at.query_params["pg_step"] == "6"
    # The arrows now start where update 5 ended, and update 5's Δθ arrow pointed there.
    tail, head = before["delta"]
    moved = after["delta"][0] - tail
    assert np.linalg.norm(moved) > 0
    drawn = head - tail
    np.testing.assert_allclose(
        moved / np.linalg.norm(moved), drawn / np.linalg.norm(drawn), atol=1e-6
    )
    at.button(key="pg_step_prev").click().run()
    at.button(key="pg_step_prev").click().run()
    assert _step_figure(at)["layout"]["title"]["text"] == "adam: update 4"
    at.number_input(key=step.STEP.key).set_value(1).run()
    at.button(key="pg_step_prev").click().run()  # never below the first update
    assert _step_figure(at)["layout"]["title"]["text"] == "adam: update 1"
    assert_no_exception(at)
