"""What each preset says, written from measured numbers (never typed in).

:func:`describe` takes the probes at initialisation (``{cell: Probe}``) and, once trained, the
runs (``{cell: SeqHistory}``); a sentence whose cell is missing (the user removed it) is left
out, so the text never quotes a number that was not measured.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from engine.core.i18n import _
from engine.sequences import probes, tasks
from engine.sequences.presets import CELL_TITLES, Settings
from engine.sequences.training import SeqHistory

Probes = Mapping[str, probes.Probe]
Runs = Mapping[str, SeqHistory]


def rate_words(q: float) -> str:
    """ "shrinks ×0.56" / "grows ×1.12": the per-step factor going back in time."""
    if not math.isfinite(q):
        return _("changes irregularly")
    word = _("shrinks ×{factor}") if q < 1 else _("grows ×{factor}")
    return word.format(factor=f"{q:.2f}")


def rate_sentence(cell: str, p: probes.Probe) -> str:
    """One line for the line plot's caption: the fitted rate, and the RNN's prediction."""
    q = probes.decay_rate(p.grad_h)
    line = _("**{cell}**: the signal {rate} per step back in time").format(
        cell=_(CELL_TITLES[cell]), rate=rate_words(q)
    )
    if cell == "rnn_tanh":
        pred = probes.predicted_rate(p)
        line += (
            _("; predicted ρ(W_hh) × mean tanh′ = {radius} × {slope} = {pred} ({diff} %)")
        ).format(
            radius=f"{p.radius[-1]:.2f}",
            slope=f"{p.slope:.2f}",
            pred=f"{pred:.2f}",
            diff=f"{100 * (q / pred - 1):+.0f}",
        )
    elif np.isfinite(p.gate).any():
        gate = _("; mean forget gate {gate}") if cell == "lstm" else _("; mean update gate {gate}")
        line += gate.format(gate=f"{np.nanmean(p.gate):.2f}")
    return line + f"; ‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ = {probes.span(p.grad_h):.2g}" + _(".")


def _final(h: SeqHistory) -> float:
    """The training loss at the end (mean of the last 20 steps: one batch is noisy)."""
    return float(np.mean(h.loss[-20:])) if h.steps else math.nan


def _losses(runs: Runs, task: str) -> str:
    parts = [
        _("{cell} diverged at step {step}").format(cell=_(CELL_TITLES[c]), step=h.diverged_at)
        if h.diverged_at >= 0
        else f"{_(CELL_TITLES[c])} {_final(h):.3g}"
        for c, h in runs.items()
        if h.steps
    ]
    if all(h.diverged_at >= 0 for h in runs.values()):
        return ""  # the preset's own sentence said so already
    steps = max(h.steps for h in runs.values())
    return _(
        "After {steps} training steps: {losses} (loss over the last 20 steps; the best "
        "constant guess scores {baseline})."
    ).format(steps=steps, losses=_(", ").join(parts), baseline=f"{tasks.get(task).baseline:.3f}")


def describe(name: str, s: Settings, first: Probes, runs: Runs | None = None) -> str:
    """Preset ``name``'s text with the numbers measured on the current settings ``s`` (which
    the user may have changed): ``first`` at initialisation, ``runs`` once trained."""
    runs = runs or {}
    out: list[str] = []
    if name == "vanishing" and "rnn_tanh" in first:
        p = first["rnn_tanh"]
        q, pred = probes.decay_rate(p.grad_h), probes.predicted_rate(p)
        out.append(
            _(
                "At initialisation the backward signal {rate} per step; the course predicts "
                "ρ × mean tanh′ = {radius} × {slope} = {pred}. Over {steps} steps only {span} of "
                "‖∂L/∂h_T‖ reaches h_1: the first inputs get almost no gradient."
            ).format(
                rate=rate_words(q),
                radius=f"{p.radius[-1]:.2f}",
                slope=f"{p.slope:.2f}",
                pred=f"{pred:.2f}",
                steps=len(p.grad_h),
                span=f"{probes.span(p.grad_h):.1e}",
            )
        )
    elif name == "exploding" and "rnn_tanh" in first:
        p = first["rnn_tanh"]
        out.append(
            _(
                "With spectral radius {radius} the signal {rate} per step: ‖∂L/∂h_1‖ is {span}× "
                "‖∂L/∂h_T‖."
            ).format(
                radius=f"{p.radius[-1]:.2f}",
                rate=rate_words(probes.decay_rate(p.grad_h)),
                span=f"{probes.span(p.grad_h):.3g}",
            )
        )
        h = runs.get("rnn_tanh")
        if h is not None and h.steps:
            raw = h.grad_norm[np.isfinite(h.grad_norm)]
            top = f"{raw.max():.3g}" if len(raw) else _("infinity")
            if h.diverged_at >= 0:
                out.append(
                    _(
                        "Training with {optimizer} diverged at step {step}: the raw gradient norm "
                        "rose to {top} before the loss became infinite."
                    ).format(optimizer=s.optimizer, step=h.diverged_at, top=top)
                )
            elif not s.clip:
                out.append(
                    _("During training the raw gradient norm reached {top}.").format(top=top)
                )
            if s.clip:
                clipped = float(np.mean(h.grad_norm > s.clip))
                out.append(
                    _(
                        "Clipping at {clip} rescaled {share} of the steps (raw norm up to "
                        "{top}): the updates stay bounded."
                    ).format(clip=f"{s.clip:g}", share=f"{100 * clipped:.0f} %", top=top)
                )
            else:
                out.append(_("Now switch on “Clip the gradient norm” in the sidebar."))
    elif name == "lstm" and {"rnn_tanh", "lstm"} <= set(first):
        rnn, lstm = probes.span(first["rnn_tanh"].grad_h), probes.span(first["lstm"].grad_h)
        out.append(
            _(
                "With forget bias {bias} the LSTM's forget gate starts at {gate} on average. "
                "‖∂L/∂h_1‖ / ‖∂L/∂h_T‖ over T = {T} steps is {lstm} for the LSTM against {rnn} "
                "for the RNN"
            ).format(
                bias=f"{s.forget_bias:g}",
                gate=f"{np.nanmean(first['lstm'].gate):.2f}",
                T=s.T,
                lstm=f"{lstm:.1e}",
                rnn=f"{rnn:.1e}",
            )
            + (
                _(": {ratio}× more signal reaches the first step.").format(
                    ratio=f"{lstm / rnn:.1e}"
                )
                if rnn > 0
                else _(".")
            )
        )
    elif name == "gru" and "gru" in first:
        g = first["gru"]
        rates = _(", ").join(
            f"{_(CELL_TITLES[c])} ×{probes.decay_rate(p.grad_h):.2f}" for c, p in first.items()
        )
        out.append(
            _(
                "The GRU's update gate keeps {gate} of the state per step on average. Per step "
                "back in time the signal changes by {rates}."
            ).format(gate=f"{np.nanmean(g.gate):.2f}", rates=rates)
        )
    elif name == "adding" and {"rnn_tanh", "lstm"} <= set(runs):
        rnn, lstm = _final(runs["rnn_tanh"]), _final(runs["lstm"])
        verdict = _("learns the sum") if lstm < 0.05 else _("has not learned the sum yet")
        out.append(
            _(
                "At T = {T} the LSTM {verdict} (MSE {lstm}) while the RNN stays at {rnn}, near "
                "the {baseline} of always answering 1."
            ).format(
                T=s.T,
                verdict=verdict,
                lstm=f"{lstm:.3f}",
                rnn=f"{rnn:.3f}",
                baseline=f"{tasks.get(s.task).baseline:.3f}",
            )
        )
    elif name == "adding" and {"rnn_tanh", "lstm"} <= set(first):
        q = {c: probes.decay_rate(first[c].grad_h) for c in ("rnn_tanh", "lstm")}
        out.append(
            _(
                "The two marked numbers can be anywhere in T = {T} steps. At initialisation the "
                "signal {rnn} per step in the RNN and {lstm} in the LSTM; training shows which of "
                "them can use it."
            ).format(T=s.T, rnn=rate_words(q["rnn_tanh"]), lstm=rate_words(q["lstm"]))
        )
    if runs and name != "adding":
        out.append(_losses(runs, s.task))
    return " ".join(part for part in out if part)
