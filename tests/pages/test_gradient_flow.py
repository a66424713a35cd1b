"""AppTest of the Gradient flow page: every preset shows its fact in the figures' data.

Training is kept to a few steps through the URL (``gf_steps``) so the file stays fast.
"""

import dataclasses

import numpy as np
import pytest

from engine.nets import presets
from pages._common import jobs, run_policy
from pages._gradient_flow import runs as gf_runs
from pages._gradient_flow.records import records_csv
from tests.helpers import (
    BusyPool,
    assert_no_exception,
    figures,
    fresh_pool,
    hold,
    interrupt_follower_when,
    page_test,
)
from tests.helpers import figure_array as arr


def fig(at, title: str) -> dict:
    found = [f for f in figures(at) if f["layout"]["title"]["text"].endswith(title)]
    assert found, f"no figure titled ...{title!r}"
    return found[0]


def figs(at, title: str) -> list[dict]:
    return [f for f in figures(at) if f["layout"]["title"]["text"].endswith(title)]


def panel(f: dict, axis: str = "x") -> dict[str, np.ndarray]:
    """name -> y of the traces drawn on subplot ``axis`` (x, x2, x3)."""
    return {t["name"]: arr(t["y"]) for t in f["data"] if t.get("xaxis", "x") == axis}


def grads(at) -> dict[str, np.ndarray]:
    """Per-layer weight-gradient norm as drawn, by configuration label (A, B)."""
    return {name[0]: y for name, y in panel(fig(at, "Gradient per layer")).items()}


@pytest.fixture(autouse=True)
def empty_store(monkeypatch):
    """Each test trains its own runs: the store is shared by every session of the process. One
    worker: a compare preset trains A, then B."""
    fresh_pool(monkeypatch)
    gf_runs.store.clear()


def run(query: dict[str, str]):
    at = page_test("gradient_flow", query).run()
    assert_no_exception(at)
    return at


def open_preset(name: str, steps: int = 5):
    return run({"gf_preset": name, "gf_steps": str(steps)})


def assert_all_finite(at) -> None:
    def walk(node):
        if isinstance(node, dict):
            if "bdata" in node:
                assert np.isfinite(arr(node)).all()
            else:
                for v in node.values():
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, float):
            assert np.isfinite(node)

    for f in figures(at):
        walk(f["data"])


def test_default_view_shows_vanishing_gradients_and_trains():
    at = run({"gf_steps": "10"})
    assert at.title[0].value == "Gradient flow"
    g = grads(at)["A"]
    assert len(g) == 10 and g[0] < 1e-4 * g[-1]
    assert "Vanishing" in at.info[0].value
    curves = fig(at, "Loss and accuracy")
    assert len(arr(curves["data"][0]["y"])) == 10
    heat = fig(at, "gradient norm ‖∂L/∂W_l‖")
    assert arr(heat["data"][0]["z"]).shape == (10, 10)  # layers x probed steps
    assert "boundary" in " ".join(f["layout"]["title"]["text"] for f in figures(at))
    assert_all_finite(at)
    assert not any("Initial report" in c.value for c in at.caption)  # no developer timings


@pytest.mark.parametrize("name", presets.names())
def test_every_preset_opens_in_its_mode(name):
    at = open_preset(name, steps=3)
    p = presets.get(name)
    assert at.session_state["gf_compare"] == p.compare
    assert at.session_state["gf_a_depth"] == p.a.depth
    assert set(grads(at)) == ({"A", "B"} if p.compare else {"A"})
    assert p.title in at.info[0].value
    assert len(figs(at, "activations per layer")) == (2 if p.compare else 1)


def test_relu_he_cures_the_sigmoid_vanishing():
    g = grads(open_preset("relu_he"))
    assert g["A"][0] < 1e-4 * g["A"][-1]
    assert g["B"][0] > 0.05 * g["B"][-1]


def test_zero_init_units_stay_identical_in_the_figure():
    at = open_preset("zero_init", steps=10)
    health = fig(at, "Saturated, dead and identical units")
    gaps = panel(health, "x3")
    assert len(gaps) == 2  # at init and after training
    assert all((y == 0).all() for y in gaps.values())


def test_selu_activation_std_stays_near_one_through_depth():
    stats = fig(open_preset("selu", steps=2), "Activation mean and spread per layer")
    std = next(iter(panel(stats, "x2").values()))
    mean = next(iter(panel(stats, "x").values()))
    assert len(std) >= 32
    assert (np.abs(std[1:] - 1) < 0.3).all() and (np.abs(mean[1:]) < 0.2).all()


