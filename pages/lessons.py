"""Lessons: one classic question at a time, sized for a projector (``?lesson=N`` in the URL).

Thin: the catalogue (pages/_lessons/catalog.py) and the text files (pages/_lessons/text/) give
the lessons; pages/_lessons/frame.py draws the chosen one around its module's ``show``.
"""

import streamlit as st

from pages._common import state
from pages._common.keys import lessons as keys
from pages._common.navigation import ensure_app_entry
from pages._lessons import catalog, frame, text

ensure_app_entry()  # before anything is drawn: see pages/_common/navigation.py
lang = text.language()
words = text.frame(lang)
state.restore(keys.FIELDS)
# Title and picker share one row: a projector's 720 px should go to the lesson, not the chrome.
top = st.columns([1, 2], vertical_alignment="bottom")
top[0].title(words["page_title"])


def _title(number: int) -> str:
    lesson = catalog.get(number)
    if catalog.ready(lesson) and text.exists(lesson.text_name, lang):
        return f"{number}. {text.load(lesson.text_name, lang).title}"
    return f"{number}. {words['coming_short']}"


number = top[1].selectbox(
    words["picker"], [le.number for le in catalog.LESSONS], key=keys.LESSON.key,
    format_func=_title,
)  # fmt: skip
lesson = catalog.get(number)
module = catalog.module(lesson)
lesson_text = text.load(lesson.text_name, lang) if module is not None else None
frame.render(lesson, module, lesson_text, words, lang)
state.publish(keys.FIELDS)
