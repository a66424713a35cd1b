"""viz.spec_figure: its encoder writes what plotly's own does; its subplot grid is make_subplots'."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from _plotly_utils.utils import convert_to_base64
from plotly.subplots import make_subplots

from viz import spec_figure as sf


def _node() -> dict:
    rng = np.random.default_rng(0)
    return {
        "data": [
            {"x": rng.normal(size=7), "y": rng.normal(size=7).astype(np.float32),
             "z": rng.normal(size=(3, 4)), "customdata": np.arange(5),
             "marker": {"size": np.array([1, 300, 70000]), "color": np.array([2**40, 1])},
             "ids": np.array([-3, 4], dtype=np.int16), "u": np.array([3, 9], dtype=np.uint64),
             "empty": np.zeros(0), "strings": np.array(["a", "b"]), "t": np.arange(8)[::2],
             "text": ["plain", "list"], "range": np.array([0.0, 1.0])},
            (np.ones(2), {"inner": np.ones(3, dtype=np.float32)}),
        ],
        "layout": {"xaxis": {"range": np.array([0, 1]), "tickvals": np.array([0.5, 1.5])}},
    }  # fmt: skip


def test_encode_writes_what_plotly_writes():
    ours, theirs = _node(), _node()
    sf.encode(ours)
    convert_to_base64(theirs)

    def same(a, b):
        if isinstance(b, np.ndarray):
            assert isinstance(a, np.ndarray) and a.dtype == b.dtype
            np.testing.assert_array_equal(a, b)
        elif isinstance(b, dict):
            assert sorted(a) == sorted(b)
            for k in b:
                same(a[k], b[k])
        elif isinstance(b, list | tuple):
            assert type(a) is type(b) and len(a) == len(b)
            for x, y in zip(a, b, strict=True):
                same(x, y)
        else:
            assert a == b

    same(ours, theirs)
    assert ours["data"][0]["marker"]["size"]["dtype"] == "i4"  # 70000 needs 32 bits


@pytest.mark.parametrize(
    "rows, cols, v, h", [(1, 1, None, None), (3, 1, 0.06, None), (4, 2, 0.145, None),
                         (1, 2, None, 0.1), (1, 3, None, 0.08), (2, 3, 0.1, None)]
)  # fmt: skip
def test_subplot_grid_is_make_subplots_layout(rows, cols, v, h):
    kw = {k: s for k, s in (("vertical_spacing", v), ("horizontal_spacing", h)) if s is not None}
    titles = [f"t{i}" for i in range(rows * cols)]
    ref = make_subplots(rows, cols, subplot_titles=titles, **kw).to_dict()["layout"]
    cells = sf.subplot_grid(rows, cols, v, h)
    axes = sf.subplot_axes(cells)
    assert sorted(axes) == sorted(k for k in ref if k.startswith(("xaxis", "yaxis")))
    for key, axis in axes.items():
        assert axis["anchor"] == ref[key]["anchor"]
        np.testing.assert_allclose(axis["domain"], ref[key]["domain"], rtol=1e-12, atol=1e-15)
    ours = [sf.subplot_title(c, t) for c, t in zip(cells, titles, strict=True)]
    for a, b in zip(ours, copy.deepcopy(ref["annotations"]), strict=True):
        assert a.pop("x") == pytest.approx(b.pop("x")) and a.pop("y") == pytest.approx(b.pop("y"))
        assert a == b


def test_spec_figure_defers_graph_object_setup_until_read(monkeypatch):
    """Building a SpecFigure skips go.Figure's set-up (a validated template per figure, the cost
    of a slider's rerun); streamlit and plotly.io read it through to_dict, and a graph-object
    attribute read still works: the set-up runs then, once."""
    import plotly.graph_objects as go
    import plotly.io as pio

    sf.template()  # the template's JSON is made once per process, by a go.Figure
    calls = []
    real = go.Figure.__init__
    monkeypatch.setattr(go.Figure, "__init__", lambda self, *a, **k: calls.append(1) or real(self))
    fig = sf.figure([{"type": "scatter", "y": np.array([1.0, 2.0])}], {"title": {"text": "t"}})
    fig.set_frames([{"data": [{"type": "scatter", "x": [1.0], "y": [2.0]}]}], arrays=False)
    text = pio.to_json(fig)
    assert '"title":{"text":"t"}' in text.replace(" ", "") and '"frames"' in text
    assert calls == []
    assert len(fig.data) == 0 and fig.layout.template is not None  # the views, set up on read
    assert len(calls) == 1
    assert fig.to_dict()["layout"]["title"] == {"text": "t"}
    with pytest.raises(AttributeError):
        fig.no_such_attribute  # noqa: B018
    assert len(calls) == 1