def test_residual_keeps_the_first_layers_gradient_up():
    g = grads(open_preset("residual", steps=2))
    assert g["B"][:3].min() > 1e6 * g["A"][:3].max()


def test_batchnorm_rescue_and_shared_violin_axes():
    at = open_preset("batchnorm", steps=2)
    g = grads(at)
    assert g["A"][0] < 1e-8 * g["A"][-1] and g["B"][0] > 0.1 * g["B"][-1]
    ranges = [f["layout"]["yaxis"]["range"] for f in figs(at, "activations per layer")]
    assert ranges[0] == ranges[1]


def test_dead_relu_heatmap_shows_the_dead_share_climbing():
    at = open_preset("dead_relu", steps=20)
    heats = figs(at, "dead units (%)")
    assert len(heats) == 2
    assert heats[0]["data"][0]["zmin"] == heats[1]["data"][0]["zmin"]  # shared colour range
    dead_a = arr(heats[0]["data"][0]["z"])  # (layers, steps), in %
    assert dead_a[:, -1].mean() > 50 > dead_a[:, 0].mean()


def test_exploding_preset_diverges_and_keeps_the_figures_finite():
    at = open_preset("exploding", steps=5)
    assert any("A diverged at step" in w.value for w in at.warning)
    signal = {n[0]: y for n, y in panel(fig(at, "Gradient per layer"), "x2").items()}
    assert signal["A"][0] > 1e6 * signal["A"][-1]
    assert_all_finite(at)


def test_a_diverging_learning_rate_says_so_and_keeps_the_rows_before():
    at = run({"gf_preset": "custom", "gf_a_act": "relu", "gf_a_init": "kaiming_normal",
              "gf_a_loss": "ce", "gf_a_lr": "10", "gf_steps": "30"})  # fmt: skip
    warning = next(w.value for w in at.warning if "diverged at step" in w.value)
    k = int(warning.split("diverged at step ")[1].split(":")[0])
    assert 0 < k < 30
    loss = arr(fig(at, "Loss and accuracy")["data"][0]["y"])
    assert len(loss) == k and np.isfinite(loss).all()


def test_widget_changes_redraw_and_reach_the_url():
    at = run({"gf_steps": "3"})
    at.selectbox(key="gf_a_act").set_value("relu").run()
    at.selectbox(key="gf_a_init").set_value("kaiming_normal").run()
    assert_no_exception(at)
    g = grads(at)["A"]
    assert g[0] > 0.05 * g[-1]
    assert at.query_params["gf_a_act"] == "relu"
    assert "changed settings" in " ".join(c.value for c in at.caption)
    at.slider(key="gf_a_depth").set_value(4).run()
    assert len(grads(at)["A"]) == 4


def test_preset_button_switches_to_compare_mode():
    at = run({"gf_steps": "3"})
    at.button(key="gf_btn_dead_relu").click().run()  # a quick one: it trains its 300 steps
    assert_no_exception(at)
    assert at.session_state["gf_compare"] is True
    assert at.session_state["gf_heatmap"] == "dead"
    assert at.session_state["gf_a_lr"] == 0.05 and at.session_state["gf_b_lr"] == 0.005
    assert at.query_params["gf_preset"] == "dead_relu"
    assert len(figs(at, "dead units (%)")) == 2


def test_url_round_trip_reproduces_settings_and_figures():
    at = run({"gf_preset": "batchnorm", "gf_steps": "4"})
    at.slider(key="gf_b_depth").set_value(6).run()
    at.toggle(key="gf_a_bn").set_value(True).run()
    query = {k: v[0] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}
    again = run(query)
    for key in ("gf_preset", "gf_compare", "gf_a_depth", "gf_b_depth", "gf_a_bn", "gf_steps"):
        assert again.session_state[key] == at.session_state[key], key
    assert {k: v.tolist() for k, v in grads(again).items()} == {
        k: v.tolist() for k, v in grads(at).items()
    }


def test_a_value_equal_to_the_default_but_not_the_preset_survives_the_link():
    at = run({"gf_preset": "selu", "gf_steps": "2"})
    at.slider(key="gf_a_depth").set_value(10).run()  # 10 is the global default, SELU has 32
    query = {k: v[0] if isinstance(v, list) else v for k, v in dict(at.query_params).items()}
    assert query["gf_a_depth"] == "10"
    assert run(query).session_state["gf_a_depth"] == 10


