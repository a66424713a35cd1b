"""Turn failures into messages a person can act on: a traceback on a projector is a disaster."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from engine.core.i18n import _

log = logging.getLogger("gradient_lab")

# Every ASCII punctuation character: CommonMark lets a backslash escape any of them, and
# Streamlit's extras (":red[...]", ":material/...:", "$...$") are built from the same characters.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


def literal(text: object) -> str:
    """``text`` escaped so that Markdown shows it character for character.

    Engine messages quote what a person typed (``2x``, ``__import__('os')``) and operators
    (``*``, ``**``); shown raw in ``st.error`` they would turn into italics and bold and lose
    those characters.
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text)).replace("\n", "  \n")


@contextmanager
def friendly_errors(what: str) -> Iterator[None]:
    """Show ``ValueError``s (bad input) as a warning and anything else as an error box.

    ``what`` is the app's own Markdown; the exception's message is shown literally. Streamlit's
    own control flow (``st.stop``, reruns) derives from ``BaseException`` and passes through
    untouched.
    """
    try:
        yield
    except ValueError as exc:
        st.warning(f"{what}: {literal(exc)}", icon=":material/warning:")
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the classroom
        log.exception("%s failed", what)
        st.error(
            _(
                "{what} failed ({error}). The rest of the page still works; try other settings "
                "or reset the page."
            ).format(what=what, error=f"{type(exc).__name__}: {literal(exc)}"),
            icon=":material/error:",
        )
