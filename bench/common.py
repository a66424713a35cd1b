"""Timing helpers shared by the benchmark scripts."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any


def best_of(fn: Callable[[], object], repeats: int = 3) -> tuple[float, object]:
    """The fastest of ``repeats`` wall-clock runs (seconds) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list) -> str:
        return "| " + " | ".join(f"{c!s:>{w}}" for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *(line(r) for r in rows)])


def _no_missing_context(record: logging.LogRecord) -> bool:
    return "missing ScriptRunContext" not in record.getMessage()


def page_app(page: str) -> Any:
    """An AppTest of ``pages/<page>.py`` (see tests/conftest.py), not yet run.

    Setting up an AppTest outside a Streamlit session makes Streamlit log "missing
    ScriptRunContext ... can be ignored when running in bare mode": a benchmark runs bare on
    purpose, so that warning is dropped (a filter, which Streamlit's own log-level setup does
    not reset). Every other Streamlit message still shows.
    """
    from streamlit.runtime.scriptrunner_utils import script_run_context

    logger = logging.getLogger(script_run_context.__name__)
    if _no_missing_context not in logger.filters:
        logger.addFilter(_no_missing_context)
    from tests.helpers import page_test

    return page_test(page)


def median_of(fn: Callable[[], object], repeats: int = 5) -> tuple[float, list[float]]:
    """The median wall-clock time (seconds) of ``repeats`` calls, and every time."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2], times


def verdict(value: float, target: float) -> str:
    """``"ok"`` when ``value`` meets the ``<= target``, else how far over it is."""
    return "ok" if value <= target else f"MISS ({value / target:.1f}x)"
