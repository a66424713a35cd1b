"""pages/_common/script_slots.py: at most ``count`` script runs compute at once; a run that waits
for a job gives its slot to another; and Streamlit's full collection after every run is off."""

from __future__ import annotations

import threading
import time

from pages._common import script_slots
from pages._common.script_slots import Slots


def _crowd(slots: Slots, n: int, body) -> int:
    """Run ``body`` in ``n`` threads, each inside a turn; the most that were inside at once."""
    inside, most, lock = [0], [0], threading.Lock()
    start = threading.Barrier(n)

    def run():
        start.wait()
        with slots.turn():
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])
            body()
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not any(t.is_alive() for t in threads)
    return most[0]


def _meet(k: int):
    """A body that returns only once ``k`` threads are inside it together (no timing: a barrier;
    it breaks after 10 s when fewer ever can be)."""
    barrier = threading.Barrier(k)
    return lambda: barrier.wait(10)


def test_at_most_count_runs_at_once():
    assert _crowd(Slots(2), 8, _meet(2)) == 2  # two get in together, never a third
    assert _crowd(Slots(8), 8, _meet(8)) == 8


def test_a_waiting_run_lets_another_in_and_takes_a_slot_again():
    slots = Slots(1)
    order: list[str] = []
    released = threading.Event()

    def follower():
        with slots.turn():
            order.append("follower computes")
            with slots.set_aside():  # waits for a job: computes nothing
                released.wait(5)
            assert slots.holding()
            order.append("follower draws")

    def light():
        with slots.turn():
            order.append("light run")
        released.set()

    a = threading.Thread(target=follower)
    a.start()
    while not order:
        time.sleep(0.01)
    b = threading.Thread(target=light)
    b.start()
    a.join(5)
    b.join(5)
    # with one slot, the light run got in only because the follower set its slot aside
    assert order == ["follower computes", "light run", "follower draws"]


def test_nested_turns_keep_one_slot_and_set_aside_without_one_is_harmless():
    slots = Slots(1)
    with slots.turn():
        with slots.turn():  # app.py's turn around a page that takes one again: no deadlock
            assert slots.holding()
        assert slots.holding()
    assert not slots.holding()
    with slots.set_aside():  # a test or a thread outside a script run: nothing to give back
        assert not slots.holding()
    assert _crowd(slots, 3, lambda: None) == 1  # the count is intact


def test_slot_count_from_the_environment():
    assert script_slots.slot_count({"GRADLAB_SCRIPT_SLOTS": "3"}) == 3
    assert script_slots.slot_count({"GRADLAB_SCRIPT_SLOTS": "0"}) == 1
    assert script_slots.slot_count({}) is None  # no limit unless asked (see the module)
    assert _crowd(Slots(None), 8, _meet(8)) == 8


def test_streamlit_does_not_collect_after_every_run():
    """The app's config turns Streamlit's post-run full collection off: with torch and plotly
    loaded it cost 0.1-0.2 s a run, two thirds of the server's CPU when a class changed a setting
    at once (py-spy); pages/_common/heap.py collects after long runs instead."""
    import tomllib
    from pathlib import Path

    config = tomllib.loads((Path(__file__).parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_a_follower_holds_its_slot_to_draw_and_not_to_wait(monkeypatch):
    from pages._common import follow, jobs

    monkeypatch.setattr(script_slots, "SLOTS", Slots(2))
    monkeypatch.setattr(script_slots, "turn", script_slots.SLOTS.turn)
    monkeypatch.setattr(script_slots, "set_aside", script_slots.SLOTS.set_aside)

    reg = jobs.Registry(jobs.Pool(1), jobs.LRU(4, 2**20))
    gate = threading.Event()
    job = reg.submit("k", lambda job: gate.wait(10) and "done", "anna")
    seen: list[tuple[str, bool]] = []

    def waiting(followed, seconds):
        seen.append(("wait", script_slots.SLOTS.holding()))
        gate.set()
        followed[0].wait(10)

    monkeypatch.setattr(follow, "subscriber", lambda: "anna")
    monkeypatch.setattr(follow, "wait", waiting)
    with script_slots.turn():
        follow.follow(reg, [job], lambda: seen.append(("draw", script_slots.SLOTS.holding())))
    assert seen == [("draw", True), ("wait", False), ("draw", True)]
    assert job.result == "done"
