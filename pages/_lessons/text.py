"""Lesson text: one TOML file per lesson per language, so a teacher edits words, not Python.

``text/<lang>/NN_slug.toml`` holds ``title``, ``question``, ``predict``, ``choices``,
``happened`` (a ``str.format`` template of named measured numbers) and ``[labels]``.
``text/<lang>/_frame.toml`` holds the words of the frame around every lesson.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

TEXT_DIR = Path(__file__).resolve().parent / "text"
LANGUAGES = ("en", "zh")
DEFAULT_LANGUAGE = "en"
FRAME = "_frame"
REQUIRED = ("title", "question", "predict", "choices", "happened")


@dataclass(frozen=True)
class LessonText:
    title: str
    question: str
    predict: str
    choices: tuple[str, ...]
    happened: str  # "SGD needed {sgd_steps} steps ..."
    labels: dict[str, str] = field(default_factory=dict)

    def label(self, name: str, **numbers: Any) -> str:
        """The label ``name`` (formatted with ``numbers`` when given); the name if missing,
        so a forgotten label shows up as a word rather than a traceback."""
        text = self.labels.get(name, name)
        return text.format(**numbers) if numbers else text

    def what_happened(self, numbers: dict[str, Any]) -> str:
        return self.happened.format(**numbers)


def language() -> str:
    """The reader's language: ``lang`` from the URL when it is one we have, else English."""
    lang = st.query_params.get("lang", DEFAULT_LANGUAGE)
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def path(name: str, lang: str) -> Path:
    return TEXT_DIR / lang / f"{name}.toml"


@cache
def raw(name: str, lang: str) -> dict[str, Any]:
    """The parsed TOML file ``name`` in ``lang`` (FileNotFoundError when there is none)."""
    with path(name, lang).open("rb") as fh:
        return tomllib.load(fh)


def exists(name: str, lang: str) -> bool:
    return path(name, lang).exists()


def load(name: str, lang: str) -> LessonText:
    """One lesson's text (``name`` is ``NN_slug``); ValueError names a missing key."""
    data = raw(name, lang)
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise ValueError(f"{path(name, lang)} lacks {', '.join(missing)}")
    return LessonText(
        title=data["title"],
        question=data["question"],
        predict=data["predict"],
        choices=tuple(data["choices"]),
        happened=data["happened"],
        labels=dict(data.get("labels", {})),
    )


def frame(lang: str) -> dict[str, str]:
    """The frame's words (picker label, headings, button text) in ``lang``."""
    return dict(raw(FRAME, lang))
