"""Lesson text files: every English file has a Chinese twin with the same keys and numbers."""

import string
import tomllib

import pytest

from pages._lessons import catalog, text

EN = sorted((text.TEXT_DIR / "en").glob("*.toml"))


def _flat(data: dict, prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            out |= _flat(v, f"{prefix}{k}.")
        else:
            out[f"{prefix}{k}"] = v
    return out


def _fields(value: object) -> set[str]:
    parts = value if isinstance(value, list) else [value]
    return {f for p in parts for _, f, _, _ in string.Formatter().parse(str(p)) if f is not None}


def test_there_are_text_files():
    assert any(p.stem == "01_momentum" for p in EN)
    assert any(p.stem == text.FRAME for p in EN)


@pytest.mark.parametrize("path", EN, ids=lambda p: p.stem)
def test_zh_twin_has_the_same_keys_and_placeholders(path):
    twin = text.TEXT_DIR / "zh" / path.name
    assert twin.exists(), f"{path.name} has no Chinese twin"
    en = _flat(tomllib.loads(path.read_text(encoding="utf-8")))
    zh = _flat(tomllib.loads(twin.read_text(encoding="utf-8")))
    assert en.keys() == zh.keys()
    for key, value in en.items():
        assert value and zh[key], f"{path.name}: {key} is empty"
        if key.endswith("_latex"):  # LaTeX, never formatted: its braces are not placeholders
            continue
        assert _fields(value) == _fields(zh[key]), f"{path.name}: {key} placeholders differ"
        if isinstance(value, list):
            assert len(value) == len(zh[key]), f"{path.name}: {key} lengths differ"


@pytest.mark.parametrize("lesson", catalog.LESSONS, ids=lambda le: le.slug)
def test_every_ready_lesson_has_its_text(lesson):
    if not catalog.ready(lesson):
        pytest.skip("coming")
    for lang in text.LANGUAGES:
        loaded = text.load(lesson.text_name, lang)
        assert loaded.title and loaded.choices
        assert 3 <= loaded.question.count(".") + loaded.question.count("。") <= 8


def test_a_file_missing_a_key_is_named(tmp_path, monkeypatch):
    (tmp_path / "en").mkdir()
    (tmp_path / "en" / "99_x.toml").write_text('title = "t"\n', encoding="utf-8")
    monkeypatch.setattr(text, "TEXT_DIR", tmp_path)
    text.raw.cache_clear()
    with pytest.raises(ValueError, match="question"):
        text.load("99_x", "en")
    text.raw.cache_clear()
