"""The optimizers of every family on the pages: grouped pickers, labels from the engine, runs."""

from __future__ import annotations

import numpy as np

from engine import optimizers
from pages._common import optimizer_widgets as ow
from tests.helpers import assert_no_exception, figures, open_panels, page_test
from tests.helpers import figure_array as arr
from tests.pages.test_playground import paths_of, the_map
from tests.pages.test_race import _values as values
from tests.pages.test_race import by_axis
from tests.pages.test_race import run as race

NEW = ["adabound", "swats", "lookahead", "lamb", "prodigy", "rprop", "lion", "muon", "adafactor"]
NEW += ["sf_adamw"]


def test_the_pickers_list_every_optimizer_by_family_and_keep_the_names_in_the_link():
    order = ow.grouped()
    assert sorted(order) == sorted(optimizers.names())
    ranks = [optimizers.GROUPS.index(optimizers.group(n)) for n in order]
    assert ranks == sorted(ranks)
    at = page_test("playground", {"pg_opts": "muon,sgd"}).run()
    assert_no_exception(at)
    picker = at.multiselect(key="pg_opts")
    assert picker.options == [ow.option_label(n) for n in order]
    assert picker.value == ["muon", "sgd"]  # the values stay the names
    assert "muon · matrix" in picker.options and "lion · sign-based" in picker.options
    assert at.query_params["pg_opts"] == "muon,sgd"


def test_every_new_optimizer_runs_on_the_playground_with_a_finite_path():
    at = page_test("playground", {"pg_opts": ",".join(NEW), "pg_3d": "0"}).run()
    assert_no_exception(at)
    assert not at.error, [e.value for e in at.error]
    paths = paths_of(the_map(at))
    assert set(paths) == set(NEW)
    for name, trace in paths.items():
        assert np.isfinite(arr(trace["x"])).all() and np.isfinite(arr(trace["y"])).all(), name


def test_panels_say_what_muon_and_adafactor_do_on_a_surface_and_label_by_symbol():
    at = page_test("playground", {"pg_opts": "muon,adafactor,rprop,adabound"}).run()
    # Only an open panel draws its widgets and notes (a click on each opens it).
    at = open_panels(at, "muon", "adafactor", "rprop", "adabound")
    assert_no_exception(at)
    captions = [c.value for c in at.caption]
    assert optimizers.describe("muon") in captions and "2D surface" in optimizers.describe("muon")
    assert optimizers.describe("adafactor") in captions
    # Each setting is labelled with its own symbol, not β₁/β₂.
    labels = {s.key: s.label for s in [*at.slider, *at.select_slider]}
    assert labels["pg_rprop_etas1"] == "η₋ — shrink factor"
    assert labels["pg_rprop_etas2"] == "η₊ — growth factor"
    assert labels["pg_rprop_step_sizes2"] == "Δmax — largest step"
    assert labels["pg_adafactor_eps1"] == "ε₁ — floor of v"
    assert labels["pg_adabound_final_lr"] == "η_final — final SGD rate"
    scale = at.selectbox(key="pg_muon_adjust_lr_fn")
    assert scale.label == "s — step scale of an R×C matrix"
    assert "course notes" not in (scale.help or "") and "√" in scale.help


def test_muon_and_adamw_race_on_the_same_network_and_seed():
    at = race({"rc_steps": "20", "rc_opts": "adamw,muon", "rc_seed": "3"})
    curves_fig = figures(at)[0]
    panels = by_axis(curves_fig)
    for traces in panels.values():
        assert [t["name"] for t in traces] == ["adamw", "muon"]
        assert all(np.isfinite(values(t)).all() for t in traces)
    # Same weights and the same first batch: the curves start at the same loss.
    first = [values(t)[0] for t in panels["y"]]
    assert first[0] == first[1]


def test_every_new_optimizer_races_with_finite_curves():
    at = race({"rc_steps": "10", "rc_opts": ",".join(NEW), "rc_depth": "1", "rc_width": "8"})
    for traces in by_axis(figures(at)[0]).values():
        assert [t["name"] for t in traces] == [n for n in optimizers.names() if n in NEW]
        assert all(np.isfinite(values(t)).all() for t in traces)


def test_the_race_starts_new_optimizers_at_their_network_rate_not_the_surface_one():
    at = page_test("race", {"rc_opts": "muon,lion,adam"}).run()
    assert_no_exception(at)
    for name in ("muon", "lion", "adam"):
        rates = optimizers.traits(name).lr
        assert rates["network"] != rates["surface"]
        assert at.select_slider(key=f"rc_{name}_lr").value == rates["network"]
