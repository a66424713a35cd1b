"""AppTest of the Gradients through time page: every preset shows its fact in the figures' data,
and the text quotes the numbers the figures hold.

Training is kept short through the URL (``sq_steps``) so the file stays fast; the adding
problem's full run is the one slow test.
"""

import math

import numpy as np
import pytest

from engine.sequences import presets, probes
from pages._sequences import tables
from tests.helpers import assert_no_exception, figures, page_test
from tests.helpers import figure_array as arr


def run(query: dict[str, str]):
    at = page_test("sequences", query).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    return at


def fig(at, title: str) -> dict:
    found = [f for f in figures(at) if f["layout"]["title"]["text"].startswith(title)]
    assert found, (
        f"no figure titled {title!r}...; have {[f['layout']['title']['text'] for f in figures(at)]}"
    )
    return found[0]


def signals(at) -> dict[str, np.ndarray]:
    """The measured ‖∂L/∂h_t‖ at initialisation per cell, as drawn (raw values, not floored)."""
    f = fig(at, "Backward signal")
    return {t["name"]: arr(t["customdata"]) for t in f["data"] if "customdata" in t}


def span(g: np.ndarray) -> float:
    return g[0] / g[-1]


def info(at) -> str:
    return at.info[0].value


def loss_curves(at) -> dict[str, np.ndarray]:
    f = fig(at, "Training")
    return {t["name"]: arr(t["customdata"]) for t in f["data"] if t.get("xaxis", "x") == "x"}


def grad_curves(at) -> dict[str, np.ndarray]:
    f = fig(at, "Training")
    return {t["name"]: arr(t["customdata"]) for t in f["data"] if t.get("xaxis") == "x2"}


def heatmaps(at) -> dict[str, np.ndarray]:
    return {
        f["layout"]["title"]["text"].split(":")[0]: arr(f["data"][0]["z"])
        for f in figures(at)
        if "‖∂L/∂h_t‖" in f["layout"]["title"]["text"] and f["data"][0]["type"] == "heatmap"
    }


def test_vanishing_preset_opens_by_default_and_quotes_the_fitted_rate():
    at = run({"sq_steps": "30"})
    assert at.title[0].value == "Gradients through time"
    g = signals(at)["RNN (tanh)"]
    assert len(g) == 50 and span(g) < 1e-10  # vanished over 50 steps
    q = probes.decay_rate(g)
    text = info(at)
    assert "A plain RNN at T = 50" in text and f"shrinks ×{q:.2f} per step" in text
    assert f"{span(g):.1e} of ‖∂L/∂h_T‖ reaches h_1" in text
    predicted = [t for t in fig(at, "Backward signal")["data"] if "ρ × mean tanh′" in t["name"]]
    assert len(predicted) == 1
    heat = heatmaps(at)["RNN (tanh)"]
    assert heat.shape == (4, 50)  # probe rows at steps 0, 10, 20 and the end; x = time step
    assert len(loss_curves(at)["RNN (tanh)"]) == 30
    strip = fig(at, "Connectivity to the output at τ = 50")
    assert arr(strip["data"][0]["customdata"]).shape == (2, 50)  # init and trained rows
    assert sum(1 for m in strip["data"][0]["text"][0] if m == "+") == 2  # the two marks


def test_exploding_preset_diverges_then_clipping_keeps_it_finite():
    at = run({"sq_preset": "exploding", "sq_steps": "100"})
    g = signals(at)["RNN (tanh)"]
    assert span(g) > 10 and probes.decay_rate(g) > 1  # the signal grows going back
    assert f"grows ×{probes.decay_rate(g):.2f} per step" in info(at)
    assert any("diverged at step" in w.value for w in at.warning)
    assert grad_curves(at)["RNN (tanh)"].max() > 1e3
    assert "switch on “Clip the gradient norm”" in info(at)

    at.toggle(key="sq_clip_on").set_value(True).run()
    assert_no_exception(at)
    assert at.session_state["sq_clip"] == 1.0 and at.query_params["sq_clip"] == "1"
    assert not any("diverged" in w.value for w in at.warning)
    loss = loss_curves(at)["RNN (tanh)"]
    assert len(loss) == 100 and np.isfinite(loss).all() and loss.max() < 100
    raw = grad_curves(at)["RNN (tanh)"]
    clipped = np.mean(raw > 1.0)
    assert f"rescaled {100 * clipped:.0f} % of the steps" in info(at)
    shapes = fig(at, "Training")["layout"]["shapes"]
    assert any(s.get("y0") == 1.0 and s.get("yref", "").startswith("y2") for s in shapes)


