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
