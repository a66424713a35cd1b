"""The playground's "Share this view" box: the link that reopens exactly this view."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import streamlit as st

from engine.core.i18n import _


def share_link() -> str:
    """The address that reopens this view (the page's URL and its query string)."""
    query = urlencode(st.query_params.to_dict(), safe=",")
    base = st.context.url or "/playground"
    return f"{base}?{query}" if query else base


def share_box(container: Any) -> None:
    with container.popover(_("Share this view"), icon=":material/share:"):
        st.caption(_("Copy this link (the copy icon at its right): it reopens exactly this view."))
        st.code(share_link(), language=None, wrap_lines=True)
