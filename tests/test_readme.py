"""The README's Python example runs as written (the quick start is checked in test_architecture)."""

import contextlib
import io
import re

from tests.conftest import ROOT


def test_readme_python_example_runs_as_written():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert blocks, "the README should show the engine API"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for block in blocks:
            exec(compile(block, "README.md", "exec"), {})  # noqa: S102 - our own README
    printed = out.getvalue()
    assert "(2, 1, 501, 2)" in printed and "begin{aligned}" in printed
