"""When a page may train by itself, and when it must wait for a press.

A run estimated to take at most :data:`LIVE_LIMIT_S` seconds starts live, as soon as a setting
changes: quick feedback is the point of the app. A longer run waits for an explicit "Train"
press with its estimate on screen, so that moving one slider never starts minutes of work (and
its memory) by accident. Every page that trains asks :func:`needs_press`, so the threshold is
defined here once.
"""

from __future__ import annotations

import math

from engine.core.i18n import _

LIVE_LIMIT_S = 10.0  # runs estimated above this many seconds wait for a "Train" press


def needs_press(estimate_s: float) -> bool:
    """Whether a run estimated at ``estimate_s`` seconds must wait for a "Train" press.

    An estimate that is not a finite number cannot be trusted to be short, so it waits too.
    """
    return not math.isfinite(estimate_s) or estimate_s > LIVE_LIMIT_S


def estimate_text(estimate_s: float) -> str:
    """The estimate as a person reads it: "about 3 min", "about 40 s"."""
    if not math.isfinite(estimate_s):
        return _("an unknown time")
    if estimate_s >= 90:
        return _("about {minutes} min").format(minutes=f"{estimate_s / 60:.0f}")
    return _("about {seconds} s").format(seconds=f"{max(estimate_s, 1):.0f}")
