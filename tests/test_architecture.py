"""The design card's import rules and setup promises, checked on the source itself."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "engine").rglob("*.py")), ids=str)
def test_engine_imports_neither_streamlit_nor_plotly(path):
    assert not imported_modules(path) & {"streamlit", "plotly"}


@pytest.mark.parametrize("path", sorted((ROOT / "viz").rglob("*.py")), ids=str)
def test_viz_imports_no_streamlit(path):
    assert "streamlit" not in imported_modules(path)


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
    import shutil
    import subprocess
    import sys

    ruff = Path(sys.executable).with_name("ruff")
    ruff = str(ruff) if ruff.exists() else shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (make test installs it)")
    for args in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        done = subprocess.run([ruff, *args], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr
