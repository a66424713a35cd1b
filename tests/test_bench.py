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
