"""The server's time per script run, for load tests: set ``GRADLAB_TIMING_LOG=path``.

A browser on a loaded machine adds its own delays to what a person sees; this log says how
long the server itself took. app.py wraps each script run in :func:`timed_run`, which appends
one JSON line per run: the session, the page, its query parameters, when the run started and
ended (Unix seconds), and how it ended ("done"; "rerun" or "stop" when Streamlit interrupted it
for a newer request; "error"). Without the variable it does nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Iterator

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

ENV = "GRADLAB_TIMING_LOG"
_write = threading.Lock()  # one line at a time from every session's thread
_ENDINGS = {"RerunException": "rerun", "StopException": "stop"}


@contextlib.contextmanager
def timed_run(page: str, started: float | None = None) -> Iterator[None]:
    """Time the script run inside (from ``started``, a ``time.time()``, when given); append its
    record to ``$GRADLAB_TIMING_LOG``, if set."""
    path = os.environ.get(ENV)
    if not path:
        yield
        return
    ctx = get_script_run_ctx()
    record = {
        "session": ctx.session_id if ctx is not None else "",
        "page": page,
        "query": st.query_params.to_dict(),
        "start": time.time() if started is None else started,
    }
    outcome = "done"
    try:
        yield
    except BaseException as exc:
        outcome = _ENDINGS.get(type(exc).__name__, "error")
        raise
    finally:
        record.update(end=time.time(), outcome=outcome)
        record["seconds"] = round(record["end"] - record["start"], 4)
        with _write, open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
