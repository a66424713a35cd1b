"""The parts every lesson shares: question, prediction, the lesson, "What happened", the link.

A lesson's ``show`` returns an :class:`Outcome`; the frame turns its numbers into the "What
happened" text and its :class:`Link` into the "Open in the full page" button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from pages._common.guard import friendly_errors
from pages._common.keys import lessons as keys
from pages._lessons.catalog import Lesson
from pages._lessons.text import LessonText

FIG_HEIGHT = 460  # px: a lesson's figures, side by side, fit a 1280x720 projector's screen


@dataclass(frozen=True)
class Link:
    """A full page (its url_path, e.g. ``playground``) and the query that sets it up."""

    page: str
    query: dict[str, str] = field(default_factory=dict)

    def url(self, lang: str = "en") -> str:
        query = dict(self.query)
        if lang != "en":
            query["lang"] = lang
        return f"{self.page}?{urlencode(query, safe=',')}" if query else self.page


@dataclass(frozen=True)
class Outcome:
    """What a lesson measured (the ``happened`` template's numbers) and where it continues."""

    numbers: dict[str, Any]
    link: Link | None = None


def remember(key: str, options: Sequence[Any], default: Any) -> None:
    """Start the control ``key`` at ``default``, and put it back there when its value is not one
    of ``options`` (a stale session or a hand-set state): a lesson's controls never raise."""
    if st.session_state.get(key, default) not in options:
        st.session_state[key] = default
    st.session_state.setdefault(key, default)


def render(lesson: Lesson, module: ModuleType | None, text: LessonText | None, words: dict,
           lang: str) -> None:  # fmt: skip
    """Draw one lesson, or a short note when it is still "coming"."""
    if module is None or text is None:
        st.info(words["coming"].format(number=lesson.number))
        return
    st.header(f"{lesson.number}. {text.title}")
    question, predict = st.columns([3, 2])
    question.markdown(text.question)
    predict.radio(
        f"**{words['predict']}** {text.predict}",
        text.choices,
        index=None,
        key=keys.key(lesson.number, "predict"),
    )
    outcome = None
    with friendly_errors(words["failed"]):
        outcome = module.show(text)
    if outcome is None:
        return
    st.subheader(words["happened"])
    st.markdown(text.what_happened(outcome.numbers))
    if outcome.link is not None:
        st.link_button(
            words["open_full"],
            outcome.link.url(lang),
            icon=":material/open_in_new:",
        )
