"""pages._common.warmup: every session waits for one complete warm-up (a fresh server's sessions
raced their first imports; tests/browser/test_cold_start_browser.py opens them for real)."""

from __future__ import annotations

import sys
import threading
import time

from pages._common import warmup


def test_concurrent_callers_wait_for_one_complete_warm_up(monkeypatch):
    calls, returned = [], []

    def slow_imports():
        calls.append(threading.get_ident())
        time.sleep(0.3)  # another session arrives meanwhile
        calls.append("done")

    monkeypatch.setattr(warmup, "_done", False)
    monkeypatch.setattr(warmup, "_import_all", slow_imports)
    monkeypatch.setattr(warmup, "_exercise", lambda: None)

    def session():
        warmup.warm_up()
        returned.append(list(calls))  # what had happened when this caller went on

    threads = [threading.Thread(target=session) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert len(calls) == 2  # one warm-up
    assert all(seen[-1] == "done" for seen in returned)  # nobody went on before it finished


def test_warm_up_imports_every_engine_viz_and_glue_module():
    warmup.warm_up()
    for name in ("pandas", "pyarrow", "sklearn.datasets", "torch.func", "plotly.graph_objects",
                 "engine.nets.sweeps", "viz.race_plots", "pages._race.glue",
                 "pages._gradient_flow.runs", "pages._playground.views"):  # fmt: skip
        assert name in sys.modules, name
    assert "engine.__main__" not in sys.modules  # a program, not a library