def test_out_of_range_link_values_are_clamped_with_a_message():
    at = run({"gf_a_depth": "500", "gf_a_act": "nonsense", "gf_steps": "2"})
    texts = " ".join(w.value for w in at.warning)
    assert "out of range: using 50" in texts and "gf_a_act" in texts
    assert len(grads(at)["A"]) == 50


def test_bad_combination_is_a_warning_not_a_traceback():
    at = run({"gf_dataset": "digits", "gf_a_loss": "bce", "gf_steps": "2", "gf_n": "200"})
    assert any("bce" in w.value for w in at.warning)


def press(at, label: str):
    """Click the page's run button (Train, Stop or Train again: one widget) showing ``label``."""
    button = at.button(key=gf_runs.RUN_BUTTON)
    assert button.label == label
    return button.click().run()


def test_stop_keeps_what_was_recorded_and_train_again_finishes(monkeypatch):
    interrupt(monkeypatch, network=1, step=0)  # a click during the first step
    at = run({"gf_steps": "8", "gf_seed": "7"})
    monkeypatch.undo()
    press(at, "Stop")
    assert_no_exception(at)
    assert any("Stopped" in i.value for i in at.info)
    assert len(arr(fig(at, "Loss and accuracy")["data"][0]["y"])) == 1
    press(at, "Train again")
    assert not any("Stopped" in i.value for i in at.info)
    assert len(arr(fig(at, "Loss and accuracy")["data"][0]["y"])) == 8


def test_a_stale_stop_flag_does_not_stop_other_settings():
    at = page_test("gradient_flow", {"gf_steps": "8", "gf_seed": "7"})
    at.session_state["gf_stop"] = True  # a Stop pressed for other settings
    at.run()
    assert_no_exception(at)
    assert not any("Stopped" in i.value for i in at.info)
    assert len(arr(fig(at, "Loss and accuracy")["data"][0]["y"])) == 8


def test_csv_holds_init_and_training_rows_per_layer():
    p = presets.get("sigmoid_mse")
    data = presets.DataSettings(steps=4)
    report = presets.initial_report(p.a, data, device="cpu")
    history = presets.run(p.a, data, device="cpu")
    text = records_csv({"A": report}, {"A": gf_runs.Trained(history, None, None)})
    lines = text.strip().splitlines()
    assert lines[0].split(",")[:4] == ["config", "phase", "step", "layer"]
    assert len(lines) == 1 + 10 + 4 * 10
    first = lines[1].split(",")
    assert first[:4] == ["A", "init", "", "1"] and float(first[4]) == pytest.approx(
        report.grad_norms[0], rel=1e-5
    )


def test_digits_trains_without_a_boundary():
    at = run({"gf_dataset": "digits", "gf_a_loss": "ce", "gf_steps": "3", "gf_n": "300"})
    assert "2D data sets only" in " ".join(c.value for c in at.caption)
    assert not figs(at, "decision boundary after training")
    assert len(arr(fig(at, "Loss and accuracy")["data"][0]["y"])) == 3


# ------------------------------------------------------------------------- Stop at any moment
def train_steps(at) -> dict[str, int]:
    """Recorded training steps per configuration label, read from the loss curves."""
    traces = fig(at, "Loss and accuracy")["data"]
    return {
        t["name"][0]: len(arr(t["y"]))
        for t in traces
        if t["name"].endswith("(train)") and t.get("xaxis", "x") == "x"
    }


def interrupt(monkeypatch, network: int = 0, step: int | None = None) -> list:
    """Interrupt the page's script, as a click during the run does, while the ``network``-th run
    the pool starts is at ``step`` (network 0: never; step None: while the page's runs still
    wait in line behind other work). Returns the list of trained settings, one per run started.

    The run holds at that step until it is cancelled, so a Stop clicked next keeps exactly the
    steps up to it. In a browser the click makes Streamlit rerun the page: the script following
    the run is interrupted at its next Streamlit call, and the rerun runs Stop's on_click.
    ``st.stop()`` is that interruption; the test then clicks Stop for the rerun.
    """
    real, calls, held = presets.run, [], []

    def run(net, data, callback=None, device=None):
        calls.append(net)
        here = len(calls) == network

        def wrapped(t, h):
            go_on = callback(t, h)
            if here and t == step and go_on is not False:
                held.append(t)
                return hold(callback, t, h)
            return go_on

        return real(net, data, wrapped, device)

    monkeypatch.setattr(presets, "run", run)
    if network and step is None:
        interrupt_follower_when(
            monkeypatch, lambda followed: any(j.state is jobs.State.QUEUED for j in followed)
        )
    elif network:
        interrupt_follower_when(monkeypatch, lambda followed: bool(held))
    return calls


