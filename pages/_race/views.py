"""Views of the Optimizer race page: a finished (or stopped) race or sweep, drawn from its result.

engine.nets.sweeps (summaries, grids, CSV) -> viz.race_plots -> the page. Every table cell is
words or a formatted number: a step that never happened reads "not reached", never "None".
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import streamlit as st

from engine.nets import datasets, race_summary
from engine.optimizers import grids
from pages._common import present, state
from pages._common.keys import race as keys
from viz.colors import optimizer_color
from viz.race_plots import boundaries_figure, curves_figure, grad_norms_figure, sweep_figure

PANELS = {
    "training loss": "train_loss",
    "test loss": "test_loss",
    "training accuracy": "train_acc",
    "test accuracy": "test_acc",
}
NOT_REACHED = "not reached"
MISSING = "—"


def _colors(names: list[str]) -> list[str]:
    return [optimizer_color(n) for n in names]


def curves(res):
    """Loss and accuracy, training and test, one curve per optimizer (live and final)."""
    panels = {t: [res.curve(f, k) for k in range(len(res.labels))] for t, f in PANELS.items()}
    return curves_figure(
        res.labels, _colors(res.names), panels, res.diverged_at,
        log_y=("training loss", "test loss"), percent=("training accuracy", "test accuracy"),
    )  # fmt: skip


def _number(value: Any, fmt: str, none: str = MISSING) -> str:
    if value is None or not math.isfinite(value):
        return none
    return format(value, fmt)


def table_rows(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """engine.nets.race_summary.summary's rows as display text, one formatted string per cell."""
    return [
        {
            "optimizer": row["optimizer"],
            "final accuracy": _number(row["final accuracy"], ".1%"),
            "best accuracy": _number(row["best accuracy"], ".1%"),
            "final train loss": _number(row["final train loss"], ".4g"),
            "steps to target": _number(row["steps to target"], "d", NOT_REACHED),
            "seconds to target": (
                NOT_REACHED
                if row["seconds to target"] is None
                else _number(row["seconds to target"], ".2f") + " s"
            ),
            "diverged at": "no" if row["diverged at"] is None else f"step {row['diverged at']}",
        }
        for row in rows
    ]


def show_race(s, res, split: datasets.Split) -> None:
    colors = _colors(res.names)
    K = len(res.labels)
    present.chart(st, curves(res), key="rc_curves", width="stretch")
    target = st.select_slider(
        "Target training loss", grids.log_ladder(1e-4, 10.0, state.value(keys.TARGET)),
        key=keys.TARGET.key,
        format_func="{:.3g}".format, help="The summary counts the steps each optimizer needs.",
    )  # fmt: skip
    st.dataframe(table_rows(race_summary.summary(res, target)), hide_index=True, width="stretch")
    for k in np.flatnonzero(res.diverged_at >= 0):
        st.warning(f"**{res.labels[k]}** diverged at step {res.diverged_at[k]}: it is frozen "
                   "there while the others go on. Try a smaller learning rate.")  # fmt: skip
    st.subheader("Gradient norm per layer")
    st.caption("‖∂L/∂W‖ of each hidden layer's weights, input layer first: where gradients "
               "vanish or explode, and how each optimizer changes them.")  # fmt: skip
    grads = [res.curve("grad_norms", k) for k in range(K)]
    present.chart(st, grad_norms_figure(res.labels, colors, grads, res.diverged_at),
                    key="rc_grads", width="stretch")  # fmt: skip
    if s.config.in_dim == 2:
        st.subheader("Decision boundaries")
        bounds = race_summary.data_bounds(split.X_train)
        xs, ys, probs = race_summary.decision_grids(res, bounds, n=60)
        X, y = split.X_train.cpu().numpy(), split.y_train.cpu().numpy()
        present.chart(st, boundaries_figure(res.labels, colors, xs, ys, probs, X, y),
                        key="rc_bounds", width="stretch")  # fmt: skip
    st.download_button(
        "Download the curves (CSV)", race_summary.curves_csv(res), "race.csv", "text/csv",
        icon=":material/download:", key="rc_csv",
    )  # fmt: skip


def show_sweep(sw) -> None:
    colors = _colors(sw.names)
    present.chart(st, sweep_figure(sw.names, colors, sw.lrs, sw.final_loss, sw.diverged_at),
                    key="rc_sweep", width="stretch")  # fmt: skip
    st.caption("Final loss of each network on the whole training set, after the race, against "
               "its learning rate. Crosses along the top: the learning rate diverged.")  # fmt: skip
    if sw.final_test_loss.shape[1]:
        test = sweep_figure(sw.names, colors, sw.lrs, sw.final_test_loss, sw.diverged_at,
                            title="final test loss")  # fmt: skip
        present.chart(st, test, key="rc_sweep_test", width="stretch")
    st.download_button(
        "Download the sweep's curves (CSV)", race_summary.curves_csv(sw.result), "sweep.csv",
        "text/csv", icon=":material/download:", key="rc_csv",
    )  # fmt: skip
