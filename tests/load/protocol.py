"""Sessions without a browser: the app's own websocket protocol, spoken from Python.

Thirty chromium tabs on this 2-core machine measure the browsers as much as the server: each tab
wants a core to lay out and draw its figures, while a real class brings thirty laptops. These
sessions speak what the browser speaks to the server (protobuf ``BackMsg`` out, ``ForwardMsg``
in, over ``/_stcore/stream``) and draw nothing, so the server's capacity is measured on its own:
the same plans (links, light changes), the same checks (an exception or error element; cross-talk:
the answer must carry the session's own figure title, not a neighbour's) and the same timings.

A session opens with a ``rerun_script`` carrying the page and query string, as the browser's
first message does. A change sends the one changed widget's new state; the server keeps every
other widget's value from the run before (Streamlit's old widget state), as it would for a
browser that resends them unchanged. Like the browser, a session keeps the large elements it
received (``metadata.cacheable``) by their hash and lists those hashes in each request: the
server then sends a short reference instead of an element the session already has.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.load.report import Session
from tests.load.sessions import Change, Plan, Together, check_answer

SETTLE_S = 0.5  # a run counts as the last when no other starts this soon after it
_KINDS = ("selectbox", "slider", "checkbox", "button")


@dataclass
class Run:
    """What one script run drew: figures' specs, errors, whether a progress bar was left, the
    widgets by label."""

    figures: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    finished_at: float = 0.0  # when its script_finished arrived (Unix seconds)
    progress: bool = False
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # label -> (kind, proto)


class Tab:
    """One session over one websocket: send a run request, read until its runs have settled."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.widgets: dict[str, tuple[str, Any]] = {}
        self.first_figure_at: float | None = None
        self.cache: dict[str, Any] = {}  # hash -> a large delta received before

    async def request(self, page: str, query: str, widget: Any | None = None) -> None:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = query
        state.page_name = page
        state.cached_message_hashes.extend(self.cache)
        if widget is not None:
            state.widget_states.widgets.append(widget)
        await self.ws.send(msg.SerializeToString())

    async def settle(self, deadline: float) -> Run:
        """Read until a run finished and no other started within SETTLE_S (a follower of a
        training run finishes its one script run once the training is done)."""
        run, finished = Run(), False
        while True:
            wait = SETTLE_S if finished else max(0.1, deadline - time.monotonic())
            try:
                data = await asyncio.wait_for(self.ws.recv(), wait)
            except TimeoutError:
                if finished and not run.progress:
                    return run
                if time.monotonic() > deadline:
                    raise
                continue
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "ref_hash":  # an element this session has: read it from its cache
                msg, kind = self.cache[msg.ref_hash], "delta"
            elif msg.metadata.cacheable:
                self.cache[msg.hash] = msg
            if kind == "session_status_changed" and msg.session_status_changed.script_is_running:
                run, finished = Run(), False  # a new run replaces what the last one drew
            elif kind == "delta":
                self._read(msg.delta, run)
            elif kind == "script_finished":
                status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                finished = status != "FINISHED_EARLY_FOR_RERUN"
                if finished:
                    run.finished_at = time.time()
                    self.widgets.update(run.widgets)

    def _read(self, delta: Any, run: Run) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        # A figure: st.plotly_chart's spec, or a kept chart's (pages/_common/kept_chart.py),
        # which travels as the component's bytes argument.
        kept = kind == "component_instance" and element.component_instance.component_name.endswith(
            ".kept_chart"
        )
        if kind == "plotly_chart" or kept:
            if kept:
                args = element.component_instance.special_args
                # Its large traces (pages/_common/kept_parts.py) come once, as its parts.
                parts = (a.bytes for a in args if a.key in ("spec", "parts"))
                run.figures.append(b"".join(parts).decode())
            else:
                run.figures.append(element.plotly_chart.spec)
            if self.first_figure_at is None:
                self.first_figure_at = time.time()
        elif kind == "exception":
            run.errors.append(element.exception.message[:200])
        elif kind == "alert" and element.alert.format == element.alert.ERROR:
            run.errors.append(element.alert.body[:200])
        elif kind == "progress":
            run.progress = True
        elif kind in _KINDS:
            proto = getattr(element, kind)
            run.widgets[proto.label] = (kind, proto)
        elif kind == "empty":
            run.progress = False  # the training box was emptied: the run's result follows


def widget_state(widgets: dict[str, tuple[str, Any]], change: Change) -> Any:
    """The changed widget's new state, as the browser would send it."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    label = next((k for k in widgets if k.startswith(change.label)), None)
    if label is None:
        raise LookupError(f"no widget labelled {change.label!r} on the page")
    kind, proto = widgets[label]
    state = WidgetState(id=proto.id)
    if kind == "selectbox":
        state.string_value = next(o for o in proto.options if o.startswith(change.value))
    elif kind == "slider":
        current = list(proto.value) if proto.set_value else list(proto.default)
        state.double_array_value.data.extend([min(current[0] + proto.step, proto.max)])
    elif kind == "checkbox":
        state.bool_value = bool(change.value)
    else:
        state.trigger_value = True
    return state


async def run_session(base: str, plan: Plan, deadline: float, crowd: Together | None) -> Session:
    """Open, settle, (wait for the ``crowd``), change, settle; timings and checks, as
    tests/load/sessions.run_session does in a browser."""
    session = Session(plan.tag, plan.pattern, plan.page, time.time())
    path, _, query = plan.path.partition("?")
    query = f"{query}&lt={plan.tag}" if query else f"lt={plan.tag}"
    url = urlsplit(base)
    stream = f"ws://{url.netloc}{url.path.rstrip('/')}/_stcore/stream"
    arrived = crowd is None
    try:
        async with websockets.connect(stream, subprotocols=["streamlit"], max_size=2**26) as ws:
            tab = Tab(ws)
            await tab.request(path, query)
            run = await tab.settle(deadline)
            if plan.figure and tab.first_figure_at is not None:
                session.first_figure = tab.first_figure_at - session.opened
            session.loaded = run.finished_at - session.opened
            session.errors += run.errors
            if not arrived:
                arrived = True
                await crowd.gathered(deadline)
            if plan.spec is None:
                return session
            session.changed = time.time()
            await tab.request(path, query, widget_state(tab.widgets, plan.spec))
            run = await tab.settle(deadline)
            session.answered = run.finished_at - session.changed
            session.errors += run.errors
            check_answer(session, plan, " ".join(run.figures))
    except Exception as exc:  # noqa: BLE001 - a session that fails is reported, not raised
        if not isinstance(exc, TimeoutError):
            session.errors.append(f"{type(exc).__name__}: {exc}"[:300])
    finally:
        if not arrived:
            crowd.arrive()  # a failed session does not hold the others back
    return session
