"""The Loss landscape page's views: the planes side by side on the same scales, the lines through
weight space, the sharpness numbers, and the downloads (the grids as CSV, the figures as HTML)."""

from __future__ import annotations

import csv
import io

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from engine.core.i18n import N_, _
from engine.nets import landscape_study as study
from pages._common import present
from pages._common.downloads import made_later
from pages._common.keys import landscape as K
from pages._landscape.compute import Result
from pages._landscape.settings import Request, describe
from viz import landscape_plots as plots
from viz.colors import series_color

LABELS = ("A", "B")


def _short(label: str, run: study.Run) -> str:
    s = run.spec
    parts = [
        _("{depth} layers").format(depth=s.depth),
        _("skips") if s.residual else _("no skips"),
        s.optimizer,
        _("batch {size}").format(size=s.batch_size) if s.batch_size else _("full batch"),
    ]
    return f"{label}: " + _(", ").join(parts)


def _axes(s: study.Study) -> tuple[str, str]:
    if s.explained is None:
        return (_("α (direction d₁)"), _("β (direction d₂)"))
    return tuple(
        _("PCA direction {i} ({share} of the path)").format(i=i + 1, share=f"{s.explained[i]:.0%}")
        for i in (0, 1)
    )


def _number(value: float) -> str:
    return f"{value:.3g}" if np.isfinite(value) else "—"


def _metrics(col, s: study.Study, req: Request) -> None:
    a, b, c = col.columns(3)
    a.metric(_("Hessian λₘₐₓ"), _number(s.eigen.value),
             help=_("The top eigenvalue of ∇²L(θ*) on the training set, by power iteration"))  # fmt: skip
    b.metric(_("rise, r={r}‖θ*‖").format(r=f"{req.view.radius:g}"), _number(s.rise.max),
             help=_("The largest loss increase found within the ball of that radius (random points, then "
                  "gradient ascent): a lower bound on the true maximum"))  # fmt: skip
    c.metric(_("roughness"), _number(s.roughness),
             help=_("Share of neighbouring second differences along the grid lines that flip "
                  "sign: 0 for a smooth bowl, up to 1 for a chaotic surface"))  # fmt: skip
    centre = s.rise.center
    col.caption(
        _(
            "Loss at θ*: {centre} (training set); mean rise over random points on the ball's "
            "sphere: {rise}."
        ).format(centre=f"{centre:.4g}", rise=f"{s.rise.mean:.3g}")
    )


