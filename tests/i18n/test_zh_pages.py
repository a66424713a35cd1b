"""Every page in Chinese: no English left in the default view, the language in every link, the
switch keeps every other setting, and two sessions in one process keep their own language."""

from __future__ import annotations

import pytest

from engine.core.i18n import _, set_language
from pages._common.navigation import available
from tests.helpers import assert_no_exception, page_test
from tests.i18n.texts import english_words, page_texts

PAGES = [
    "home",
    "playground",
    "activations",
    "gradient_flow",
    "race",
    "sequences",
    "landscape",
]  # every page but the lessons (their own TOML texts)
# A non-default setting per page, to see that the language switch keeps it.
SETTING = {
    "home": None,
    "playground": ("pg_steps", 120, "120"),
    "activations": None,
    "gradient_flow": None,
    "race": ("rc_steps", 30, "30"),
    "sequences": ("sq_hidden", 8, "8"),
    "landscape": None,
}


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    set_language("en")


def _rerun(at, lang: str):
    """Run again. AppTest turns the last run's widget values back into options with their
    format_func on the test's own thread: that thread must speak the last run's language."""
    set_language(lang)
    at.run()
    assert_no_exception(at)
    return at


def _run(page: str, query: dict[str, str] | None = None):
    at = page_test(page, query)
    at.run()
    assert_no_exception(at)
    return at


@pytest.mark.parametrize("page", PAGES)
def test_the_default_view_in_chinese_has_no_english_left(page):
    at = _run(page, {"lang": "zh"})
    texts = page_texts(at)
    assert len(texts) > 3
    assert any("\u4e00" <= ch <= "\u9fff" for text in texts for ch in text)
    assert english_words(texts) == [], page


# Words a lesson's Chinese text keeps on purpose: a cited title, and terms Chinese courses use as
# they are (logits, fan-in).
LESSON_ALLOWED = {"why", "momentum", "really", "works", "goh", "logits", "fan"}


@pytest.mark.parametrize("lesson", range(1, 11))
def test_every_lesson_in_chinese_has_no_english_left(lesson):
    at = _run("lessons", {"lang": "zh", "lesson": str(lesson)})
    texts = page_texts(at)
    assert any("\u4e00" <= ch <= "\u9fff" for text in texts for ch in text)
    assert english_words(texts, LESSON_ALLOWED) == [], lesson


@pytest.mark.parametrize("page", PAGES)
def test_lang_survives_the_pages_link(page):
    at = _run(page, {"lang": "zh"})
    assert at.query_params["lang"] == "zh"
    _rerun(at, "zh")  # a rerun (a widget's) writes the page's fields again
    assert at.query_params["lang"] == "zh"


def test_an_english_default_view_keeps_its_short_link():
    at = _run("home")
    assert "lang" not in at.query_params
    assert at.title[0].value == "Gradient lab"


@pytest.mark.parametrize("page", [p for p in PAGES if SETTING[p]])
def test_switching_the_language_keeps_every_other_setting(page):
    key, value, encoded = SETTING[page]
    at = _run(page, {key: encoded})  # the radio is drawn by app.py: in AppTest, on a first run
    assert at.session_state[key] == value and at.query_params[key] == encoded
    before = dict(at.query_params)
    at.sidebar.radio(key="lang").set_value("zh")
    _rerun(at, "en")
    assert at.session_state[key] == value
    assert dict(at.query_params) == {**before, "lang": "zh"}
    assert at.title[0].value != at.title[0].value.encode("ascii", "ignore").decode()  # Chinese
    at.session_state["lang"] = "en"  # the radio is drawn by app.py, which AppTest's reruns skip
    _rerun(at, "zh")
    assert at.query_params["lang"] == "en"  # chosen: kept, a zh browser opens it in English
    assert at.session_state[key] == value


def test_two_sessions_in_one_process_see_their_own_language():
    zh = _run("home", {"lang": "zh"})
    en = _run("home", {"lang": "en"})
    _rerun(zh, "zh")  # again, after the English session ran in the same process
    assert zh.title[0].value == "梯度实验室"
    assert en.title[0].value == "Gradient lab"
    set_language("en")


def test_the_browser_locale_decides_without_lang(monkeypatch):
    import streamlit as st

    from pages._common import language

    class Context:
        locale = "zh-CN"
        headers: dict = {}

    monkeypatch.setattr(st, "context", Context())
    assert language.browser_language() == "zh"
    Context.locale = None
    Context.headers = {"Accept-Language": "zh-TW,zh;q=0.9,en;q=0.8"}
    assert language.browser_language() == "zh"
    Context.headers = {"Accept-Language": "en-GB,en;q=0.9"}
    assert language.browser_language() == "en"


def test_page_titles_are_translated():
    set_language("zh")
    try:
        titles = [_(p.title) for p in available()]
    finally:
        set_language("en")
    assert all(t != p.title for t, p in zip(titles, available(), strict=True))


def test_cached_figures_are_per_language():
    """Figures are cached across sessions: the language is part of their key."""
    from tests.helpers import figures

    def titles(at):
        return [(f["layout"].get("title") or {}).get("text") for f in figures(at)]

    zh = _run("playground", {"lang": "zh"})
    en = _run("playground")
    assert "Loss against step" in titles(en) and "损失随步数的变化" not in titles(en)
    assert "损失随步数的变化" in titles(zh) and "Loss against step" not in titles(zh)
    again = _run("playground", {"lang": "zh"})  # from the cache, after the English session
    assert titles(again) == titles(zh)
