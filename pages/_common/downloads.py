"""Files made only when a person asks for them, in that person's language.

A download button given a callable makes its file on the click, not on every rerun (a CSV of
every probed layer costs a few milliseconds of each script run, which thirty sessions of one
link repeat). Streamlit calls it on a thread of its own, where the session's language, a context
variable (engine.core.i18n), is not set: the file's headers would come out in English.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any


def made_later(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """``fn(*args, **kwargs)``, called when the file is asked for, in a copy of this script run's context
    (a fresh copy per call: two clicks at once cannot enter one context twice)."""
    context = contextvars.copy_context()
    return lambda: context.copy().run(fn, *args, **kwargs)