def show(req: Request, result: Result) -> dict[str, go.Figure]:
    """Draw every view of ``result``; return the figures, by name, for the HTML download."""
    runs, studies = result.runs, result.studies
    labels = LABELS[: len(runs)]
    figures: dict[str, go.Figure] = {}
    for label, run in zip(labels, runs, strict=True):
        if run.diverged_at >= 0:
            st.warning(
                _(
                    "{label} diverged at step {step}: its landscape is drawn around its last "
                    "finite weights. Try a smaller learning rate."
                ).format(label=label, step=run.diverged_at)
            )
    if runs[0].raced:
        st.caption(_("A and B differ only in their optimizer, so they were trained as a race: "
                   "the same initial weights and the same minibatches."))  # fmt: skip
    zrange = plots.shared_range([s.grid.loss for s in studies])
    st.subheader(_("The landscape around the trained weights"))
    if req.view.plane == "random":
        st.caption(
            _(
                "The loss on θ* + α·d₁ + β·d₂, with d₁ and d₂ random directions normalised "
                "{norm}-wise (biases and batch-norm parameters left out). Random directions miss "
                "the training path, so it is drawn on the PCA plane only."
            ).format(
                norm={"filter": _("filter"), "layer": _("layer"), "none": _("none")}.get(
                    req.view.norm, req.view.norm
                )
            )
        )
    else:
        st.caption(_("The loss on the plane of the first two principal directions of the training "
                   "path (weights minus the final weights); the path is drawn on it, from its "
                   "start (circle) to the trained weights (star)."))  # fmt: skip
    for kind in ("contour", "surface") if st.session_state.get(K.SHOW_3D.key) else ("contour",):
        cols = st.columns(len(runs))
        for i, (col, label, run, s) in enumerate(zip(cols, labels, runs, studies, strict=True)):
            draw = plots.contour if kind == "contour" else plots.surface
            extra = {"path_loss": s.path_loss} if kind == "surface" else {}
            fig = draw(
                s.grid.alphas, s.grid.betas, s.grid.loss, zrange=zrange,
                title=_short(label, run), path=s.coords, path_color=series_color(i),
                axis_titles=_axes(s), **extra,
            )  # fmt: skip
            present.chart(col, fig, key=f"ls_{kind}_{label}", width="stretch")
            figures[f"{label} {kind}"] = fig
            if kind == "contour":
                _metrics(col, s, req)
                col.caption(describe(run.spec))
    st.subheader(_("Along a line through weight space"))
    curves = [
        (label, series_color(i), s.line_train.loss, s.line_test.loss)
        for i, (label, s) in enumerate(zip(labels, studies, strict=True))
    ]
    ts = studies[0].line_train.ts
    fig = plots.interpolation(ts, curves, title=_("From the initial weights θ₀ to the trained θ*"))
    present.chart(st, fig, key="ls_line", width="stretch")
    figures["init to final"] = fig
    if result.between is not None:
        train, test = result.between
        fig = plots.interpolation(
            ts, [("A → B", series_color(2), train.loss, test.loss)],
            title=_("From A's solution to B's"), x_title="t: (1 − t)·θ*_A + t·θ*_B",
            ends=("θ*_A", "θ*_B"),
        )  # fmt: skip
        present.chart(st, fig, key="ls_between", width="stretch")
        figures["A to B"] = fig
    st.caption(_("Solid: training set; dashed: test set. Goodfellow et al. (2015): the straight "
               "line from the start to the solution is usually downhill all the way."))  # fmt: skip
    st.caption(
        _("Computed in {seconds} s (kept for everyone with these settings).").format(
            seconds=f"{result.seconds:.1f}"
        )
    )
    return figures


def grid_csv(result: Result) -> str:
    """Every grid point of every network: network, alpha, beta, loss, accuracy."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_(c) for c in (N_("network"), N_("plane"), "alpha", "beta", N_("loss"), N_("accuracy"))]
    )
    for label, s in zip(LABELS, result.studies, strict=False):
        g = s.grid
        for j, beta in enumerate(g.betas):
            for i, alpha in enumerate(g.alphas):
                writer.writerow([label, s.plane, f"{alpha:.6g}", f"{beta:.6g}",
                                 f"{g.loss[j, i]:.6g}", f"{g.acc[j, i]:.6g}"])  # fmt: skip
    return out.getvalue()


def figures_html(figures: dict[str, go.Figure]) -> str:
    """One standalone HTML page holding every figure (plotly.js embedded once: works offline)."""
    parts = [
        f"<h2>{name}</h2>" + fig.to_html(full_html=False, include_plotlyjs=(i == 0))
        for i, (name, fig) in enumerate(figures.items())
    ]
    body = "\n".join(parts)
    return f"<html><head><meta charset='utf-8'><title>Loss landscape</title></head><body>{body}</body></html>"


def downloads(result: Result, figures: dict[str, go.Figure]) -> None:
    left, right = st.columns(2)
    left.download_button(
        _("Download the grids (CSV)"), made_later(grid_csv, result), file_name="landscape_grid.csv",
        mime="text/csv", icon=":material/download:", key="ls_csv", on_click="ignore",
    )  # fmt: skip
    right.download_button(
        _("Download the figures (HTML)"), made_later(figures_html, figures),
        file_name="landscape.html", mime="text/html", icon=":material/download:",
        key="ls_html", on_click="ignore",
    )  # fmt: skip