def test_lstm_preset_keeps_the_path_open_at_t_100():
    at = run({"sq_preset": "lstm", "sq_steps": "10"})
    s = signals(at)
    ratio = span(s["LSTM"]) / span(s["RNN (tanh)"])
    assert ratio >= 100 and len(s["LSTM"]) == 100
    text = info(at)
    assert f"{ratio:.1e}× more signal reaches the first step" in text
    assert "forget gate starts at 0.7" in text
    assert set(heatmaps(at)) == {"RNN (tanh)", "LSTM"}


def test_gru_preset_races_three_cells():
    at = run({"sq_preset": "gru", "sq_steps": "20"})
    s = signals(at)
    assert set(s) == {"RNN (tanh)", "LSTM", "GRU"}
    assert span(s["GRU"]) > 100 * span(s["RNN (tanh)"])
    text = info(at)
    assert "update gate keeps" in text
    assert f"GRU ×{probes.decay_rate(s['GRU']):.2f}" in text
    assert set(heatmaps(at)) == {"RNN (tanh)", "LSTM", "GRU"}
    assert {k: len(v) for k, v in loss_curves(at).items()} == dict.fromkeys(s, 20)


def test_a_long_adding_run_waits_for_a_press_and_short_runs_train_at_once():
    at = run({"sq_preset": "adding", "sq_steps": "2000"})  # about 30 s: over the live limit
    assert at.button(key="sq_train").label.startswith("Train (about")
    assert not any(f["layout"]["title"]["text"] == "Training" for f in figures(at))
    s = signals(at)
    assert len(s["LSTM"]) == 100
    assert f"{probes.decay_rate(s['LSTM']):.2f} in the LSTM" in info(at)

    short = run({"sq_preset": "adding", "sq_steps": "40"})
    assert {k: len(v) for k, v in loss_curves(short).items()} == {"RNN (tanh)": 40, "LSTM": 40}


@pytest.mark.slow
def test_adding_preset_the_lstm_learns_and_the_rnn_does_not():
    at = run({"sq_preset": "adding"})  # about 7 s, under the live limit: it trains at once
    assert_no_exception(at)
    assert not [b for b in at.button if b.key == "sq_train"]  # no press was asked for
    curves = loss_curves(at)
    lstm, rnn = curves["LSTM"][-20:].mean(), curves["RNN (tanh)"][-20:].mean()
    assert len(curves["LSTM"]) == 600
    assert lstm < rnn and rnn > 0.1
    assert f"(MSE {lstm:.3f})" in info(at)


def test_preset_buttons_and_url_state():
    at = run({"sq_steps": "5"})
    at.button(key="sq_btn_lstm").click().run()
    assert at.session_state["sq_preset"] == "lstm" and at.session_state["sq_T"] == 100
    params = dict(at.query_params)
    assert params.get("sq_preset") in ("lstm", ["lstm"]) and "sq_T" not in params
    at.slider(key="sq_hidden").set_value(8).run()
    assert at.query_params["sq_hidden"] == "8"
    assert "You have changed settings" in info(at)


def test_a_bad_link_value_is_named_and_falls_back():
    at = run({"sq_T": "5000", "sq_init": "magic", "sq_steps": "5"})
    notes = " ".join(w.value for w in at.warning)
    assert "sq_T=5000 is out of range: using 200" in notes
    assert "Ignored the link's sq_init='magic'" in notes
    assert len(signals(at)["RNN (tanh)"]) == 200


