"""From the engine's records to what viz draws: per-layer profiles, training curves, heatmaps.

viz takes plain data (its own small records); this is the one place that reads the fields of
``engine.nets.probes.LayerReport`` and ``engine.nets.history.History`` for the figures.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import plotly.graph_objects as go

from engine.core.i18n import N_, _
from engine.nets import probes
from engine.nets.history import History
from viz import network_plots, training_plots
from viz.colors import series_color
from viz.network_plots import LayerHistogram, LayerProfile
from viz.spec_figure import SpecFigure
from viz.training_plots import Quantity, TrainingCurves

LABELS = ("A", "B")

#: The per-layer quantities a heatmap can show, by their name in the engine's records (and in
#: the URL's ``gf_heatmap``).
HEATMAPS: dict[str, Quantity] = {
    "grad_norms": Quantity(N_("gradient norm ‖∂L/∂W_l‖"), True),
    "signal_norms": Quantity(N_("back-propagated signal ‖∂ℓ/∂h_l‖"), True),
    "act_std": Quantity(N_("activation std"), True),
    "act_mean": Quantity(N_("activation mean"), False),
    "saturated": Quantity(N_("saturated share (%)"), False, 100.0, " %"),
    "dead": Quantity(N_("dead units (%)"), False, 100.0, " %"),
}


def color(label: str) -> str:
    """Configuration A's or B's colour."""
    return series_color(LABELS.index(label))


def profile(name: str, label: str, report: probes.LayerReport) -> LayerProfile:
    """A report's per-layer numbers, named ``name`` in the legend, in configuration ``label``'s
    colour."""
    return LayerProfile(
        name,
        color(label),
        report.grad_norms,
        report.signal_norms,
        report.act_mean,
        report.act_std,
        report.saturated,
        report.dead,
        report.unit_similarity,
    )


def histograms(report: probes.LayerReport) -> list[LayerHistogram]:
    return [LayerHistogram(h.counts, h.edges) for h in report.histograms]


def curves(name: str, label: str, history: History) -> TrainingCurves:
    """A run's loss and accuracy curves, named ``name``, in configuration ``label``'s colour."""
    h = history
    return TrainingCurves(name, color(label), h.train_loss, h.train_acc, h.test_loss, h.test_acc)


def quantity(history: History, name: str) -> np.ndarray:
    """The ``(P, depth)`` records of quantity ``name`` (a key of :data:`HEATMAPS`)."""
    return getattr(history, name)


def heatmap(
    label: str, history: History, name: str, zrange: tuple[float, float] | None = None
) -> go.Figure:
    """Configuration ``label``'s layer x step heatmap of quantity ``name``."""
    q = dataclasses.replace(HEATMAPS[name], title=_(HEATMAPS[name].title))
    title = f"{label}: {q.title}"
    return training_plots.layer_heatmap(
        history.probe_steps, quantity(history, name), q, title, zrange
    )


def violins(label: str, report: probes.LayerReport, y_range: tuple[float, float]) -> SpecFigure:
    """Configuration ``label``'s activations per layer at initialisation."""
    return network_plots.activation_violins(
        histograms(report), color(label), _("{label}: activations per layer").format(label=label), y_range,
        report.act_mean,
    )  # fmt: skip
