"""Heavy work shared between sessions and scheduled on a small pool of worker threads.

A class opens the same link at once: thirty sessions asking for the same seeded run must train
it once, and thirty different runs must not all fight for two cores at the same time.

- :class:`Job`: one computation, keyed by the run's hashable settings. The work reports its
  progress, a line of text and its result so far through :meth:`Job.report`; every session that
  follows the job reads them, so the live view works for all of them.
- :class:`Pool`: ``workers`` threads taking jobs first come, first served.
  :meth:`Pool.position` is a job's place in line and a rough wait, from the estimates of the
  work ahead.
- :class:`Registry`: one per kind of run. :meth:`Registry.submit` answers with the finished,
  running or queued job for a key, and queues a new one only when there is none. A session that
  follows a job is a subscriber. Stop removes it at once; a session whose script stops
  following (a rerun, a closed tab) stays subscribed for ``grace_s`` more, since a rerun for the
  same settings follows again within it. A job left without subscribers is cancelled. Finished
  results stay in an :class:`LRU` bounded in entries and in bytes.

Nothing here imports Streamlit: pages/_common/follow.py is the page side.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from typing import Any

import numpy as np
import torch

from pages._common.heap import LONG_RUN_S, release_memory


def nbytes(value: Any) -> int:
    """The bytes held by the arrays and tensors inside ``value`` (records, lists, dicts)."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, torch.Tensor):
        return value.nelement() * value.element_size()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return sum(nbytes(v) for v in value)
    return 0


