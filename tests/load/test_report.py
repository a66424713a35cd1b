"""tests/load/report.py: server times from the timing log, the targets' verdicts, the failures."""

from __future__ import annotations

import json

from tests.load import report
from tests.load.report import Session


def run(tag: str, start: float, end: float, outcome: str = "done") -> dict:
    return {"query": {"lt": tag}, "start": start, "end": end, "outcome": outcome}


def test_server_times_follow_the_sessions_own_runs():
    s = Session("c1", "classroom", "gradient_flow", opened=100.0, loaded=9.0, changed=120.0,
                answered=1.5)  # fmt: skip
    log = [
        run("c1", 100.2, 101.0, "rerun"),  # interrupted: the first request still counts
        run("c1", 101.0, 107.0),
        run("c2", 100.0, 150.0),  # another session's run
        run("c1", 120.1, 120.4, "rerun"),
        run("c1", 120.4, 121.1),
    ]
    assert report.server_times(log, s) == (107.0 - 100.2, 121.1 - 120.1)


def test_a_session_without_a_completed_run_has_no_server_time():
    s = Session("c1", "classroom", "gradient_flow", opened=100.0)
    assert report.server_times([run("c1", 100.0, 200.0, "stop")], s) == (None, None)


def classroom(first: float, change: float, figure: float) -> Session:
    s = Session("c", "classroom", "gradient_flow", 0.0, first_figure=figure, loaded=figure,
                changed=50.0, answered=change)  # fmt: skip
    s.server_first, s.server_change = first, change
    return s


def test_targets_pass_and_miss():
    ok = report.rows([classroom(9.5, 1.9, 9.9)] * 3, peak_rss_mb=800.0)
    assert [r.ok for r in ok] == [True, True, True, None, None, True]
    slow = report.rows([classroom(9.5, 2.5, 12.0)] * 11, peak_rss_mb=2000.0)
    verdicts = {r.metric: r.ok for r in slow}
    assert verdicts["server: own light change (s)"] is False
    assert verdicts["browser: first figure (s)"] is None  # the browser target is for <= 10
    assert verdicts["server: peak RSS (MB)"] is False


def test_a_missing_answer_misses_the_target():
    s = classroom(5.0, 1.0, 5.0)
    s.server_change = None
    [_, change, *_] = report.rows([s], None)
    assert change.ok is False and change.n == 0


def test_mixed_takes_each_sessions_longest_wait():
    s = Session("m", "mixed", "race", 0.0, loaded=3.0, changed=10.0, answered=40.0)
    s.server_first, s.server_change = 2.0, 31.0
    [server, browser, _] = report.rows([s], None)
    assert (server.max, server.ok, browser.max) == (31.0, False, 40.0)


def test_failures_name_the_session_and_what_went_wrong():
    bad = Session("m3", "mixed", "race", 0.0, loaded=2.0, changed=5.0, answered=None,
                  errors=["ValueError: boom"], crosstalk="shows ['adam']")  # fmt: skip
    good = Session("m4", "mixed", "home", 0.0, loaded=1.0)
    assert report.failures([bad, good]) == [
        "m3 (race): ValueError: boom",
        "m3 (race): cross-talk: shows ['adam']",
        "m3 (race): never answered",
    ]


def test_the_table_shows_every_row(tmp_path):
    rows = report.rows([classroom(9.5, 1.9, 9.9)], peak_rss_mb=512.0)
    text = report.table(rows)
    assert "server: first run done (s)" in text and "512.00" in text and "MISS" not in text


def test_read_log_skips_a_torn_line(tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps(run("a", 1.0, 2.0)) + "\n" + '{"query": {"lt"')
    assert report.read_log(path) == [run("a", 1.0, 2.0)]
    assert report.read_log(tmp_path / "missing.jsonl") == []
