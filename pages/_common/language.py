"""The session's language: English / 简体中文, chosen in the sidebar, kept in the URL as ``lang``.

app.py calls :func:`apply` first thing on every run, so every page and every widget label of the
run sees the session's language (a context variable: sessions sharing a process never see each
other's). On a session's first run the language comes from the URL's ``lang``, else from the
browser (``st.context.locale``, else its Accept-Language header): a ``zh*`` locale opens in
Chinese. :func:`switch` draws the choice in the sidebar of every page.

``lang`` is in the URL whenever the language is not plain English by default, so a copied link
opens in the sender's language; a default English view keeps its short link.
"""

from __future__ import annotations

import streamlit as st

from engine.core.i18n import DEFAULT, LANGUAGES, _, set_language
from pages._common.state import write_url

KEY = "lang"  # session-state key of the switch, and the query-parameter name
_EXPLICIT = "_lang_explicit"  # the language came from the URL or the switch, not the browser
NAMES = {"en": "English", "zh": "简体中文"}  # each language in its own words, as switches do


def browser_language() -> str:
    """'zh' when the browser asks for Chinese, else English."""
    locale = st.context.locale or ""
    if not locale:
        accept = st.context.headers.get("Accept-Language") or ""
        locale = accept.split(",")[0].strip()
    return "zh" if locale.lower().startswith("zh") else DEFAULT


def apply() -> str:
    """Set this run's language from the session (first run: the URL or the browser); write it
    to the URL. Returns it."""
    ss = st.session_state
    if ss.get(KEY) not in LANGUAGES:
        url = st.query_params.get(KEY)
        ss[_EXPLICIT] = url in LANGUAGES
        ss[KEY] = url if url in LANGUAGES else browser_language()
    lang = ss[KEY]
    set_language(lang)
    explicit = ss.get(_EXPLICIT) or lang != DEFAULT
    write_url(KEY, lang if explicit else None)
    return lang


def _switched() -> None:
    st.session_state[_EXPLICIT] = True


def switch() -> None:
    """The English / 简体中文 switch (call inside ``with st.sidebar``)."""
    st.radio(
        _("Language"),
        LANGUAGES,
        key=KEY,
        format_func=NAMES.get,
        horizontal=True,
        on_change=_switched,
    )
