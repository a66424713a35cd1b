"""URL and session-state keys of the Lessons page (prefix ``ls``).

Only the chosen lesson lives in the URL (``?lesson=3``); a lesson's own controls are session
state, named by :func:`key` so that two lessons never share a widget.
"""

from __future__ import annotations

from pages._common.state import IntField

COUNT = 10  # lessons 1..COUNT exist in the catalogue (some may be "coming")

LESSON = IntField("lesson", 1, low=1, high=COUNT)
FIELDS = [LESSON]


def key(number: int, name: str) -> str:
    """The session-state key of lesson ``number``'s control or chart ``name`` (``ls03_rate``;
    charts: ``fig_<name>``, so that a chart never takes a control's key)."""
    return f"ls{number:02d}_{name}"
