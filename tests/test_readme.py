"""The README's commands and examples run as written, from outside the repository too.

The Python example and the shell example run in a fresh temporary directory with the venv's
python: the project is found through the editable install that `make run` / `make test` do,
not through the current directory. (The quick start is checked in test_architecture.)
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import ROOT

README = (ROOT / "README.md").read_text()
NOT_INSTALLED = (
    "the venv's python cannot import the project outside the repository: `make test` (and "
    "`make run`) install it in editable mode, `pip install -e .`"
)


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, re.S)


def outside_env() -> dict[str, str]:
    """The environment without PYTHONPATH: only the installed project may be importable."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def run_outside(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        args, cwd=cwd, env=outside_env(), capture_output=True, text=True, timeout=300
    )


def test_the_venv_imports_this_checkout_from_any_directory(tmp_path):
    done = run_outside([sys.executable, "-c", "import engine; print(engine.__file__)"], tmp_path)
    assert done.returncode == 0, NOT_INSTALLED + "\n" + done.stderr
    assert Path(done.stdout.strip()).resolve().is_relative_to(ROOT.resolve())


def test_readme_python_example_runs_as_written_outside_the_repository(tmp_path):
    (code,) = blocks("python")
    done = run_outside([sys.executable, "-c", code], tmp_path)
    assert done.returncode == 0, NOT_INSTALLED + "\n" + done.stderr
    out = done.stdout
    assert "(2, 1, 501, 2)" in out and "begin{aligned}" in out
    # print(run.diverged_at) shows the (K, S) array the comment describes: [[-1] [-1]].
    assert re.search(r"\[\[-1\]\s*\[-1\]\]", out), out


def _python_example_run():
    """The Run the README's Python example builds (its printing lines left out)."""
    (code,) = blocks("python")
    setup = "\n".join(line for line in code.splitlines() if not line.startswith("print("))
    namespace: dict = {}
    exec(compile(setup, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    return namespace["opts"], namespace["run"]


def test_readme_shell_example_is_the_same_run_as_the_python_example(tmp_path):
    if sys.prefix == sys.base_prefix:
        pytest.skip("not running in a virtual environment (make test runs the suite in .venv)")
    (script,) = [b for b in blocks("bash") if "-m engine run" in b]
    # As written, `.venv/bin/python` from the current directory: here a directory outside the
    # repository whose .venv is the one running this test.
    (tmp_path / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    done = run_outside(["bash", "-euo", "pipefail", "-c", script], tmp_path)
    assert done.returncode == 0, NOT_INSTALLED + "\n" + done.stderr
    assert "rosenbrock" in done.stdout  # `engine list`
    written = [p.name for p in tmp_path.iterdir() if p.suffix == ".csv"]
    assert written == ["paths.csv"], "the README says the example writes paths.csv"
    rows = list(csv.DictReader((tmp_path / "paths.csv").open()))
    opts, run = _python_example_run()
    names = list(dict.fromkeys(r["optimizer"] for r in rows))
    assert names == [o.name for o in opts]
    for k, name in enumerate(names):
        xy = np.array([[float(r["x"]), float(r["y"])] for r in rows if r["optimizer"] == name])
        np.testing.assert_allclose(xy, run.paths[k, 0], rtol=1e-12, atol=1e-12)


def test_paths_csv_written_in_the_repository_root_is_ignored_by_git():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    done = subprocess.run(
        ["git", "check-ignore", "-q", "paths.csv"], cwd=ROOT, capture_output=True, timeout=30
    )
    assert done.returncode == 0, "paths.csv (the README's shell example) should be ignored"


def _phony_targets() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    (line,) = re.findall(r"^\.PHONY:(.*)$", makefile, re.M)[:1]
    return set(line.split())


def test_every_make_target_is_documented_and_every_documented_one_exists():
    documented = set(re.findall(r"`make ([a-z0-9-]+)", README))
    targets = _phony_targets()
    assert targets - documented == set(), "Makefile targets missing from the README"
    assert documented - targets == set(), "the README names targets the Makefile lacks"
    for variable in ("PORT", "TORCH_INDEX", "PYTHON", "PYTEST_ARGS"):
        assert f"{variable}=" in README, variable
        assert re.search(rf"^{variable}\s*\?=", (ROOT / "Makefile").read_text(), re.M), variable


def _dry_run(target: str, tmp_path: Path, *variables: str) -> str:
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        [make, "-n", target, f"VENV={tmp_path / 'venv'}", *variables],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("target", ["run", "test", "test-fast", "test-repeat", "bench"])
def test_make_installs_the_project_in_editable_mode_on_a_fresh_checkout(tmp_path, target):
    plan = _dry_run(target, tmp_path)
    assert "-m venv" in plan and "-r requirements.txt" in plan
    assert re.search(r"pip install .*-e \.$", plan, re.M), plan
    assert "--index-url" not in plan  # TORCH_INDEX is empty by default: pip's usual index


def test_torch_index_installs_torch_from_that_index_on_a_fresh_checkout(tmp_path):
    index = "https://download.pytorch.org/whl/cu128"
    plan = _dry_run("run", tmp_path, f"TORCH_INDEX={index}").splitlines()
    (torch_line,) = [line for line in plan if "--index-url" in line]
    assert '"torch==2.13.0"' in torch_line and torch_line.endswith(f"--index-url {index}")
    # torch first, then the other requirements, which it already satisfies
    requirements = next(i for i, line in enumerate(plan) if "-r requirements.txt" in line)
    assert plan.index(torch_line) < requirements
