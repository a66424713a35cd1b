"""Figure builders of the playground: finite data, the right traces, frames that move only markers.

The builders write plain dict specs (viz/spec_figure.py); :func:`validated` reads one back as
plotly graph objects, so every test here also checks that the spec is a valid Plotly figure.
"""

from __future__ import annotations

import itertools
import json

import numpy as np
import plotly.io as pio

from engine import optimizers, surfaces
from engine.surfaces import analysis, trajectories
from tests.helpers import validated
from viz import basin_plots, surface_3d
from viz import playground_plots as pp
from viz import surface_plots as sp
from viz.colors import optimizer_color

NAMES = ["sgd", "adam"]


def _run(surface="rosenbrock", lrs=(0.01, 0.1)):
    s = surfaces.get(surface)
    opts = [optimizers.create(n, lr=lr) for n, lr in zip(NAMES, lrs, strict=True)]
    return s, trajectories.run(s, opts, [s.start], 80)


def _finite_json(fig) -> dict:
    """The figure's JSON, asserting no NaN/Infinity anywhere in it (plain or typed arrays)."""
    text = pio.to_json(fig, engine="json")
    assert "NaN" not in text and "Infinity" not in text
    traces = list(fig.data) + [t for frame in fig.frames for t in frame.data]
    for trace in traces:
        for axis in ("x", "y", "z", "customdata"):
            values = getattr(trace, axis, None)
            if values is not None:
                values = np.asarray(values, dtype=np.float64)
                assert np.isfinite(values).all(), (trace.name, axis)
    return json.loads(text)


def test_contour_map_paths_and_playback():
    s, run = _run()  # sgd at lr 0.01 diverges on Rosenbrock from its start
    assert run.diverged_at[0, 0] > 0
    xs, ys, Z = surfaces.grid(s, 50)
    fig = sp.contour_map(xs, ys, Z, log_scale=True, minima=s.minima, start=s.start)
    sp.add_paths(fig, NAMES, run.labels, run.paths[:, 0], run.losses[:, 0], run.diverged_at[:, 0])
    frames = analysis.frame_steps(80, 30)
    sp.add_playback(fig, NAMES, run.labels, run.paths[:, 0], run.diverged_at[:, 0], frames)
    fig = validated(fig)
    _finite_json(fig)
    names = [t.name for t in fig.data]
    assert names[:4] == ["surface", sp.CLICK_NAME, "known minimum", "start"]
    sgd = fig.data[names.index("sgd")]
    d = int(run.diverged_at[0, 0])
    assert len(sgd.x) == d  # cut before the step it diverged at
    assert sgd.line.color == optimizer_color("sgd")
    cross = [t for t in fig.data if t.name.startswith("sgd: diverged at step")]
    assert cross and cross[0].text[0] == f"diverged at step {d}"
    click = fig.data[1]
    assert click.marker.opacity == 0 and click.hoverinfo == "none"
    # Frames carry only the moving marker traces, one point each.
    moving = [i for i, t in enumerate(fig.data) if t.name.endswith("(now)")]
    assert len(fig.frames) == len(frames) <= 30
    for frame in fig.frames:
        assert list(frame.traces) == moving
        assert all(len(t.x) == 1 for t in frame.data)
    adam_last = fig.frames[-1].data[1]
    assert adam_last.x[0] == run.paths[1, 0, -1, 0]
    sgd_last = fig.frames[-1].data[0]  # a diverged marker stops at its last drawn point
    assert sgd_last.x[0] == run.paths[0, 0, d - 1, 0]
    # Log colours: log10(1 + f - min f), so the minimum colour is 0.
    assert float(np.min(fig.data[0].z)) == 0.0


def test_surface_3d_keeps_paths_on_the_surface_and_in_range():
    s, run = _run()
    xs, ys, Z = surfaces.grid(s, 30)
    fig = surface_3d.surface_3d(
        xs, ys, Z, log_scale=s.log_scale, names=NAMES, labels=run.labels,
        paths=run.paths[:, 0], losses=run.losses[:, 0], diverged_at=run.diverged_at[:, 0],
    )  # fmt: skip
    fig = validated(fig)
    _finite_json(fig)
    adam = fig.data[2]
    n = len(adam.x)
    expected = np.log10(1 + run.losses[1, 0, :n] - Z.min())
    assert np.allclose(adam.z, expected + 0.01 * (fig.data[0].z.max() - fig.data[0].z.min()), 1e-4)
    sgd = fig.data[1]
    (x0, x1), (y0, y1) = s.bounds
    assert np.all(np.abs(np.asarray(sgd.x)) <= x1 + (x1 - x0))  # a flying path is cut


def test_line_figures_are_finite_and_log_where_said():
    s, run = _run()
    gap, title, log = analysis.loss_gap(run.losses[:, 0], s.min_value)
    fig = pp.per_step_figure(
        NAMES, run.labels, gap, run.diverged_at[:, 0], y_title=title, log_y=log, title="t"
    )
    fig = validated(fig)
    _finite_json(fig)
    assert fig.layout.yaxis.type == "log"
    assert [t.name for t in fig.data if t.mode == "lines"] == run.labels
    adam = [t for t in fig.data if t.name == "adam"][0]
    assert np.allclose(adam.y, run.losses[1, 0] + 1e-12)


