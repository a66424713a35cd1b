"""The Gradient flow page's CSV: per-layer records at initialisation and at every probed step."""

from __future__ import annotations

import csv
import io

from engine.nets import probes
from pages._gradient_flow.runs import Trained

COLUMNS = ("config", "phase", "step", "layer", *probes.QUANTITIES, "unit_similarity")


def records_csv(reports: dict[str, probes.LayerReport], runs: dict[str, Trained]) -> str:
    """Per-layer records: each configuration at initialisation, then at every probed step."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for label, r in reports.items():
        for layer in range(len(r.grad_norms)):
            values = [getattr(r, q)[layer] for q in (*probes.QUANTITIES, "unit_similarity")]
            writer.writerow([label, "init", "", layer + 1, *(f"{v:.6g}" for v in values)])
    for label, run in runs.items():
        h = run.history
        for row, step in enumerate(h.probe_steps):
            for layer in range(h.grad_norms.shape[1]):
                values = [getattr(h, q)[row, layer] for q in probes.QUANTITIES]
                writer.writerow(
                    [label, "train", int(step), layer + 1, *(f"{v:.6g}" for v in values), ""]
                )
    return out.getvalue()
