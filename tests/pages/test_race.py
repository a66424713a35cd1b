"""AppTest of the Optimizer race page: widgets set, figures' data, sweep mode, URL round trip."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from engine.optimizers import names
from pages._common import jobs
from pages._common.keys import race as keys
from pages._race import runs
from tests.helpers import (
    BusyPool,
    assert_no_exception,
    figures,
    fresh_pool,
    hold,
    interrupt_follower_when,
    page_test,
)
from viz.colors import optimizer_color

FAST = {"rc_steps": "20"}


@pytest.fixture(autouse=True)
def fresh_races(monkeypatch):
    """Races are shared by every session of the process: each test runs its own, on one worker."""
    fresh_pool(monkeypatch)
    runs.shared.clear()


def curves(fig: dict) -> list[dict]:
    """The line traces (not the divergence crosses) of a figure."""
    return [d for d in fig["data"] if d.get("mode") in ("lines", "lines+markers")]


def by_axis(fig: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for d in curves(fig):
        out.setdefault(d.get("yaxis", "y"), []).append(d)
    return out


def _values(trace: dict) -> np.ndarray:
    y = trace["y"]
    if isinstance(y, dict):  # plotly's base64 typed arrays
        return np.frombuffer(base64.b64decode(y["bdata"]), dtype=np.dtype(y["dtype"]))
    return np.asarray(y, dtype=float)


def opened(query: dict[str, str]):
    """The page as it opens, before any press."""
    at = page_test("race", query).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def press_run(at):
    at.button(key="rc_run").click().run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def run(query: dict[str, str]):
    """The page opened and its Run pressed."""
    return press_run(opened(query))


def test_default_race_draws_one_curve_per_optimizer_in_its_colour():
    at = run(FAST)
    assert at.title[0].value == "Optimizer race"
    curves_fig, grads_fig, bounds_fig = figures(at)
    expected = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]
    panels = by_axis(curves_fig)
    assert len(panels) == 4  # train/test loss and accuracy
    for traces in panels.values():
        assert [t["name"] for t in traces] == expected
        assert [t["line"]["color"] for t in traces] == [optimizer_color(n) for n in expected]
        assert all(len(_values(t)) == 20 and np.isfinite(_values(t)).all() for t in traces)
    # Per-layer gradient norms: 3 hidden layers x 5 optimizers, each coloured by optimizer.
    layers = by_axis(grads_fig)
    assert len(layers) == 3
    for traces in layers.values():
        assert [t["line"]["color"] for t in traces] == [optimizer_color(n) for n in expected]
    # Decision boundaries: one heatmap per optimizer, titled in its colour.
    assert sum(d["type"] == "heatmap" for d in bounds_fig["data"]) == 5
    titles = [a["text"] for a in bounds_fig["layout"]["annotations"]]
    assert all(optimizer_color(n) in t and n in t for n, t in zip(expected, titles, strict=True))
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == expected
    assert at.get("download_button")
    assert set(at.query_params) == {"rc_steps"}  # defaults stay out of the link


def test_widgets_change_the_race_and_the_url():
    at = run(FAST)
    at.multiselect(key="rc_opts").set_value(["sgd", "adam"])
    at.slider(key="rc_depth").set_value(2)
    at.slider(key="rc_steps").set_value(30)
    at.run()
    assert_no_exception(at)
    curves_fig, grads_fig, _ = figures(at)
    for traces in by_axis(curves_fig).values():
        assert [t["name"] for t in traces] == ["sgd", "adam"]
        assert [t["line"]["color"] for t in traces] == ["#000000", "#CC79A7"]
        assert all(len(_values(t)) == 30 for t in traces)
    assert len(by_axis(grads_fig)) == 2
    assert at.query_params["rc_opts"] == "sgd,adam"
    assert at.query_params["rc_depth"] == "2"
    assert at.query_params["rc_steps"] == "30"
    # The loss curves start at the same value: same weights, same batch.
    first = [_values(t)[0] for t in by_axis(curves_fig)["y"]]
    assert first[0] == pytest.approx(first[1])


def test_an_optimizer_not_picked_waits_parked_with_its_settings():
    # Only the picked optimizers' settings are in session state (pages/_common/state.py: park).
    at = opened({"rc_adam_lr": "0.01"})
    at.multiselect(key="rc_opts").set_value(["sgd", "momentum"]).run()
    assert_no_exception(at)
    state_keys = list(at.session_state._state.filtered_state)
    assert not [k for k in state_keys if k.startswith(("rc_adam_", "rc_lion_"))]
    assert len(state_keys) < 80
    assert at.query_params["rc_adam_lr"] == "0.01"
    at.multiselect(key="rc_opts").set_value(["sgd", "adam"]).run()
    assert_no_exception(at)
    assert at.select_slider(key="rc_adam_lr").value == pytest.approx(0.01)


def test_url_round_trip_reproduces_the_view():
    query = {
        "rc_steps": "20", "rc_data": "moons", "rc_width": "16", "rc_opts": "momentum,rmsprop",
        "rc_momentum_lr": "0.05", "rc_bn": "1", "rc_batch": "32",
    }  # fmt: skip
    at = run(query)
    assert at.selectbox(key="rc_data").value == "moons"
    assert at.toggle(key="rc_bn").value is True
    assert at.number_input(key="rc_batch").value == 32
    assert at.session_state["rc_momentum_lr"] == pytest.approx(0.05)
    for k, v in query.items():
        assert at.query_params[k] == v
    table = at.dataframe[0].value
    assert list(table["optimizer"]) == ["momentum", "rmsprop"]
    again = run({k: at.query_params[k] for k in at.query_params})
    assert [_values(t)[-1] for t in curves(figures(again)[0])] == pytest.approx(
        [_values(t)[-1] for t in curves(figures(at)[0])]
    )


def test_sweep_mode_plots_final_loss_against_learning_rate():
    at = run({"rc_mode": "sweep", "rc_steps": "15", "rc_sweep_n": "4", "rc_opts": "sgd,adam"})
    figs = figures(at)
    assert len(figs) == 2  # final training loss and final test loss
    for fig in figs:
        traces = curves(fig)
        assert [t["name"] for t in traces] == ["sgd", "adam"]
        assert [t["line"]["color"] for t in traces] == ["#000000", "#CC79A7"]
        for name in ("sgd", "adam"):
            # Each learning rate is a point on the line, or a cross where it diverged.
            parts = [d for d in fig["data"] if d.get("legendgroup") == name]
            xs = np.sort(np.concatenate([_values({"y": d["x"]}) for d in parts]))
            np.testing.assert_allclose(xs, np.geomspace(1e-4, 1.0, 4), rtol=1e-6)
        assert fig["layout"]["xaxis"]["type"] == "log"


def test_a_diverging_optimizer_is_reported():
    at = run({"rc_steps": "40", "rc_opts": "sgd,adam", "rc_adam_lr": "10"})
    warnings = [w.value for w in at.warning]
    assert any("adam" in w and "diverged at step" in w for w in warnings), warnings
    crosses = [d for d in figures(at)[0]["data"] if d.get("mode") == "markers"]
    assert crosses and all(c["marker"]["symbol"] == "x" for c in crosses)
    assert all(np.isfinite(_values(t)).all() for t in curves(figures(at)[0]))


def test_no_optimizer_is_a_message():
    at = opened({"rc_opts": ""})
    assert any("Pick at least one optimizer" in i.value for i in at.info)
    assert not at.button


def test_a_sweep_too_large_is_explained_before_the_press_and_cannot_start():
    # Every optimizer x 9 learning rates is more networks than the engine's limit of 64.
    n = len(names())
    at = opened({"rc_mode": "sweep", "rc_steps": "10", "rc_opts": ",".join(names())})
    [warning] = [w.value for w in at.warning]
    assert f"{n} optimizers × 9 learning rates = {n * 9}" in warning and "limit is 64" in warning
    assert "Pick fewer optimizers or learning rates" in warning
    assert at.button(key="rc_run").disabled
    assert not at.get("progress") and not figures(at)
    # Fewer optimizers and learning rates fit: Run is offered again.
    at.multiselect(key="rc_opts").set_value(names()[:12]).run()
    at.slider(key="rc_sweep_n").set_value(5).run()
    assert not at.warning and not at.button(key="rc_run").disabled
    assert "12 optimizers × 5 learning rates = 60 networks" in at.info[0].value


def test_the_page_waits_for_run_and_says_what_it_will_train():
    at = opened({"rc_steps": "20"})
    assert not figures(at) and not at.dataframe and not at.get("progress")
    [plan] = [i.value for i in at.info]
    assert "5 networks" in plan and "20 steps" in plan and "about" in plan
    assert at.button(key="rc_run").label == "Run the race"
    press_run(at)
    assert len(figures(at)) == 3 and not at.button


def test_after_a_press_short_races_follow_the_controls_and_long_ones_wait():
    at = run({"rc_steps": "20"})
    at.slider(key="rc_steps").set_value(30).run()  # short: retrained without a press
    assert all(len(_values(t)) == 30 for t in curves(figures(at)[0]))
    at.slider(key="rc_steps").set_value(keys.MAX_STEPS)
    at.slider(key="rc_n").set_value(keys.MAX_N)
    at.select_slider(key="rc_width").set_value(max(keys.WIDTHS))
    at.run()  # estimated far above the live limit: waits, with its estimate
    assert not figures(at)
    [plan] = [i.value for i in at.info]
    assert f"{keys.MAX_STEPS} steps" in plan and "about" in plan and "wait for this button" in plan
    assert not at.button(key="rc_run").disabled


def test_every_summary_cell_is_readable():
    # 20 steps: nobody reaches the target loss; adam at lr 10 diverges.
    at = run({"rc_steps": "20", "rc_opts": "sgd,adam", "rc_adam_lr": "10"})
    table = at.dataframe[0].value
    cells = [str(v) for v in table.to_numpy().ravel()]
    assert not [c for c in cells if c.lower() in ("none", "nan", "", "<na>")], table
    row = table.set_index("optimizer").loc["sgd"]
    assert row["steps to target"] == "not reached" and row["seconds to target"] == "not reached"
    assert row["diverged at"] == "no" and row["final accuracy"].endswith("%")
    assert table.set_index("optimizer").loc["adam", "diverged at"].startswith("step ")


def test_digits_race_has_no_decision_boundaries_and_link_values_off_the_grid_are_kept():
    at = run({"rc_data": "digits", "rc_n": "400", "rc_steps": "10", "rc_width": "24",
              "rc_opts": "sgd,adam", "rc_target": "0.123"})  # fmt: skip
    figs = figures(at)
    assert len(figs) == 2  # curves and gradient norms; no boundaries for 64-d inputs
    assert at.select_slider(key="rc_width").value == 24
    assert at.select_slider(key="rc_target").value == pytest.approx(0.123)
    assert "Decision boundaries" not in [h.value for h in at.subheader]


def stop_after(monkeypatch, module, step: int) -> None:
    """Make ``module.race`` hold after ``step`` steps until it is cancelled, and interrupt the
    page's script there, as a click during the run does (the test then clicks Stop, whose
    callback cancels the run: it keeps exactly ``step`` steps)."""
    real, held = module.race, []

    def racing(config, data, opts, steps, batch_size=None, seed=0, callback=None, **kw):
        def pressed(t, partial):
            go_on = callback(t, partial)
            if t + 1 >= step and go_on is not False and not held:
                held.append(t)
                return hold(callback, t, partial)
            return go_on

        return real(config, data, opts, steps, batch_size, seed, pressed, **kw)

    monkeypatch.setattr(module, "race", racing)
    interrupt_follower_when(monkeypatch, lambda followed: bool(held))


def press_stop(at):
    at.button(key="rc_stop").click().run()
    return at


def assert_clean_stop(at, text: str, button: str) -> None:
    assert_no_exception(at)
    assert not at.error and not at.warning, [e.value for e in [*at.error, *at.warning]]
    assert any(text in i.value for i in at.info), [i.value for i in at.info]
    assert not at.get("progress")
    assert [b.label for b in at.button] == [button]  # no Stop or Run left behind


@pytest.mark.parametrize("step", [1, 10])
def test_stopping_the_race_keeps_it_and_offers_a_rerun(monkeypatch, step):
    import engine.nets.race

    at = opened({"rc_steps": "20", "rc_opts": "sgd,adam"})
    stop_after(monkeypatch, engine.nets.race, step)
    press_stop(press_run(at))
    assert_clean_stop(at, f"Stopped at step {step} of 20", "Run the whole race")
    assert all(len(_values(t)) == step for t in curves(figures(at)[0]))
    assert list(at.dataframe[0].value["optimizer"]) == ["sgd", "adam"]
    monkeypatch.undo()
    at.button(key="rc_rerun").click().run()
    assert_no_exception(at)
    assert not at.info and not at.button
    assert all(len(_values(t)) == 20 for t in curves(figures(at)[0]))


def test_a_race_stopped_while_waiting_in_line_offers_a_rerun(monkeypatch):
    busy = BusyPool()  # another session's run holds the one worker
    at = opened({"rc_steps": "20", "rc_opts": "sgd,adam"})
    queued = lambda followed: followed[0].state is jobs.State.QUEUED  # noqa: E731
    interrupt_follower_when(monkeypatch, queued)
    press_run(at)
    assert "1st in line" in at.get("progress")[0].proto.text
    press_stop(at)
    busy.release()
    assert_clean_stop(at, "stopped before its first step", "Run the race")
    assert not figures(at)


def test_a_stop_is_kept_as_a_typed_outcome(monkeypatch):
    # Not a magic string: the page keeps an Outcome whose status says it was stopped, with the
    # race so far, or None when there was nothing to keep (stopped while waiting in line).
    import engine.nets.race

    for in_line, kept in ((False, 3), (True, None)):
        busy = BusyPool() if in_line else None
        at = opened({"rc_steps": "20", "rc_opts": "sgd,adam"})
        if in_line:
            queued = lambda followed: followed[0].state is jobs.State.QUEUED  # noqa: E731
            interrupt_follower_when(monkeypatch, queued)
        else:
            stop_after(monkeypatch, engine.nets.race, 3)
        press_stop(press_run(at))
        if busy is not None:
            busy.release()
        monkeypatch.undo()
        (outcome,) = at.session_state[runs.RESULTS].values()
        assert isinstance(outcome, runs.Outcome) and outcome.status is runs.Status.STOPPED
        assert (None if outcome.result is None else outcome.result.steps) == kept
    at.button(key="rc_rerun").click().run()
    (outcome,) = at.session_state[runs.RESULTS].values()
    assert outcome.status is runs.Status.DONE and outcome.result.steps == 20


def test_changing_a_learning_rate_keeps_its_panel():
    # The panel's title held η: every change made a new, collapsed panel.
    at = opened({"rc_opts": "sgd,adam"})
    before = [e.label for e in at.expander]
    at.select_slider(key="rc_adam_lr").set_value(0.01).run()
    at.select_slider(key="rc_adam_lr").set_value(0.02).run()
    assert_no_exception(at)
    assert [e.label for e in at.expander] == before == ["**sgd**", "**adam**"]


def test_stopping_the_sweep_says_so_and_offers_a_rerun(monkeypatch):
    import engine.nets.sweeps

    at = opened({"rc_mode": "sweep", "rc_steps": "20", "rc_sweep_n": "3", "rc_opts": "sgd"})
    stop_after(monkeypatch, engine.nets.sweeps, 5)
    press_stop(press_run(at))
    assert_clean_stop(at, "The sweep was stopped before it finished", "Run the sweep")
    monkeypatch.undo()
    at.button(key="rc_rerun").click().run()
    assert_no_exception(at)
    assert len(figures(at)) == 2 and not at.button


def test_a_failure_leaves_no_progress_bar_or_stop_button(monkeypatch):
    import engine.nets.race

    real = engine.nets.race.race

    def failing(config, data, opts, steps, callback=None, **kw):
        def update(t, partial):
            callback(t, partial)  # the bar, Stop and the live curve are drawn
            raise RuntimeError("out of memory")  # then the engine fails mid-run

        return real(config, data, opts, steps, callback=update, **kw)

    monkeypatch.setattr(engine.nets.race, "race", failing)
    at = opened({"rc_steps": "20", "rc_opts": "sgd"})
    at.button(key="rc_run").click().run()
    assert_no_exception(at)
    assert any("out of memory" in e.value for e in at.error)
    assert not at.get("progress") and not figures(at)
    assert "Stop" not in [b.label for b in at.button]
