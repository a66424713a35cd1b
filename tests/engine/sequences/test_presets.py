"""Presets and their texts: every number a text quotes is one the probes or the runs measured."""

import dataclasses

import numpy as np
import pytest

from engine.sequences import presets, probes, texts
from engine.sequences.presets import Settings


def test_five_presets_in_teaching_order_all_valid():
    assert presets.names() == ["vanishing", "exploding", "lstm", "gru", "adding"]
    for i, name in enumerate(presets.names(), start=1):
        p = presets.get(name)
        assert p.label.startswith(f"{i} ·")
        p.settings.check()
    assert presets.get("exploding").settings.radius == 1.5
    assert presets.get("lstm").settings.forget_bias == 1.0
    assert presets.get("adding").settings.T == 100


def test_vanishing_text_quotes_the_fit_and_the_prediction():
    s = presets.get("vanishing").settings
    first = presets.initial_probes(s)
    p = first["rnn_tanh"]
    text = texts.describe("vanishing", s, first)
    q, pred = probes.decay_rate(p.grad_h), probes.predicted_rate(p)
    assert f"shrinks ×{q:.2f} per step" in text
    assert f"{p.radius[-1]:.2f} × {p.slope:.2f} = {pred:.2f}" in text
    assert f"{probes.span(p.grad_h):.1e}" in text


def test_lstm_text_quotes_the_ratio_of_the_two_cells():
    s = presets.get("lstm").settings
    first = presets.initial_probes(s)
    ratio = probes.span(first["lstm"].grad_h) / probes.span(first["rnn_tanh"].grad_h)
    assert ratio > 100
    text = texts.describe("lstm", s, first)
    assert f"{ratio:.1e}× more signal" in text
    assert f"starts at {np.nanmean(first['lstm'].gate):.2f}" in text


def test_texts_add_what_training_showed():
    s = dataclasses.replace(presets.get("exploding").settings, steps=80)
    first = presets.initial_probes(s)
    runs = presets.race(s)
    h = runs["rnn_tanh"]
    text = texts.describe("exploding", s, first, runs)
    if h.diverged_at >= 0:
        assert f"diverged at step {h.diverged_at}" in text
    assert f"{h.grad_norm[np.isfinite(h.grad_norm)].max():.3g}" in text
    clipped = dataclasses.replace(s, clip=1.0)
    runs = presets.race(clipped)
    text = texts.describe("exploding", clipped, first, runs)
    share = np.mean(runs["rnn_tanh"].grad_norm > 1.0)
    assert f"rescaled {100 * share:.0f} % of the steps" in text
    assert f"RNN (tanh) {np.mean(runs['rnn_tanh'].loss[-20:]):.3g}" in text


def test_adding_text_before_and_after_training():
    s = dataclasses.replace(presets.get("adding").settings, T=20, steps=30)
    first = presets.initial_probes(s)
    before = texts.describe("adding", s, first)
    assert f"{probes.decay_rate(first['lstm'].grad_h):.2f} in the LSTM" in before
    runs = presets.race(s)
    after = texts.describe("adding", s, first, runs)
    assert f"(MSE {np.mean(runs['lstm'].loss[-20:]):.3f})" in after


def test_a_removed_cell_drops_its_sentence_instead_of_failing():
    s = dataclasses.replace(presets.get("lstm").settings, cells=("gru",))
    assert texts.describe("lstm", s, presets.initial_probes(s)) == ""


def test_rate_sentence_reports_the_gate_or_the_prediction():
    s = Settings(cells=("rnn_tanh", "lstm"), T=20)
    first = presets.initial_probes(s)
    assert "predicted ρ(W_hh) × mean tanh′" in texts.rate_sentence("rnn_tanh", first["rnn_tanh"])
    assert "mean forget gate" in texts.rate_sentence("lstm", first["lstm"])
    assert texts.rate_words(0.5) == "shrinks ×0.50" and texts.rate_words(1.2) == "grows ×1.20"


@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"cells": ()}, "pick at least one cell type"),
        ({"T": 1}, "Invalid sequence length T: 1"),
        ({"lr": -1.0}, "-1.0"),
        ({"task": "sorting"}, "Unknown task"),
        ({"hidden": 0}, "Invalid hidden size: 0"),
        ({"clip": -2.0}, "Invalid clipping threshold: -2.0"),
    ],
)
def test_bad_settings_raise_before_anything_is_built(change, needle):
    with pytest.raises(ValueError, match=needle):
        dataclasses.replace(Settings(), **change).check()


def test_estimates_grow_with_the_work():
    base = Settings(cells=("lstm",))
    e = presets.estimate_seconds
    assert 0 < e(base) < e(dataclasses.replace(base, T=100)) < e(dataclasses.replace(base, T=200))
    assert e(base) < e(dataclasses.replace(base, hidden=128))
    assert e(dataclasses.replace(base, cells=("gru",))) > e(base)
    assert e(dataclasses.replace(base, cells=("rnn_tanh", "lstm"))) > e(base)


def test_connectivity_of_trained_weights_differs_from_init():
    s = Settings(cells=("gru",), T=12, steps=20, hidden=8, lr=0.05)
    runs = presets.race(s)
    init = presets.connectivity(s, "gru", 11)
    trained = presets.connectivity(s, "gru", 11, runs["gru"].state)
    assert init.shape == trained.shape == (12,) and not np.allclose(init, trained)
    assert presets.display_tokens(s, short=True).count("+") == 2


def test_a_run_stopped_before_its_weights_were_saved_shows_the_initial_network():
    s = Settings(cells=("lstm",), T=8, hidden=4)
    np.testing.assert_array_equal(
        presets.connectivity(s, "lstm", 7, {}), presets.connectivity(s, "lstm", 7)
    )
