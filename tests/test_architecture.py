"""The design card's import rules (import-linter contracts) and setup promises."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter's contracts (pyproject.toml) on the tree at ``root``."""
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        pytest.skip("import-linter is not installed (make test installs it)")
    # The tree under test comes first on the path, ahead of the editable install of the checkout.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(exe), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )


def test_import_contracts_are_kept():
    done = lint_imports(ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


@pytest.mark.parametrize(
    ("module", "bad_import"),
    [
        ("engine/core/device.py", "import streamlit"),  # the engine needs no front end
        ("viz/colors.py", "from engine.nets import training"),  # viz draws plain data
        ("engine/optimizers/sgd.py", "from engine.nets import networks"),  # layers point down
    ],
)
def test_a_wrong_import_breaks_the_contracts(tmp_path, module, bad_import):
    # The contracts must be able to fail: a copy of the tree with one wrong import is refused.
    for name in ("engine", "viz", "pages", "pyproject.toml"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp_path / name)
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{bad_import}  # noqa\n")
    done = lint_imports(tmp_path)
    assert done.returncode != 0, done.stdout[-2000:]
    culprit = module.removesuffix(".py").replace("/", ".")
    assert culprit in done.stdout, done.stdout[-2000:]  # refused for this import, not another


def test_torch_is_pinned_to_the_local_cpu_build():
    text = (ROOT / "requirements.txt").read_text()
    assert re.search(r"^torch==2\.13\.0\b", text, re.M), "torch must stay pinned (see README)"


def test_readme_quick_start_names_the_two_commands():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()


PAGE_FILES = sorted(p for p in (ROOT / "pages").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_page_reroutes_a_first_deep_link_through_app_py(path):
    # See pages/_common/navigation.py: without it a fresh server's first deep link runs the page
    # alone, with the legacy pages/ navigation and no page config.
    assert "ensure_app_entry()" in path.read_text()


def test_every_page_file_is_in_the_navigation():
    from pages._common.navigation import PAGES

    listed = {page.path for page in PAGES}
    assert {f"pages/{p.name}" for p in PAGE_FILES} <= listed


def test_ruff_check_and_format_are_clean():
    ruff = Path(sys.executable).with_name("ruff")
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (make test installs it)")
    for args in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        done = subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
