"""Turn failures into messages a person can act on: a traceback on a projector is a disaster."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

log = logging.getLogger("gradient_lab")


@contextmanager
def friendly_errors(what: str) -> Iterator[None]:
    """Show ``ValueError``s (bad input) as a warning and anything else as an error box.

    Streamlit's own control flow (``st.stop``, reruns) derives from ``BaseException`` and passes
    through untouched.
    """
    try:
        yield
    except ValueError as exc:
        st.warning(f"{what}: {exc}", icon=":material/warning:")
    except Exception as exc:  # noqa: BLE001 - the last line of defence for the classroom
        log.exception("%s failed", what)
        st.error(
            f"{what} failed ({type(exc).__name__}: {exc}). The rest of the page still works; "
            "try other settings or reset the page.",
            icon=":material/error:",
        )