def test_no_cell_picked_is_a_friendly_message():
    at = run({"sq_steps": "5"})
    at.multiselect(key="sq_cells").set_value([]).run()
    assert_no_exception(at)
    assert any("pick at least one cell type" in w.value for w in at.warning)


def test_connectivity_position_follows_the_slider_and_the_text_task_shows_characters():
    at = run({"sq_task": "text", "sq_T": "30", "sq_steps": "5"})
    at.slider(key="sq_pos_slider").set_value(12).run()
    assert at.query_params["sq_pos"] == "12"
    strip = fig(at, "Connectivity to the output at τ = 12")
    values = arr(strip["data"][0]["customdata"])
    assert values.shape == (2, 12) and (values > 0).all()
    assert all(len(ch) == 1 for ch in strip["data"][0]["text"][0])


def test_csv_holds_every_probe_and_the_curves():
    s = presets.Settings(cells=("rnn_tanh", "lstm"), T=6, steps=3, hidden=4)
    first = presets.initial_probes(s)
    raced = presets.race(s)
    lines = tables.records_csv(first, raced).strip().splitlines()
    assert lines[0] == ",".join(tables.COLUMNS)
    rows = [line.split(",") for line in lines[1:]]
    grad_rows = [r for r in rows if r[0] == "lstm" and r[1] == "init" and r[3] == "grad_h"]
    assert [float(r[5]) for r in grad_rows] == pytest.approx(
        first["lstm"].grad_h.tolist(), rel=1e-5
    )
    assert not any(r[0] == "rnn_tanh" and r[3] == "gate" for r in rows)  # an RNN has no gate
    assert sum(r[3] == "loss" for r in rows) == 6
    assert all(math.isfinite(float(r[5])) for r in rows)
    probe_steps = {
        int(r[2]) for r in rows if r[0] == "lstm" and r[1] == "train" and r[3] == "grad_h"
    }
    assert probe_steps == set(raced["lstm"].probe_steps.tolist())


def test_the_page_offers_the_csv():
    at = run({"sq_steps": "3"})
    assert at.get("download_button")


def test_a_rerun_reuses_the_trained_race(monkeypatch):
    calls = []
    real = presets.race
    monkeypatch.setattr(presets, "race", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = run({"sq_steps": "7", "sq_seed": "41"})  # a seed no other test trains
    before = loss_curves(at)["RNN (tanh)"]
    at.slider(key="sq_pos_slider").set_value(20).run()
    assert_no_exception(at)
    np.testing.assert_array_equal(loss_curves(at)["RNN (tanh)"], before)
    assert len(calls) == 1


def test_a_run_too_large_for_memory_is_explained_before_any_press():
    """Every size at the page's maximum is more than one session may hold: the page says so
    and which batch fits, and offers no Train button, no progress and no Stop."""
    from engine.sequences import models, tasks, training
    from pages._common.keys import sequences as ks

    big = {"sq_preset": "custom", "sq_cells": "lstm,gru", "sq_T": str(tasks.MAX_T),
           "sq_hidden": str(ks.MAX_HIDDEN), "sq_layers": str(models.MAX_LAYERS),
           "sq_batch": str(ks.MAX_BATCH)}  # fmt: skip
    at = run(big)
    warning = " ".join(w.value for w in at.warning).replace("\\", "")  # Markdown-escaped
    fit = min(training.largest_batch(models.SeqConfig(c, ks.MAX_HIDDEN, models.MAX_LAYERS), 200)
              for c in ("lstm", "gru"))  # fmt: skip
    # The batch offered fits both cells picked: the GRU, the hungrier, is the one named.
    assert "Too large to train here: GRU" in warning and f"at most {fit} fits" in warning
    assert not [b for b in at.button if b.key in ("sq_train", "sq_stop_button")]
    assert not at.get("progress")
    assert signals(at)  # the picture at initialisation is still there
