"""The benchmark runner prints its tables, not Streamlit's bare-mode warnings."""

import subprocess
import sys

from tests.helpers import ROOT

# What bench/playground.py does before timing the page, without the timings.
SCRIPT = "from bench.common import page_app; page_app('playground')"


def test_setting_up_a_page_for_a_benchmark_logs_no_missing_script_run_context():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "ScriptRunContext" not in done.stdout + done.stderr


def test_script_runs_times_each_page_script_run_and_puts_streamlit_back():
    from streamlit.runtime.scriptrunner import script_runner

    from bench.common import page_app, script_runs

    original = script_runner.exec_func_with_error_handling
    at = page_app("home")
    at.run()  # the first run (it reruns once on its own as it enters the app)
    with script_runs() as times:
        at.run()
        at.run()
    assert len(times) == 2 and all(t > 0 for t in times)
    assert script_runner.exec_func_with_error_handling is original
    at.run()  # outside the block: not timed
    assert len(times) == 2
