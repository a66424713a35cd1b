"""The Gradient flow page's CSV: per-layer records at initialisation and at every probed step."""

from __future__ import annotations

import csv
import io

from engine.core.i18n import N_, _
from engine.nets import probes
from pages._gradient_flow.runs import Trained

COLUMNS = ("config", "phase", "step", "layer", *probes.QUANTITIES, "unit_similarity")
# The header in the session's language (the English one is the column keys themselves).
HEADERS = {
    "config": N_("config"),
    "phase": N_("phase"),
    "step": N_("step"),
    "layer": N_("layer"),
    "grad_norms": N_("grad_norms"),
    "signal_norms": N_("signal_norms"),
    "act_mean": N_("act_mean"),
    "act_std": N_("act_std"),
    "saturated": N_("saturated"),
    "dead": N_("dead"),
    "unit_similarity": N_("unit_similarity"),
}


def records_csv(reports: dict[str, probes.LayerReport], runs: dict[str, Trained]) -> str:
    """Per-layer records: each configuration at initialisation, then at every probed step."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_(HEADERS[c]) if c in HEADERS else c for c in COLUMNS])
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