class LRU:
    """Least recently used first out, at most ``size`` entries and ``max_bytes`` of arrays.

    An entry larger than ``max_bytes`` alone is kept (the newest entry always is): a page must
    be able to show the run it just asked for.
    """

    def __init__(self, size: int, max_bytes: int) -> None:
        self.size, self.max_bytes = size, max_bytes
        self.items: OrderedDict[Any, tuple[Any, int]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self.lock:
            if key not in self.items:
                return None
            self.items.move_to_end(key)
            return self.items[key][0]

    def put(self, key: Any, value: Any) -> None:
        with self.lock:
            self.items[key] = (value, nbytes(value))
            self.items.move_to_end(key)
            while len(self.items) > self.size or (
                len(self.items) > 1 and self.bytes > self.max_bytes
            ):
                self.items.popitem(last=False)

    @property
    def bytes(self) -> int:
        return sum(size for _, size in self.items.values())


class State(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # ``error`` holds the exception
    CANCELLED = "cancelled"  # nobody followed it any more; ``result`` is what it had, or None


Work = Callable[["Job"], Any]


class Job:
    """One computation and what its followers read: progress, text, partial and final result."""

    def __init__(self, key: Hashable, work: Work, estimate_s: float) -> None:
        self.key, self.work, self.estimate_s = key, work, float(estimate_s)
        self.state = State.QUEUED
        self.fraction, self.text = 0.0, ""
        self.partial: Any = None
        self.result: Any = None
        self.error: BaseException | None = None
        # subscriber -> None while its script follows the job, else when it stopped following
        self.subscribers: dict[Hashable, float | None] = {}
        self.registry: Registry | None = None
        self._cancel = threading.Event()
        self._done = threading.Event()
        self.reported = threading.Event()  # set at the first report: the first live update

    def report(self, fraction: float, text: str = "", partial: Any = None) -> bool:
        """Called by the work as it goes. Returns False once the job is cancelled: stop then."""
        self.fraction, self.text = min(max(float(fraction), 0.0), 1.0), text
        if partial is not None:
            self.partial = partial
        self.reported.set()
        if self.registry is not None:
            self.registry.expire(self)
        return not self._cancel.is_set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished (or ``timeout`` seconds); True if it has."""
        return self._done.wait(timeout)

    def _finish(self, state: State) -> None:
        self.state = state
        self._done.set()


def finished_job(key: Hashable, result: Any) -> Job:
    """A job that is already done: a stored result handed out like a computed one."""
    job = Job(key, lambda _: result, 0.0)
    job.result, job.fraction = result, 1.0
    job._finish(State.DONE)
    return job


class Pool:
    """``workers`` daemon threads running queued jobs first come, first served."""

    def __init__(self, workers: int = 1) -> None:
        if workers < 1:
            raise ValueError(f"Invalid number of workers: {workers} (must be >= 1)")
        self.workers = workers
        self.queue: deque[Job] = deque()
        self.running: list[Job] = []
        self.ran = 0  # jobs whose work was called (tests: identical requests compute once)
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._names = itertools.count(1)

    def put(self, job: Job) -> None:
        with self._cond:
            self.queue.append(job)
            if len(self._threads) < self.workers:  # started on demand: an idle app holds none
                name = f"gradlab-worker-{next(self._names)}"
                thread = threading.Thread(target=self._serve, name=name, daemon=True)
                self._threads.append(thread)
                thread.start()
            self._cond.notify()

    def drop(self, job: Job) -> bool:
        """Take a queued job out of the line; False if it has already started."""
        with self._cond:
            if job in self.queue:
                self.queue.remove(job)
                return True
            return False

    def position(self, job: Job) -> tuple[int, float]:
        """``(place, seconds)``: 0 once started, else its place in line (1 = next), and roughly
        how long until a worker is free for it, from the estimates of the work ahead."""
        with self._cond:
            if job not in self.queue:
                return 0, 0.0
            place = self.queue.index(job) + 1
            ahead = sum(j.estimate_s for j in itertools.islice(self.queue, place - 1))
            ahead += sum(j.estimate_s * (1.0 - j.fraction) for j in self.running)
            busy = len(self.running) >= self.workers
            return place, (ahead / self.workers if busy or place > 1 else 0.0)

    def _serve(self) -> None:
        while True:
            with self._cond:
                while not self.queue:
                    self._cond.wait()
                job = self.queue.popleft()
                self.running.append(job)
            # Outside the pool's lock: the registry's lock is always taken first.
            if job.registry is not None and job.registry.expire(job):
                job.registry.settle(job)  # everyone left while it waited: it never runs
            else:
                with self._cond:
                    job.state = State.RUNNING
                    self.ran += 1
                self._run(job)
            with self._cond:
                self.running.remove(job)

    @staticmethod
    def _run(job: Job) -> None:
        # Before: what the sessions' scripts freed (a page's probes before it submitted this
        # job) leaves their threads' heaps, so it does not add to this job's peak.
        release_memory()
        computed = time.thread_time()
        try:
            job.result = job.work(job)
        except BaseException as exc:  # noqa: BLE001 - handed to the followers, who show it
            job.error = exc
        # After: the run's temporaries go, and their heap pages; after long work, what only
        # reference cycles hold too (the rule of app.py's script runs, on this thread's CPU).
        release_memory(collect=time.thread_time() - computed >= LONG_RUN_S)
        registry = job.registry
        if registry is not None:
            registry.settle(job)
        elif job.error is not None:
            job._finish(State.FAILED)
        else:
            job._finish(State.CANCELLED if job.cancelled else State.DONE)


class Registry:
    """Jobs of one kind by key: each computed once while anyone follows it, results kept."""

    def __init__(
        self,
        pool: Pool,
        results: LRU,
        grace_s: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.pool, self.results, self.grace_s, self.clock = pool, results, grace_s, clock
        self.active: dict[Hashable, Job] = {}
        self._lock = threading.RLock()

    def result(self, key: Hashable) -> Any | None:
        """The stored result for ``key``, or None."""
        return self.results.get(key)

    def running(self, key: Hashable) -> Job | None:
        """The queued or running job for ``key`` that is still wanted, or None."""
        with self._lock:
            job = self.active.get(key)
            return None if job is None or job.cancelled else job

    def submit(
        self, key: Hashable, work: Work, subscriber: Hashable, estimate_s: float = 0.0
    ) -> Job:
        """The job for ``key``, followed by ``subscriber``: finished (a stored result), already
        queued or running (someone asked first), or queued now."""
        with self._lock:
            stored = self.results.get(key)
            if stored is not None:
                return finished_job(key, stored)
            job = self.running(key)
            if job is None:
                job = Job(key, work, estimate_s)
                job.registry = self
                self.active[key] = job
                self.pool.put(job)
            job.subscribers[subscriber] = None
            return job

    def release(self, job: Job, subscriber: Hashable) -> None:
        """``subscriber``'s script no longer follows ``job``: it stays subscribed for the grace
        period (a rerun follows again), then counts as gone."""
        with self._lock:
            if job.subscribers.get(subscriber, 0.0) is None:
                job.subscribers[subscriber] = self.clock()

    def leave(self, job: Job, subscriber: Hashable) -> None:
        """``subscriber`` stops ``job`` for itself (Stop): the job is cancelled if nobody else
        follows it."""
        with self._lock:
            job.subscribers.pop(subscriber, None)
            if job.registry is self and not job.subscribers and not job.finished:
                self._cancel(job)

    def expire(self, job: Job) -> bool:
        """Drop the subscribers whose grace period is over; cancel ``job`` if none is left.
        Returns whether the job is cancelled."""
        with self._lock:
            now = self.clock()
            for sub, since in list(job.subscribers.items()):
                if since is not None and now - since >= self.grace_s:
                    del job.subscribers[sub]
            if not job.subscribers and not job.finished:
                self._cancel(job)
            return job.cancelled

    def _cancel(self, job: Job) -> None:
        job._cancel.set()
        if self.active.get(job.key) is job:
            del self.active[job.key]
        if self.pool.drop(job):  # never started: finished now, with nothing
            job._finish(State.CANCELLED)

    def settle(self, job: Job) -> None:
        """Called by the pool when the work returns: store a complete result, wake followers."""
        with self._lock:
            if self.active.get(job.key) is job:
                del self.active[job.key]
            if job.error is not None:
                job._finish(State.FAILED)
            elif job.cancelled:
                job._finish(State.CANCELLED)
            else:
                self.results.put(job.key, job.result)
                job._finish(State.DONE)
