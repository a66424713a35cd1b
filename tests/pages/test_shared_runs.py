"""Sessions share heavy runs: the same settings train once, a waiting session sees its place in
line, and a Stop frees that place (pages/_common/jobs.py, pages/_common/follow.py).

Two AppTests are two sessions of one process, as thirty browsers are for a server. Runs are
held at a chosen step (or kept in line behind a busy worker) while the other session arrives;
nothing here depends on how fast the machine is.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from engine.nets import presets
from pages._common import jobs
from pages._gradient_flow import runs as gf_runs
from pages._race import runs as race_runs
from tests.helpers import (
    BusyPool,
    assert_no_exception,
    figure_array,
    figures,
    fresh_pool,
    interrupt_follower_when,
    page_test,
)


@pytest.fixture(autouse=True)
def fresh(monkeypatch):
    fresh_pool(monkeypatch)
    gf_runs.store.clear()
    race_runs.shared.clear()


def losses(at) -> np.ndarray:
    [curves] = [f for f in figures(at) if f["layout"]["title"]["text"] == "Loss and accuracy"]
    return figure_array(curves["data"][0]["y"])


def progress_text(at) -> str:
    return at.get("progress")[0].proto.text


def counted_runs(monkeypatch, hold_at: int | None = None) -> tuple[list, threading.Event]:
    """Count the networks trained; with ``hold_at``, the run waits at that step until the
    returned event is set (it stays cancellable)."""
    real, calls, release = presets.run, [], threading.Event()

    def run(net, data, callback=None, device=None):
        calls.append(net)

        def wrapped(t, h):
            go_on = callback(t, h)
            while t == hold_at and go_on is not False and not release.wait(0.01):
                go_on = callback(t, h)
            return go_on

        return real(net, data, wrapped, device)

    monkeypatch.setattr(presets, "run", run)
    return calls, release


def test_two_sessions_with_the_same_settings_share_one_run(monkeypatch):
    calls, release = counted_runs(monkeypatch, hold_at=2)
    held = lambda followed: followed[0].fraction >= 0.5 and not release.is_set()  # noqa: E731
    interrupt_follower_when(monkeypatch, held)  # both scripts end while the run is held
    gf_runs.store().grace_s = 3600  # anna stays subscribed while ben's session opens
    anna = page_test("gradient_flow", {"gf_steps": "6"}).run()
    ben = page_test("gradient_flow", {"gf_steps": "6"}).run()  # arrives during anna's run
    assert_no_exception(ben)
    [job] = gf_runs.store().active.values()
    assert len(job.subscribers) == 2 and len(calls) == 1
    # Ben follows anna's run live: its progress, and its curve so far.
    assert "step 3 of 6" in progress_text(ben)
    assert len(losses(ben)) == 3
    release.set()
    anna.run()
    ben.run()
    assert_no_exception(anna)
    assert_no_exception(ben)
    assert len(calls) == 1  # trained once for both
    assert len(losses(anna)) == 6
    np.testing.assert_array_equal(losses(anna), losses(ben))


def test_a_stop_frees_the_place_in_line(monkeypatch):
    busy = BusyPool()  # the one worker is taken: both sessions' runs wait in line
    queued = lambda followed: followed[0].state is jobs.State.QUEUED  # noqa: E731
    interrupt_follower_when(monkeypatch, queued)
    gf_runs.store().grace_s = 3600  # both stay subscribed while the other session opens
    anna = page_test("gradient_flow", {"gf_steps": "4", "gf_seed": "1"}).run()
    ben = page_test("gradient_flow", {"gf_steps": "4", "gf_seed": "2"}).run()
    assert "1st in line" in progress_text(anna)
    assert "2nd in line" in progress_text(ben)
    anna.button(key=gf_runs.RUN_BUTTON).click().run()  # Stop
    assert_no_exception(anna)
    assert any("before the first step" in i.value for i in anna.info)
    ben.run()
    assert "1st in line" in progress_text(ben)  # moved up
    monkeypatch.undo()
    busy.release()
    ben.run()
    assert_no_exception(ben)
    assert len(losses(ben)) == 4 and not ben.get("progress")


def test_the_same_race_runs_once_for_every_session(monkeypatch):
    import engine.nets.race

    real, calls = engine.nets.race.race, []

    def race(*args, **kw):
        calls.append(args)
        return real(*args, **kw)

    monkeypatch.setattr(engine.nets.race, "race", race)
    query = {"rc_steps": "20", "rc_opts": "sgd,adam"}
    sessions = [page_test("race", query).run() for _ in range(3)]
    for at in sessions:
        at.button(key="rc_run").click().run()
        assert_no_exception(at)
        assert len(figures(at)) == 3
    assert len(calls) == 1
    first = [figure_array(t["y"]) for t in figures(sessions[0])[0]["data"] if "y" in t]
    last = [figure_array(t["y"]) for t in figures(sessions[2])[0]["data"] if "y" in t]
    for a, b in zip(first, last, strict=True):
        np.testing.assert_array_equal(a, b)
