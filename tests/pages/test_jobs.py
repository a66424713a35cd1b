"""pages/_common/jobs.py: shared jobs, the bounded pool, subscribers, the bounded result store.

Work functions here wait on events the test sets, so every assertion is about an order of
events, never about a duration. The registry's clock is a counter the test moves by hand.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

from pages._common import follow, jobs

LIMIT_S = 60  # a broken test fails after this long instead of hanging


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Gate:
    """Work that reports once, then waits until the test opens the gate (or it is cancelled)."""

    def __init__(self, result: object = "done") -> None:
        self.started = threading.Event()
        self.opened = threading.Event()
        self.result, self.calls, self.reports = result, 0, []

    def __call__(self, job: jobs.Job) -> object:
        self.calls += 1
        self.reports.append(job.report(0.5, "half way", "partial"))
        self.started.set()
        while not self.opened.wait(0.01):
            if not job.report(0.5, "half way", "partial"):
                return "stopped"
        return self.result


def registry(workers: int = 1, clock=None, grace_s: float = 10.0, size: int = 8):
    return jobs.Registry(
        jobs.Pool(workers), jobs.LRU(size, 2**20), grace_s=grace_s, clock=clock or Clock()
    )


def finish(job: jobs.Job) -> jobs.Job:
    assert job.wait(LIMIT_S)
    return job


def test_the_same_key_is_computed_once_and_its_followers_share_it():
    reg, work = registry(), Gate()
    first = reg.submit("preset", work, "anna")
    assert work.started.wait(LIMIT_S)
    second = reg.submit("preset", Gate(), "ben")  # someone else's identical request
    assert second is first and set(first.subscribers) == {"anna", "ben"}
    assert second.partial == "partial" and second.text == "half way"  # live for both
    work.opened.set()
    assert finish(first).state is jobs.State.DONE and first.result == "done"
    later = reg.submit("preset", Gate(), "cleo")  # after it finished: the stored result
    assert later.finished and later.result == "done"
    assert work.calls == 1 and reg.pool.ran == 1


def test_different_keys_are_different_jobs():
    reg, a, b = registry(workers=2), Gate("a"), Gate("b")
    ja, jb = reg.submit("a", a, "anna"), reg.submit("b", b, "anna")
    assert ja is not jb
    a.opened.set()
    b.opened.set()
    assert (finish(ja).result, finish(jb).result) == ("a", "b")


def test_queue_positions_and_the_wait_ahead():
    reg, busy = registry(), Gate()
    running = reg.submit("busy", busy, "x")
    running.estimate_s = 40.0
    assert busy.started.wait(LIMIT_S)
    queued = [reg.submit(k, Gate(), "x", estimate_s=10.0) for k in ("a", "b", "c")]
    assert reg.pool.position(running) == (0, 0.0)  # started: not in line
    # 40 s of running work half done (20 s left), then 10 s for each job ahead.
    assert [reg.pool.position(j) for j in queued] == [(1, 20.0), (2, 30.0), (3, 40.0)]
    reg.leave(queued[0], "x")  # Stop frees its place: the others move up
    assert [reg.pool.position(j) for j in queued[1:]] == [(1, 20.0), (2, 30.0)]
    busy.opened.set()


def test_waiting_text_says_the_place_in_line():
    reg, busy = registry(), Gate()
    reg.submit("busy", busy, "x", estimate_s=40.0)
    assert busy.started.wait(LIMIT_S)
    second = reg.submit("b", Gate(), "x", estimate_s=10.0)
    third = reg.submit("c", Gate(), "x", estimate_s=10.0)
    assert follow.waiting_text(third, reg.pool) == (
        "Waiting for a free worker: 2nd in line, starts in about 30 s."
    )
    assert "1st in line" in follow.waiting_text(second, reg.pool)
    busy.opened.set()
    assert follow.waiting_text(finish(reg.submit("busy", Gate(), "y")), reg.pool) is None


@pytest.mark.parametrize("n, text", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"),
                                     (11, "11th"), (12, "12th"), (13, "13th"), (21, "21st"),
                                     (22, "22nd"), (111, "111th")])  # fmt: skip
def test_ordinal(n, text):
    assert follow.ordinal(n) == text


def test_a_queued_job_is_cancelled_when_its_last_follower_stops():
    reg, busy, waiting = registry(), Gate(), Gate()
    reg.submit("busy", busy, "x")
    assert busy.started.wait(LIMIT_S)
    job = reg.submit("k", waiting, "anna")
    reg.submit("k", waiting, "ben")
    reg.leave(job, "anna")
    assert not job.cancelled  # ben still follows it
    reg.leave(job, "ben")
    assert job.cancelled and job.finished and job.state is jobs.State.CANCELLED
    assert reg.pool.position(job) == (0, 0.0) and reg.running("k") is None
    busy.opened.set()
    finish(reg.submit("next", lambda job: "next", "x"))  # the worker has moved on
    assert waiting.calls == 0  # never ran


def test_a_running_job_stops_at_its_next_report_when_its_last_follower_stops():
    reg, work = registry(), Gate()
    job = reg.submit("k", work, "anna")
    assert work.started.wait(LIMIT_S)
    reg.leave(job, "anna")
    assert finish(job).state is jobs.State.CANCELLED
    assert job.result == "stopped" and reg.result("k") is None  # a stopped run is not stored
    again = reg.submit("k", Gate(), "anna")  # asked again: a fresh job, not the cancelled one
    assert again is not job and not again.cancelled
    reg.leave(again, "anna")


def test_a_follower_whose_script_stopped_keeps_the_job_for_the_grace_period():
    clock = Clock()
    reg, work = registry(clock=clock, grace_s=10.0), Gate()
    job = reg.submit("k", work, "anna")
    assert work.started.wait(LIMIT_S)
    reg.release(job, "anna")  # a rerun or a closed tab interrupted anna's script
    clock.now = 9.0
    assert not reg.expire(job)
    assert reg.submit("k", Gate(), "anna") is job  # the rerun follows the same run again
    clock.now = 100.0
    assert not reg.expire(job)  # following: no grace period runs
    reg.release(job, "anna")
    clock.now = 110.0
    assert reg.expire(job)  # nobody came back: cancelled
    assert finish(job).state is jobs.State.CANCELLED


def test_a_job_whose_followers_left_while_it_waited_never_runs():
    clock = Clock()
    reg, busy, waiting = registry(clock=clock, grace_s=10.0), Gate(), Gate()
    reg.submit("busy", busy, "x")
    assert busy.started.wait(LIMIT_S)
    job = reg.submit("k", waiting, "anna")
    reg.release(job, "anna")
    clock.now = 20.0
    busy.opened.set()
    assert finish(job).state is jobs.State.CANCELLED and waiting.calls == 0


def test_a_failure_reaches_the_followers_and_is_not_stored():
    reg = registry()

    def broken(job: jobs.Job) -> None:
        raise RuntimeError("out of memory")

    job = finish(reg.submit("k", broken, "anna"))
    assert job.state is jobs.State.FAILED and str(job.error) == "out of memory"
    assert reg.result("k") is None
    ok = finish(reg.submit("k", lambda job: "fine", "anna"))  # the worker survived it
    assert ok.result == "fine"


def test_the_stored_results_are_bounded_in_count():
    reg = registry(size=2)
    for key in "abc":
        finish(reg.submit(key, lambda job, key=key: key, "x"))
    assert list(reg.results.items) == ["b", "c"]


def test_the_lru_is_bounded_in_count_and_bytes():
    def entry(n: int) -> np.ndarray:
        return np.zeros(n, np.float32)  # n * 4 bytes

    lru = jobs.LRU(size=3, max_bytes=1000)
    for k in range(5):
        lru.put(k, entry(10))
    assert list(lru.items) == [2, 3, 4]  # count
    lru.get(2)  # recently used: kept
    lru.put("big", entry(240))  # 960 bytes: the oldest go until the total fits
    assert list(lru.items) == [2, "big"] and lru.bytes == 1000
    lru.put("huge", entry(1000))  # larger than the bound alone: kept, everything else goes
    assert list(lru.items) == ["huge"]


def test_nbytes_counts_arrays_inside_records():
    import dataclasses

    import torch

    @dataclasses.dataclass
    class Record:
        a: np.ndarray
        b: dict

    value = Record(np.zeros(10, np.float64), {"t": torch.zeros(4, dtype=torch.float32)})
    assert jobs.nbytes([value, "text", 3]) == 80 + 16


def test_the_pool_never_runs_more_than_its_workers():
    reg = registry(workers=2)
    gates = [Gate(k) for k in range(4)]
    started = [reg.submit(k, g, "x") for k, g in enumerate(gates)]
    assert gates[0].started.wait(LIMIT_S) and gates[1].started.wait(LIMIT_S)
    assert [j.state for j in started[2:]] == [jobs.State.QUEUED] * 2
    assert len(reg.pool.running) == 2
    for g in gates:
        g.opened.set()
    assert [finish(j).result for j in started] == [0, 1, 2, 3]


def test_worker_count():
    assert follow.worker_count({"GRADLAB_WORKERS": "3"}) == 3
    assert follow.worker_count({"GRADLAB_WORKERS": "0"}) == 1
    assert follow.worker_count({}) >= 1
    with pytest.raises(ValueError, match="workers"):
        jobs.Pool(0)


def test_a_crowd_on_one_job_draws_its_live_charts_less_often():
    job = jobs.Job("k", lambda job: None, 0.0)
    job.subscribers = {"anna": None}
    assert follow.chart_interval([job], 0.5) == 0.5  # alone: as often as the page wants
    job.subscribers = {f"s{i}": None for i in range(30)}
    assert follow.chart_interval([job], 0.5) == 30 / follow.CROWD_CHARTS_PER_S


def test_a_follower_wakes_at_the_first_report():
    reg, work = registry(), Gate()
    job = reg.submit("k", work, "anna")
    follow.wait([job], LIMIT_S)  # returns once the work has reported, not after LIMIT_S
    assert job.reported.is_set() and job.partial == "partial"
    work.opened.set()
    follow.wait([job], LIMIT_S)
    assert finish(job).state is jobs.State.DONE
