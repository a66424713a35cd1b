"""tests/load/protocol.py against a real server: two classroom sessions on one preset link, each
picking its own heatmap, answered with its own figure; a wrong expectation is caught as
cross-talk; the server's timing log finds both sessions' runs."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time

import pytest

from tests.load import protocol, report, servers, sessions

pytestmark = pytest.mark.slow


def test_protocol_sessions_open_change_and_check_their_own_answer(tmp_path):
    log = tmp_path / "timing.jsonl"
    plans = sessions.classroom(2)
    assert plans[0].spec != plans[1].spec  # two different heatmaps
    # A third session that expects another session's title: its check must report cross-talk.
    wrong = dataclasses.replace(plans[1], tag="c9", expect=plans[0].expect, foreign=())

    async def drive(base: str) -> list[report.Session]:
        deadline = time.monotonic() + 240
        crowd = sessions.Together(3)
        return await asyncio.gather(
            *(protocol.run_session(base, p, deadline, crowd) for p in (*plans, wrong))
        )

    with servers.serve(1, tmp_path, log) as (base, _pids):
        # A thread of its own: after the browser tests, Playwright's loop runs in this one.
        out: list = []
        worker = threading.Thread(target=lambda: out.append(asyncio.run(drive(base))))
        worker.start()
        worker.join(300)
        got = out[0]
    report.attach(report.read_log(log), got)
    first, second, third = got
    for s in (first, second):
        assert s.errors == [] and s.crosstalk is None and not s.unanswered, s
        assert s.first_figure is not None and s.first_figure <= s.loaded
        assert s.server_first is not None and s.server_change is not None
    assert third.crosstalk == f"expected {plans[0].expect!r}"
    assert report.failures(got) == [f"c9 (gradient_flow): cross-talk: {third.crosstalk}"]


def test_widget_state_is_the_browsers_message_for_each_change():
    from streamlit.proto.Slider_pb2 import Slider

    slider = Slider(id="s1", label="Steps", step=10, max=2000)
    slider.default.append(300)
    state = protocol.widget_state({"Steps": ("slider", slider)}, sessions.Change("slider", "Ste"))
    assert state.id == "s1" and list(state.double_array_value.data) == [310]
    slider.value.append(1995)
    slider.set_value = True
    state = protocol.widget_state({"Steps": ("slider", slider)}, sessions.Change("slider", "Ste"))
    assert list(state.double_array_value.data) == [2000]  # one step up, within its range
    with pytest.raises(LookupError, match="no widget labelled 'Noise'"):
        protocol.widget_state({"Steps": ("slider", slider)}, sessions.Change("slider", "Noise"))
