"""A refused formula's message shows what the person typed, operators and all, on every page.

Streamlit renders ``st.error`` bodies as Markdown, where ``*x*`` is italics and ``__x__`` bold:
shown raw, "write multiplication with '*', e.g. 2*x" lost its stars and ``__import__`` became
"import". The pages escape the message; these tests read the Markdown body each box sends.
"""

from __future__ import annotations

import re

import pytest

from pages._common.guard import literal
from tests.helpers import assert_no_exception, page_test

PUNCTUATION = r"[!-/:-@\[-`{-~]"  # every ASCII punctuation character
ESCAPED = re.compile(rf"\\({PUNCTUATION})")


def shown(body: str) -> str:
    """The text Markdown shows for ``body``, after checking that none of it is Markdown syntax.

    CommonMark shows a backslash-escaped punctuation character as itself, so a body whose every
    punctuation character is escaped shows exactly its unescaped text.
    """
    bare = ESCAPED.sub("", body)
    assert not re.search(PUNCTUATION, bare), f"unescaped Markdown in {body!r}"
    return ESCAPED.sub(r"\1", body)


def test_literal_escapes_every_markdown_character():
    text = "write '*', e.g. 2*x; __import__('os') `a` [b](c) $d$ :red[e] #f <g> ~h~ \\"
    assert shown(literal(text)) == text


def error_bodies(at) -> list[str]:
    return [e.proto.body for e in at.error]


def playground(formula: str):
    at = page_test("playground", {"pg_surface": "custom"}).run()
    at.text_input(key="pg_expr").input(formula).run()
    assert_no_exception(at)
    return at


def activation_page(formula: str):
    at = page_test("activations", {"act_sel": "relu"}).run()
    at.text_input(key="act_custom").input(formula).run()
    assert_no_exception(at)
    return at


PAGES = {"playground": playground, "activations": activation_page}


@pytest.mark.parametrize("page", PAGES)
def test_multiplication_hint_keeps_its_stars(page):
    at = PAGES[page]("2x")
    (body,) = [b for b in error_bodies(at) if "Syntax error" in b]
    text = shown(body)
    assert "'2x'" in text  # the user's text, quoted
    assert "write multiplication with '*', e.g. 2*x" in text


@pytest.mark.parametrize("page", PAGES)
def test_refused_call_shows_the_dunder_name(page):
    at = PAGES[page]("__import__('os')")
    (body,) = [b for b in error_bodies(at) if "cannot be called" in b]
    assert "'__import__' cannot be called" in shown(body)
