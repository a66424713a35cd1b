"""What a playground gesture recomputes: a changed learning rate reruns its own optimizer only
(each optimizer's run is cached alone), and the joined result is what one batched run gives."""

from __future__ import annotations

import numpy as np
import pytest
import streamlit as st

from engine import optimizers, surfaces
from engine.surfaces import default_lrs, trajectories
from tests.helpers import assert_no_exception, figures, open_panels, page_test
from tests.helpers import figure_array as arr

DEFAULT = ["sgd", "momentum", "adagrad", "rmsprop", "adam"]


@pytest.fixture
def engine_calls(monkeypatch):
    """Every trajectories.run call the page makes: the names and learning rates it runs."""
    calls: list[list[tuple[str, float]]] = []
    original = trajectories.run

    def spy(surface, opts, *args, **kwargs):
        calls.append([(o.name, float(o.hyper["lr"])) for o in opts])
        return original(surface, opts, *args, **kwargs)

    monkeypatch.setattr(trajectories, "run", spy)
    st.cache_data.clear()  # nothing from an earlier test's runs
    return calls


def drawn_paths(at) -> dict[str, np.ndarray]:
    fig = figures(at)[0]
    return {
        t["name"]: np.stack([arr(t["x"]), arr(t["y"])], axis=1)
        for t in fig["data"]
        if t.get("mode") == "lines+markers"
    }


def batched_paths(lrs: dict[str, float], **kwargs) -> dict[str, np.ndarray]:
    s = surfaces.get("beale")
    run = trajectories.run(
        s, [optimizers.create(n, lr=lrs[n]) for n in DEFAULT], [s.start], 300, **kwargs
    )
    return {n: run.paths[k, 0].astype(np.float32) for k, n in enumerate(DEFAULT)}


def test_a_changed_learning_rate_reruns_that_optimizer_only(engine_calls):
    at = open_panels(page_test("playground").run(), "adam")
    assert sorted(c[0][0] for c in engine_calls) == sorted(DEFAULT)  # one run each
    assert all(len(c) == 1 for c in engine_calls)
    engine_calls.clear()
    slider = at.select_slider(key="pg_adam_lr")
    new = next(v for v in slider.options if float(v) != slider.value and float(v) < 0.5)
    slider.set_value(float(new)).run()
    assert_no_exception(at)
    assert engine_calls == [[("adam", pytest.approx(float(new)))]]
    # What is drawn is what one batched run of the five gives, exactly (float32 on the page).
    lrs = default_lrs.default_lrs(surfaces.get("beale")) | {"adam": float(new)}
    want = batched_paths(lrs)
    got = drawn_paths(at)
    assert list(got) == DEFAULT
    for name in DEFAULT:
        np.testing.assert_array_equal(got[name], want[name])


def test_with_noise_the_optimizers_run_as_one_batch(engine_calls):
    at = page_test("playground", {"pg_noise": "0.5", "pg_seed": "3"}).run()
    assert_no_exception(at)
    assert [len(c) for c in engine_calls] == [len(DEFAULT)]  # the noise draws span the batch
    lrs = default_lrs.default_lrs(surfaces.get("beale"))
    want = batched_paths(lrs, noise=0.5, seed=3)
    got = drawn_paths(at)
    for name in DEFAULT:
        np.testing.assert_array_equal(got[name], want[name])


def test_the_settings_cache_key_tells_every_change_apart():
    """The cached functions key on ``repr`` of the settings (controls.settings_key): equal
    settings share a key, and any change, down to a float's last bit or a sign of zero, makes
    a new one."""
    from pages._playground.controls import Settings, settings_key

    base = Settings(("builtin", "beale"), (("adam", (("lr", 0.01),)),), (1.0, 1.5), 300, 0.0,
                    0, ("constant", ()), 1e-6)  # fmt: skip
    same = Settings(*base)
    assert settings_key(base) == settings_key(same)
    changes = [
        base._replace(opts=(("adam", (("lr", float(np.nextafter(0.01, 1.0))),)),)),
        base._replace(start=(1.0, float(np.nextafter(1.5, 2.0)))),
        base._replace(noise=-0.0),
        base._replace(surface=("custom", "beale")),
        base._replace(schedule=("step", (("gamma", 0.5),))),
        base._replace(steps=301),
    ]
    keys = {settings_key(base)} | {settings_key(c) for c in changes}
    assert len(keys) == len(changes) + 1
