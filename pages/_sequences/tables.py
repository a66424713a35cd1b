"""The page's CSV: every probe through time, at initialisation and during training, long format."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping

from engine.core.i18n import N_, _
from engine.sequences import probes, training

COLUMNS = (N_("cell"), N_("phase"), N_("training_step"), N_("quantity"), "t", N_("value"))


def _fmt(v: float) -> str:
    return f"{v:.6g}" if math.isfinite(v) else ""


def records_csv(
    first: Mapping[str, probes.Probe], runs: Mapping[str, training.SeqHistory] | None
) -> str:
    """One row per (cell, phase, step, quantity, t): the probes through time (t = 1..T), the
    spectral radius per layer (t = layer), and the training loss and raw gradient norm per
    training step (t empty)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([_(c) for c in COLUMNS])  # the header in the session's language

    def probe_rows(cell: str, phase: str, step: object, p: probes.Probe) -> None:
        for q in probes.FIELDS:
            if q == "gate" and not any(map(math.isfinite, p.gate)):
                continue  # a plain RNN has no gate
            for t, v in enumerate(getattr(p, q), start=1):
                w.writerow([cell, phase, step, q, t, _fmt(v)])
        for layer, v in enumerate(p.radius, start=1):
            w.writerow([cell, phase, step, "radius", layer, _fmt(v)])

    for cell, p in first.items():
        probe_rows(cell, "init", "", p)
    for cell, h in (runs or {}).items():
        for row, step in enumerate(h.probe_steps):
            probe_rows(cell, "train", int(step), h.probe(row))
        for step, (loss, norm) in enumerate(zip(h.loss, h.grad_norm, strict=True)):
            w.writerow([cell, "train", step, "loss", "", _fmt(loss)])
            w.writerow([cell, "train", step, "grad_norm", "", _fmt(norm)])
    return out.getvalue()
