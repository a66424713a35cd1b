"""What each preset says, written from measured numbers (never typed in).

:func:`describe` takes the probes at initialisation (``{cell: Probe}``) and, once trained, the
runs (``{cell: SeqHistory}``); a sentence whose cell is missing (the user removed it) is left
out, so the text never quotes a number that was not measured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from engine.sequences import probes, tasks
from engine.sequences.presets import CELL_TITLES, Settings
from engine.sequences.training import SeqHistory

Probes = Mapping[str, probes.Probe]
Runs = Mapping[str, SeqHistory]


def rate_words(q: float) -> str:
    """ "shrinks ×0.56" / "grows ×1.12": the per-step factor going back in time."""
    if not math.isfinite(q):
        return "changes irregularly"
    return f"{'shrinks' if q < 1 else 'grows'} ×{q:.2f}"


def rate_sentence(cell: str, p: probes.Probe) -> str:
    """One line for the line plot's caption: the fitted rate, and the RNN's prediction."""
    q = probes.decay_rate(p.grad_h)
    line = f"**{CELL_TITLES[cell]}**: the signal {rate_words(q)} per step back in time"
    if cell == "rnn_tanh":
        pred = probes.predicted_rate(p)
        line += (
            f"; predicted ρ(W_hh) × mean tanh′ = {p.radius[-1]:.2f} × {p.slope:.2f} = {pred:.2f}"
            f" ({100 * (q / pred - 1):+.0f} %)"
        )
    elif np.isfinite(p.gate).any():
        gate = "forget gate" if cell == "lstm" else "update gate"
        line += f"; mean {gate} {np.nanmean(p.gate):.2f}"
    return line + f"; ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ = {probes.span(p.grad_h):.2g}."


def _final(h: SeqHistory) -> float:
    """The training loss at the end (mean of the last 20 steps: one batch is noisy)."""
    return float(np.mean(h.loss[-20:])) if h.steps else math.nan


def _losses(runs: Runs, task: str) -> str:
    parts = [
        f"{CELL_TITLES[c]} diverged at step {h.diverged_at}"
        if h.diverged_at >= 0
        else f"{CELL_TITLES[c]} {_final(h):.3g}"
        for c, h in runs.items()
        if h.steps
    ]
    if all(h.diverged_at >= 0 for h in runs.values()):
        return ""  # the preset's own sentence said so already
    steps = max(h.steps for h in runs.values())
    return (
        f"After {steps} training steps: {', '.join(parts)} (loss over the last 20 steps; the "
        f"best constant guess scores {tasks.get(task).baseline:.3f})."
    )


def describe(name: str, s: Settings, first: Probes, runs: Runs | None = None) -> str:
    """Preset ``name``'s text with the numbers measured on the current settings ``s`` (which
    the user may have changed): ``first`` at initialisation, ``runs`` once trained."""
    runs = runs or {}
    out: list[str] = []
    if name == "vanishing" and "rnn_tanh" in first:
        p = first["rnn_tanh"]
        q, pred = probes.decay_rate(p.grad_h), probes.predicted_rate(p)
        out.append(
            f"At initialisation the backward signal {rate_words(q)} per step; the course "
            f"predicts ρ × mean tanh′ = {p.radius[-1]:.2f} × {p.slope:.2f} = {pred:.2f}. Over "
            f"{len(p.grad_h)} steps only {probes.span(p.grad_h):.1e} of ‖∂L/∂h_T‖ reaches h_1: "
            "the first inputs get almost no gradient."
        )
    elif name == "exploding" and "rnn_tanh" in first:
        p = first["rnn_tanh"]
        out.append(
            f"With spectral radius {p.radius[-1]:.2f} the signal {rate_words(probes.decay_rate(p.grad_h))}"
            f" per step: ‖∂L/∂h_1‖ is {probes.span(p.grad_h):.3g}× ‖∂L/∂h_T‖."
        )
        h = runs.get("rnn_tanh")
        if h is not None and h.steps:
            raw = h.grad_norm[np.isfinite(h.grad_norm)]
            top = f"{raw.max():.3g}" if len(raw) else "infinity"
            if h.diverged_at >= 0:
                out.append(
                    f"Training with {s.optimizer} diverged at step {h.diverged_at}: the raw "
                    f"gradient norm rose to {top} before the loss became infinite."
                )
            elif not s.clip:
                out.append(f"During training the raw gradient norm reached {top}.")
            if s.clip:
                clipped = float(np.mean(h.grad_norm > s.clip))
                out.append(
                    f"Clipping at {s.clip:g} rescaled {100 * clipped:.0f} % of the steps (raw "
                    f"norm up to {top}): the updates stay bounded."
                )
            else:
                out.append("Now switch on “Clip the gradient norm” in the sidebar.")
    elif name == "lstm" and {"rnn_tanh", "lstm"} <= set(first):
        rnn, lstm = probes.span(first["rnn_tanh"].grad_h), probes.span(first["lstm"].grad_h)
        out.append(
            f"With forget bias {s.forget_bias:g} the LSTM's forget gate starts at "
            f"{np.nanmean(first['lstm'].gate):.2f} on average. ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ over "
            f"T = {s.T} steps is {lstm:.1e} for the LSTM against {rnn:.1e} for the RNN"
            + (f": {lstm / rnn:.1e}× more signal reaches the first step." if rnn > 0 else ".")
        )
    elif name == "gru" and "gru" in first:
        g = first["gru"]
        rates = ", ".join(
            f"{CELL_TITLES[c]} ×{probes.decay_rate(p.grad_h):.2f}" for c, p in first.items()
        )
        out.append(
            f"The GRU's update gate keeps {np.nanmean(g.gate):.2f} of the state per step on "
            f"average. Per step back in time the signal changes by {rates}."
        )
    elif name == "adding" and {"rnn_tanh", "lstm"} <= set(runs):
        rnn, lstm = _final(runs["rnn_tanh"]), _final(runs["lstm"])
        verdict = "learns the sum" if lstm < 0.05 else "has not learned the sum yet"
        out.append(
            f"At T = {s.T} the LSTM {verdict} (MSE {lstm:.3f}) while the RNN stays at "
            f"{rnn:.3f}, near the {tasks.get(s.task).baseline:.3f} of always answering 1."
        )
    elif name == "adding" and {"rnn_tanh", "lstm"} <= set(first):
        q = {c: probes.decay_rate(first[c].grad_h) for c in ("rnn_tanh", "lstm")}
        out.append(
            f"The two marked numbers can be anywhere in T = {s.T} steps. At initialisation the "
            f"signal {rate_words(q['rnn_tanh'])} per step in the RNN and "
            f"{rate_words(q['lstm'])} in the LSTM; training shows which of them can use it."
        )
    if runs and name != "adding":
        out.append(_losses(runs, s.task))
    return " ".join(part for part in out if part)