STOPS = {
    "single, mid-run": ("sigmoid_mse", 1, 5, {"A": 6}),
    "A, while waiting in line": ("relu_he", 1, None, {}),
    "A, first step": ("relu_he", 1, 0, {"A": 1}),
    "A, mid-run": ("relu_he", 1, 5, {"A": 6}),
    "B, first step": ("batchnorm", 2, 0, {"A": 12, "B": 1}),
    "B, mid-run": ("dead_relu", 2, 7, {"A": 12, "B": 8}),
}


@pytest.mark.parametrize("case", list(STOPS))
def test_stop_at_any_moment_shows_the_record_and_train_again(monkeypatch, case):
    name, network, step, recorded = STOPS[case]
    busy = BusyPool() if step is None else None  # the page's runs wait in line behind it
    interrupt(monkeypatch, network, step)
    at = run({"gf_preset": name, "gf_steps": "12"})
    monkeypatch.undo()  # from here on, the page trains normally
    press(at, "Stop")
    if busy is not None:
        busy.release()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    stopped = next(i.value for i in at.info if i.value.startswith("Stopped"))
    if recorded:
        assert train_steps(at) == recorded
        cut = "stopped before its end" in " ".join(c.value for c in at.caption)
        assert cut == any(steps < 12 for steps in recorded.values())  # no boundary for those
    else:
        assert "before the first step" in stopped
    labels = ("A", "B") if presets.get(name).compare else ("A",)
    for label in labels:
        if label not in recorded:
            assert f"{label} not trained" in stopped
    press(at, "Train again")
    assert_no_exception(at)
    assert not at.error and not any(i.value.startswith("Stopped") for i in at.info)
    assert train_steps(at) == dict.fromkeys(labels, 12)


# ------------------------------------------------------------------ long runs wait for "Train"
BIG = {"gf_a_depth": "50", "gf_a_width": "256", "gf_steps": "20"}


def test_a_long_run_waits_for_train_with_its_estimate_and_a_short_one_trains_live(monkeypatch):
    calls = interrupt(monkeypatch)
    at = run({**BIG, "gf_n": "100"})
    small = presets.DataSettings(n=100, steps=20)
    net = presets.NetSettings(depth=50, width=256)
    assert not run_policy.needs_press(presets.estimate_seconds(net, small))
    assert len(calls) == 1 and train_steps(at) == {"A": 20}  # live, no press
    assert gf_runs.RUN_BUTTON not in [b.key for b in at.button]  # no Train button: it trained

    at.slider(key="gf_n").set_value(2000).run()  # the reported slider move: now a long run
    assert_no_exception(at)
    estimate = presets.estimate_seconds(net, dataclasses.replace(small, n=2000))
    assert run_policy.needs_press(estimate)
    assert len(calls) == 1  # nothing trained by itself
    waiting = next(i.value for i in at.info if "press Train" in i.value)
    assert run_policy.estimate_text(estimate) in waiting
    assert not figs(at, "Loss and accuracy")

    at.selectbox(key="gf_heatmap").set_value("dead").run()  # other reruns do not start it
    assert len(calls) == 1

    monkeypatch.undo()
    calls = interrupt(monkeypatch, network=1, step=0)  # Train starts it; Stop after one step
    press(at, "Train")
    assert len(calls) == 1
    press(at, "Stop")
    assert_no_exception(at)
    assert any(i.value.startswith("Stopped (A after 1 steps") for i in at.info)
    assert train_steps(at) == {"A": 1}


def test_run_policy_threshold():
    assert run_policy.LIVE_LIMIT_S == 10.0
    assert not run_policy.needs_press(0.5) and not run_policy.needs_press(10.0)
    assert run_policy.needs_press(10.5) and run_policy.needs_press(float("nan"))
    assert run_policy.estimate_text(175) == "about 3 min"
    assert run_policy.estimate_text(12.4) == "about 12 s"


# ------------------------------------------------------------------------- bounded run store
def test_stored_runs_hold_records_not_weights():
    at = run({"gf_preset": "relu_he", "gf_steps": "3"})
    assert_no_exception(at)
    entries = list(gf_runs.store().results.items.values())
    assert len(entries) == 2
    for trained, size in entries:
        assert trained.history.model == {} and trained.final is not None
        assert size == jobs.nbytes(trained) < 200_000
