"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any


def best_of(
    fn: Callable[[], object], repeats: int = 3, clock: Callable[[], float] = time.perf_counter
) -> tuple[float, object]:
    """The fastest of ``repeats`` runs (seconds, by ``clock``: the wall clock, or
    ``time.process_time`` for the CPU time of the whole process) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = clock()
        result = fn()
        best = min(best, clock() - start)
    return best, result


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list) -> str:
        return "| " + " | ".join(f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def _no_missing_context(record: logging.LogRecord) -> bool:
    return "missing ScriptRunContext" not in record.getMessage()


def quiet_bare_mode() -> None:
    """Drop Streamlit's "missing ScriptRunContext" warning (see :func:`page_app`)."""
    from streamlit.runtime.scriptrunner_utils import script_run_context

    logger = logging.getLogger(script_run_context.__name__)
    if _no_missing_context not in logger.filters:
        logger.addFilter(_no_missing_context)


def page_app(page: str) -> Any:
    """An AppTest of ``pages/<page>.py`` (see tests/conftest.py), not yet run.

    Setting up an AppTest outside a Streamlit session makes Streamlit log "missing
    ScriptRunContext ... can be ignored when running in bare mode": a benchmark runs bare on
    purpose, so that warning is dropped (a filter, which Streamlit's own log-level setup does
    not reset). Every other Streamlit message still shows.
    """
    quiet_bare_mode()
    from tests.helpers import page_test

    return page_test(page)


def median_of(fn: Callable[[], object], repeats: int = 5) -> tuple[float, float]:
    """The median wall-clock time and the median CPU time (seconds) of ``repeats`` calls.

    The CPU time is this process's, all threads (a Streamlit script runs in a thread of its
    own): on a machine shared with other work it moves far less than the wall clock does.
    """
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return sorted(wall)[len(wall) // 2], sorted(cpu)[len(cpu) // 2]


def verdict(value: float, target: float) -> str:
    """``"ok"`` when ``value`` meets the ``<= target``, else how far over it is."""
    return "ok" if value <= target else f"MISS ({value / target:.1f}x)"


@contextlib.contextmanager
def timed_calls(owner: Any, name: str) -> Iterator[list[float]]:
    """Inside the block, the wall time of every call of ``owner.<name>`` (a module's function,
    called through the module), in seconds, appended to the list yielded."""
    times: list[float] = []
    function = getattr(owner, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - start)

    setattr(owner, name, timed)
    try:
        yield times
    finally:
        setattr(owner, name, function)


def script_runs() -> contextlib.AbstractContextManager[list[float]]:
    """Inside the block, the wall time of every page script run (seconds, appended to the list
    yielded), timed in the script's own thread: what a rerun costs the server without the
    AppTest around it (which starts a thread per run and reads the page's elements back)."""
    from streamlit.runtime.scriptrunner import script_runner

    return timed_calls(script_runner, "exec_func_with_error_handling")
