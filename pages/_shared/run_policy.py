"""When a page may train by itself: short runs follow the controls live, long ones wait for a
press, with their estimate shown (a classroom must never sit through a run nobody asked for).
"""

from __future__ import annotations

#: Runs estimated above this many seconds wait for an explicit press.
LIVE_LIMIT_S = 10.0


def needs_press(estimate_s: float) -> bool:
    """Whether a run estimated at ``estimate_s`` seconds must wait for a press."""
    return estimate_s > LIVE_LIMIT_S