def test_internals_figure_rows_and_reference_line():
    s = surfaces.get("beale")
    run = trajectories.run(s, [optimizers.create("adagrad", lr=1.0)], [s.start], 50)
    series = analysis.internals(run.states[0], run.effective_lr()[0, 0], run.paths[0, 0])
    titles = {k: k for k in series}
    fig = validated(pp.internals_figure("adagrad", "adagrad", series, titles, 1.0, -1))
    _finite_json(fig)
    lines = fig.data
    assert len(lines) == 2 * len(series)
    assert [t.name for t in lines if t.showlegend] == ["x coordinate", "y coordinate"]
    assert [a.text for a in fig.layout.annotations] == ["<b>adagrad</b>: internals", *series]
    assert any(getattr(shape, "y0", None) == 1.0 for shape in fig.layout.shapes)
    # Row by row, each series on its own axes, its rows stacked top to bottom.
    tops = [fig.layout[f"yaxis{i + 1 if i else ''}"].domain[1] for i in range(len(series))]
    assert tops == sorted(tops, reverse=True)
    assert fig.layout.yaxis2.type == ("log" if list(series)[1].startswith("log:") else None)


def test_internals_grid_lays_out_every_panel_without_overlap():
    s = surfaces.get("beale")
    names = ["sgd", "momentum", "adam"]
    opts = [optimizers.create(n, lr=0.01) for n in names]
    run = trajectories.run(s, opts, [s.start], 40)
    panels = []
    for k, name in enumerate(names):
        series = analysis.internals(run.states[k], run.effective_lr()[k, 0], run.paths[k, 0])
        panels.append(pp.Internals(name, name, series, {k: k for k in series}, 0.01, -1))
    fig = validated(pp.internals_grid(panels))
    _finite_json(fig)
    rows = sum(len(p.series) for p in panels)
    assert len([t for t in fig.data if len(t.x)]) == 2 * rows
    # Every row's y range is inside the figure and no two rows of a column overlap.
    by_column: dict[tuple, list] = {}
    for i in range(rows):
        suffix = str(i + 1) if i else ""
        x, y = fig.layout[f"xaxis{suffix}"].domain, fig.layout[f"yaxis{suffix}"].domain
        assert 0 <= y[0] < y[1] <= 1 and 0 <= x[0] < x[1] <= 1
        by_column.setdefault(tuple(x), []).append(tuple(y))
    assert len(by_column) == 2
    for spans in by_column.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans))


def test_sweep_and_basin_figures():
    lrs = np.array([0.01, 0.1, 1.0, 10.0])
    scores = np.array([[1.0, 0.1, 0.01, np.inf], [0.5, 0.2, np.inf, np.inf]])
    best = [analysis.best_index(r) for r in scores]
    fig = pp.sweep_figure(["sgd", "adam"], lrs, scores, best, y_title="loss")
    _finite_json(fig)
    sgd = [t for t in fig.data if t.name == "sgd"][0]
    assert list(sgd.x) == [0.01, 0.1, 1.0]  # the diverged lr is left out, not NaN
    star = [t for t in fig.data if t.name == "sgd best lr"][0]
    assert star.x[0] == 1.0 and star.marker.symbol == "star"

    h = surfaces.get("himmelblau")
    starts = analysis.start_grid(h.bounds, 4)
    basin = np.tile(np.array([0, 1, 2, 3, -1, 0, 1, 2, 3, -1, 0, 1, 2, 3, 0, 0]), (2, 1))
    fig = basin_plots.basin_maps(["sgd", "adam"], starts, basin, h.minima, [0.9, 0.5], 4)
    _finite_json(fig)
    heat = [t for t in fig.data if t.type == "heatmap"]
    assert len(heat) == 2 and np.asarray(heat[0].z).shape == (4, 4)
    assert "90% converged" in fig.layout.annotations[0].text


def test_html_symbol():
    assert pp.html_symbol("v_t") == "v<sub>t</sub>"
    assert pp.html_symbol(r"v^{\max}_t") == "v<sup>max</sup><sub>t</sub>"
    assert pp.html_symbol(r"\bar g_t") == "ḡ<sub>t</sub>"


def test_a_path_that_left_the_formulas_domain_is_marked_as_such():
    s, run = _run()
    xs, ys, Z = surfaces.grid(s, 20)
    fig = sp.contour_map(xs, ys, Z, log_scale=True, minima=s.minima, start=s.start)
    div = run.diverged_at[:, 0]
    sp.add_paths(fig, NAMES, run.labels, run.paths[:, 0], run.losses[:, 0], div, [True, False])
    fig = validated(fig)
    cross = [t for t in fig.data if t.name.startswith("sgd: ")]
    assert cross[0].text[0] == f"f undefined at step {int(div[0])}"
    line = pp.per_step_figure(
        NAMES, run.labels, run.losses[:, 0], div, y_title="loss", log_y=True, title="t",
        undefined=[True, False],
    )  # fmt: skip
    line = validated(line)
    assert [t.text[0] for t in line.data if t.mode == "markers+text"] == [cross[0].text[0]]
